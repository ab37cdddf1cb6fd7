"""Reading the output of ``backchannel run --json`` back: which scenario, which agreement.

``run --json`` records where its scenario came from (``scenario_source``: a bundled name or the
file's absolute path), so ``backchannel analyze run.json`` can analyse that scenario and mark
the agreement the run reached. A live negotiation's export holds the same document in its
``transcript`` field, read by the same code; its scenario is the one the export carries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.cli.common import UsageProblem

if TYPE_CHECKING:
    from backchannel.scenario.model import Scenario

RUN_KEYS = ("protocol", "events", "result", "settings")


@dataclass(frozen=True)
class RunRecord:
    """A run read from its JSON: the scenario it played and the agreement, if any."""

    file: Path
    scenario: Scenario
    agreement: int | None
    reason: str
    protocol: str
    seed: int


def source_of(reference: str | None) -> str:
    """What ``scenario_source`` records: a bundled name as is, a file as an absolute path."""
    from backchannel.scenario.loader import DEFAULT_SCENARIO, bundled_names

    name = reference or DEFAULT_SCENARIO
    path = Path(name)
    if path.exists():
        return str(path.resolve())
    return name if name in bundled_names() else str(path)


def read_run(reference: str | None) -> RunRecord | None:
    """The run in ``reference`` if it is a ``run --json`` file or a live export, else None (a
    scenario)."""
    if reference is None or not reference.lower().endswith(".json"):
        return None
    path = Path(reference)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # the scenario loader reports an unreadable file with its line
    if not isinstance(data, dict):
        return None
    from backchannel.scenario.loader import TRANSCRIPT_FORMAT

    if data.get("format") == TRANSCRIPT_FORMAT:
        return _exported(path, data)
    if not all(key in data for key in RUN_KEYS):
        return None
    return _record(path, data, _played_scenario(path, data))


def _exported(path: Path, data: dict[str, Any]) -> RunRecord:
    """A live export: its ``transcript`` is read as a ``run --json`` document is; the scenario
    is the one it carries (with the preferences the parties confided)."""
    from backchannel.scenario.loader import load_scenario

    transcript = data.get("transcript")
    if not isinstance(transcript, dict) or not all(key in transcript for key in RUN_KEYS):
        raise UsageProblem(
            f"{path}: this export holds no transcript (it was written by an older server); "
            "export the negotiation again"
        )
    return _record(path, transcript, load_scenario(path))


def _played_scenario(path: Path, data: dict[str, Any]) -> Scenario:
    """The scenario a ``run --json`` document names, reloaded from its file or bundled name."""
    from backchannel.scenario.loader import load_scenario

    source = data.get("scenario_source") or data.get("scenario")
    if not isinstance(source, str):
        raise UsageProblem(f"{path}: the run does not say which scenario it played")
    where = Path(source)
    if not where.is_absolute() and not where.exists() and (path.parent / where).exists():
        source = str(path.parent / where)
    return load_scenario(source)


def _record(path: Path, data: dict[str, Any], scenario: Scenario) -> RunRecord:
    """The run a transcript document records (``run --json``, or a live export's transcript):
    the agreement from its result."""
    result = data.get("result") or {}
    agreement = result.get("agreement")
    if agreement is not None:
        _check_agreement(path, scenario, agreement, result.get("agreement_terms"))
    return RunRecord(
        file=path,
        scenario=scenario,
        agreement=agreement,
        reason=str(result.get("reason", "")),
        protocol=str(data.get("protocol", "")),
        seed=int(data.get("seed", 0)),
    )


def _check_agreement(path: Path, scenario: Scenario, index: Any, terms: Any) -> None:
    """The agreement's number must name the same terms in the scenario as loaded now."""
    fits = isinstance(index, int) and 0 <= index < scenario.space.size
    if fits and terms is not None:
        fits = _same(scenario.space.outcome(index), terms)
    if not fits:
        raise UsageProblem(
            f"{path}: its agreement does not fit scenario '{scenario.name}' as it is now (was "
            "the scenario edited after the run?); run it again with backchannel run --json"
        )


def _same(now: dict[str, Any], then: dict[str, Any]) -> bool:
    if set(now) != set(then):
        return False
    for key, value in now.items():
        other = then[key]
        if isinstance(value, float) and isinstance(other, (int, float)):
            if abs(value - other) > 1e-9:
                return False
        elif value != other:
            return False
    return True
