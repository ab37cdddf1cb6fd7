"""The command line as a user meets it: exit codes, readable output, JSON, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backchannel.cli.main import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_run_defaults_to_the_flagship_through_oman() -> None:
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert "oman" in result.output.lower()
    assert "Nash" in result.output
    assert "round" in result.output


def test_run_json_is_a_full_transcript(fixtures: Path) -> None:
    result = invoke("run", str(fixtures / "split.yaml"), "--json", "--seed", "3")
    data = json.loads(result.output)
    assert data["protocol"] == "shuttle" and data["seed"] == 3
    offers = [e for e in data["events"] if e["kind"] == "offer"]
    assert offers and all("delivered_terms" in e for e in offers)
    assert data["result"]["reason"] == "agreement"
    assert "distance_to_frontier" in data["benchmarks"]


def test_direct_is_refused_for_the_flagship_with_the_way_out() -> None:
    result = runner.invoke(app, ["run", "--protocol", "direct"])
    assert result.exit_code == 2
    assert "refuses direct talks" in result.output and "--force-direct" in result.output
    assert "Traceback" not in result.output


def test_forced_direct_talks_charge_the_domestic_price() -> None:
    result = invoke("run", "--protocol", "direct", "--force-direct")
    assert result.exit_code == 0
    assert "domestic" in result.output


def test_bad_strategy_flag_is_explained() -> None:
    result = runner.invoke(app, ["run", "--strategy", "us"])
    assert result.exit_code == 2 and "PARTY=NAME" in result.output


def test_analyze_json_has_the_documented_keys(fixtures: Path) -> None:
    data = json.loads(invoke("analyze", str(fixtures / "split.yaml"), "--json").output)
    for key in (
        "outcome_count",
        "reservation_values",
        "pareto_frontier",
        "nash",
        "kalai_smorodinsky",
        "utilitarian",
        "zopa_size",
    ):
        assert key in data
    assert data["outcome_count"] == 101 and data["zopa_size"] == 81
    assert data["nash"]["outcome"] == {"share": 60.0}
    assert set(data["pareto_frontier"][0]) >= {"outcome", "utilities"}


def test_analyze_prints_the_flagship_and_draws_a_plot(tmp_path: Path) -> None:
    plot = tmp_path / "space.png"
    result = invoke("analyze", "--plot", str(plot))
    assert result.exit_code == 0
    assert "Nash" in result.output and "Kalai" in result.output
    assert "three" in result.output.lower()  # the three-step plan is placed against them
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_validate_reports_problems_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nissues: []\nparties: []\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "fix:" in result.output
    assert "Traceback" not in result.output


def test_validate_accepts_a_good_file(fixtures: Path) -> None:
    result = invoke("validate", str(fixtures / "split.yaml"))
    assert result.exit_code == 0 and "ok" in result.output


def test_scenarios_and_strategies_are_listed() -> None:
    listing = invoke("scenarios").output
    for name in ("iran-us", "buyer-seller", "employment"):
        assert name in listing
    assert "boulware" in invoke("strategies").output
