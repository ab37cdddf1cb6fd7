"""``backchannel sensitivity`` as a user meets it: the critical assumptions, JSON, the plot."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backchannel.cli.main import app

runner = CliRunner()


def test_prints_the_three_critical_assumptions_first() -> None:
    result = runner.invoke(app, ["sensitivity", "iran-us-2025"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    head = result.output.split("Every threshold")[0]
    assert "three most critical assumptions" in head
    assert "us.red_lines.enrichment: tighten from above 3.67 to above 0" in head.replace("\n", " ")


def test_json_lists_every_kind_of_parameter(tmp_path: Path) -> None:
    plot = tmp_path / "tornado.png"
    result = runner.invoke(
        app, ["sensitivity", "iran-us-2025", "--json", "--plot", str(plot)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    parameters = {entry["parameter"] for entry in entries}
    assert {"us.reservation", "us.red_lines.enrichment", "iran.weights.sanctions"} <= parameters
    assert {"iran.ratifier.threshold", "negotiation.deadline_days"} <= parameters
    keys = {"parameter", "current", "threshold", "effect", "zone_before", "zone_after"}
    assert all(keys <= set(entry) for entry in entries)
    assert {e["effect"] for e in entries} >= {"zone closes", "nash changes"}
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_unknown_scenario_is_a_one_line_error() -> None:
    result = runner.invoke(app, ["sensitivity", "no-such-scenario"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "no-such-scenario" in result.output


def test_plot_with_an_unknown_suffix_is_refused_before_any_work(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sensitivity", "iran-us-2025", "--plot", str(tmp_path / "t.txt")])
    assert result.exit_code == 2
    assert "--plot" in result.output and "Traceback" not in result.output
