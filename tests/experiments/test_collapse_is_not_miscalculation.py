"""A run the breakdown hazard ends is counted as a collapse, not as a miscalculation.

A miscalculation is talks that had a zone of agreement and failed to find a deal in it; a
collapse is something outside the talks ending them. Counting one as the other would blame the
channel for the hazard.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.experiments.compare import CompareSettings, parse_arms, run_comparison
from backchannel.experiments.metrics import summarise
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.schema import ScenarioSpec


def _row(arm: str, agreed: bool, zopa: bool, reason: str) -> dict:
    return {
        "arm": arm,
        "agreed": agreed,
        "time_days": 1.0,
        "welfare": 0.5,
        "zopa": zopa,
        "distance_frontier": None,
        "distance_nash": None,
        "reason": reason,
    }


def test_summary_counts_collapses_apart_from_miscalculations() -> None:
    rows = [
        _row("shuttle", False, True, "breakdown"),
        _row("shuttle", False, True, "deadline"),
        _row("shuttle", True, True, "agreement"),
        _row("shuttle", False, False, "breakdown"),
    ]
    (summary,) = summarise(rows, ["shuttle"])
    assert (summary.zopa_runs, summary.miscalculations) == (3, 1)
    assert summary.miscalculation_rate == pytest.approx(1 / 3)
    assert (summary.collapses, summary.collapse_rate) == (2, 0.5)
    low, high = summary.to_dict()["collapse_rate_interval"]
    assert low < 0.5 < high


def _hazardous(fixtures: Path, per_round: float):
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    data["negotiation"]["breakdown"] = {"per_round": per_round}
    return compile_spec(ScenarioSpec.model_validate(data))


def test_compare_rows_and_summaries_keep_collapses_out_of_miscalculations(fixtures) -> None:
    scenario = _hazardous(fixtures, 0.5)
    settings = CompareSettings(
        parse_arms("direct", scenario),
        runs=40,
        seed=3,
        strategies=(("a", "hardliner"), ("b", "hardliner")),
    )
    comparison = run_comparison(scenario, settings)
    collapsed = [r for r in comparison.rows if r["reason"] == "breakdown"]
    assert collapsed, "a 50 % hazard per rejection between two hard-liners collapses some runs"
    assert not any(r["miscalculation"] for r in collapsed)
    (summary,) = comparison.summaries
    assert summary.collapses == len(collapsed)
    assert summary.miscalculations == sum(
        r["zopa"] and not r["agreed"] and r["reason"] != "breakdown" for r in comparison.rows
    )


def test_compare_shows_a_collapse_column_only_when_runs_collapse(tmp_path, fixtures) -> None:
    risky = tmp_path / "risky.yaml"
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    data["negotiation"]["breakdown"] = {"per_round": 0.5}
    risky.write_text(yaml.safe_dump(data))
    runner = CliRunner()
    wide = {"COLUMNS": "200"}
    shown = runner.invoke(app, ["compare", str(risky), "-p", "direct", "-n", "20"], env=wide)
    assert shown.exit_code == 0, shown.output
    assert "collapse" in shown.output and "a collapse is not a miscalculation" in shown.output
    plain = runner.invoke(
        app, ["compare", str(fixtures / "split.yaml"), "-p", "direct", "-n", "5"], env=wide
    )
    assert plain.exit_code == 0, plain.output
    assert "collapse:" not in plain.output and "┃ collapse" not in plain.output
