"""``validate --as-of``: passed events, stale and future sources, unsupported assumptions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.scenario.evidence import (
    FUTURE,
    PASSED,
    STALE,
    UNSUPPORTED,
    check_evidence,
    latest_evidence,
)
from backchannel.scenario.loader import load_spec

runner = CliRunner()


@pytest.fixture
def dated(fixtures: Path):
    return load_spec(fixtures / "dated.yaml")


def kinds(flags) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for flag in flags:
        found.setdefault(flag.kind, set()).add(flag.path)
    return found


def test_nothing_has_passed_on_the_day_the_clock_starts(dated) -> None:
    found = kinds(check_evidence(dated, dt.date(2025, 6, 1)))
    assert PASSED not in found
    assert found[FUTURE] == {"sources.blog-2026-02"}


def test_a_scheduled_event_and_a_deadline_pass(dated) -> None:
    assert PASSED not in kinds(check_evidence(dated, dt.date(2025, 9, 14)))
    found = kinds(check_evidence(dated, dt.date(2025, 9, 15)))
    assert found[PASSED] == {"timeline.events[1] (summit)"}
    later = kinds(check_evidence(dated, dt.date(2025, 10, 18)))
    assert later[PASSED] == {"timeline.events[1] (summit)", "timeline.events[2] (deadline)"}


def test_sources_older_than_the_stated_age_are_stale(dated) -> None:
    as_of = dt.date(2026, 3, 1)
    assert STALE not in kinds(check_evidence(dated, as_of))
    age = (as_of - dt.date(2025, 3, 1)).days
    assert kinds(check_evidence(dated, as_of, max_age_days=age)).get(STALE) is None
    assert kinds(check_evidence(dated, as_of, max_age_days=age - 1))[STALE] == {
        "sources.wire-2025-03"
    }


def test_assumptions_need_a_ledger_entry_here_or_around_them(dated) -> None:
    found = kinds(check_evidence(dated, dt.date(2025, 6, 1)))
    # b cites nothing; the events inherit the timeline's source; a cites the wire report
    assert found[UNSUPPORTED] == {"parties[1]"}


def test_latest_evidence_is_the_newest_dated_entry(dated) -> None:
    assert latest_evidence(dated) == dt.date(2026, 2, 10)


def test_the_flagship_has_no_flags_on_its_start_day() -> None:
    spec = load_spec("iran-us")
    assert check_evidence(spec, spec.timeline.start) == []
    assert all(not isinstance(v, str) for v in spec.sources.values())  # every source dated


def test_the_seed_only_flagship_shows_its_unsupported_assumptions() -> None:
    found = kinds(check_evidence(load_spec("iran-us-2025"), dt.date(2026, 1, 20)))
    assert "uncertainty" in found[UNSUPPORTED]


def test_cli_exit_codes(fixtures: Path) -> None:
    path = str(fixtures / "dated.yaml")
    flagged = runner.invoke(app, ["validate", path, "--as-of", "2025-09-15"])
    assert flagged.exit_code == 1, flagged.output
    assert "summit" in flagged.output and "fix:" in flagged.output
    clean = runner.invoke(app, ["validate", "iran-us", "--as-of", "2026-01-20"])
    assert clean.exit_code == 0 and "no flags" in clean.output
    plain = runner.invoke(app, ["validate", path])
    assert plain.exit_code == 0 and "as of" not in plain.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01"], "YYYY-MM-DD"),
        (["--max-age", "30"], "--as-of"),
    ],
)
def test_bad_flags_are_one_line_errors(fixtures: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["validate", str(fixtures / "dated.yaml"), *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
