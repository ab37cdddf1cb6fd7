"""Check a scenario against a date: what has happened since, what is stale, what is unsupported.

The ``sources`` block of a scenario is its evidence ledger: each key names a source, and a dated
entry (``date``, ``says``, ``url``) records what it says and when. Facts anywhere in the file
cite ledger keys in their ``source`` notes. Given an as-of date, :func:`check_evidence` flags
events that were still in the future when the scenario's clock started but have passed since
(or possible events whose last possible date has passed), ledger entries older than a stated
age, ledger entries dated after the as-of date, and assumptions that no ledger entry supports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from backchannel.scenario.schema import Annotated_, EvidenceSpec, ScenarioSpec

PASSED = "passed"
STALE = "stale"
FUTURE = "after as-of"
UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Flag:
    """One finding, named like a validation problem: where, what, and the fix."""

    path: str
    kind: str
    message: str
    fix: str


def check_evidence(
    spec: ScenarioSpec, as_of: dt.date, max_age_days: int | None = None
) -> list[Flag]:
    """Every flag for ``spec`` as of ``as_of`` (``max_age_days``: how old a source may be)."""
    return [
        *_passed_events(spec, as_of),
        *_ledger_dates(spec, as_of, max_age_days),
        *_unsupported(spec),
    ]


def dated_entries(spec: ScenarioSpec) -> dict[str, EvidenceSpec]:
    return {k: v for k, v in spec.sources.items() if isinstance(v, EvidenceSpec)}


def latest_evidence(spec: ScenarioSpec) -> dt.date | None:
    """The newest date in the ledger, or None when no entry is dated."""
    dates = [entry.date for entry in dated_entries(spec).values()]
    return max(dates) if dates else None


def _passed_events(spec: ScenarioSpec, as_of: dt.date) -> Iterator[Flag]:
    timeline = spec.timeline
    if timeline is None:
        return
    for number, event in enumerate(timeline.events):
        path = f"timeline.events[{number}] ({event.id})"
        if event.date is not None and timeline.start < event.date <= as_of:
            yield Flag(
                path,
                PASSED,
                f"dated {event.date}, after the clock starts ({timeline.start}) and on or before "
                f"{as_of}: it was a future when the scenario was written and has passed since",
                "record what happened (a source and its date), then move the start or drop it",
            )
        if event.date is None and event.expected_by is not None and event.expected_by <= as_of:
            yield Flag(
                path,
                PASSED,
                f"a possible event expected by {event.expected_by}, which has passed by {as_of}",
                "date it if it happened (with a source), or remove it if it can no longer happen",
            )


def _ledger_dates(spec: ScenarioSpec, as_of: dt.date, max_age_days: int | None) -> Iterator[Flag]:
    for key, entry in dated_entries(spec).items():
        path = f"sources.{key}"
        if entry.date > as_of:
            yield Flag(
                path,
                FUTURE,
                f"dated {entry.date}, after the as-of date {as_of}",
                "check the date, or validate as of a later day",
            )
        elif max_age_days is not None and (as_of - entry.date).days > max_age_days:
            age = (as_of - entry.date).days
            yield Flag(
                path,
                STALE,
                f"dated {entry.date}, {age} days before {as_of} (more than {max_age_days})",
                "find newer reporting on the same fact, or say why it still holds",
            )


def _unsupported(spec: ScenarioSpec) -> Iterator[Flag]:
    keys = list(spec.sources)
    if not keys:
        return
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])")
    for path, item, inherited in _annotated(spec, "", None):
        if item.assumption and not _cites(pattern, item.source) and not _cites(pattern, inherited):
            yield Flag(
                path or "(top level)",
                UNSUPPORTED,
                "an assumption that cites no source of the ledger, here or around it",
                "name the ledger entry it rests on (a key of 'sources:') in its 'source' note",
            )


def _cites(pattern: re.Pattern[str], text: str | None) -> bool:
    return bool(text) and pattern.search(text) is not None


def _annotated(
    node: object, path: str, inherited: str | None
) -> Iterator[tuple[str, Annotated_, str | None]]:
    """Every annotated object under ``node``, with the nearest enclosing ``source``."""
    if isinstance(node, EvidenceSpec):
        return
    if isinstance(node, Annotated_):
        yield path, node, inherited
        inherited = node.source or inherited
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _annotated(getattr(node, name), _join(path, name), inherited)
    elif isinstance(node, list | tuple):
        for number, child in enumerate(node):
            yield from _annotated(child, f"{path}[{number}]", inherited)
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _annotated(child, _join(path, str(key)), inherited)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
