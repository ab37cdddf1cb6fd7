"""Tournaments: every pairing in both roles, reproducible, ranked with intervals; the CLI and
the shipped example strategy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.experiments.results import read_results
from backchannel.experiments.tournament import (
    TournamentError,
    load_strategies,
    plan_tournament,
    rank,
    run_tournament,
)
from backchannel.scenario.loader import load_scenario
from backchannel.scenario.model import Scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "my_strategy.py"
runner = CliRunner()


@pytest.fixture
def split(fixtures) -> Scenario:
    return load_scenario(fixtures / "split.yaml")


def test_every_pairing_is_played_in_both_roles(split: Scenario) -> None:
    plan = plan_tournament([split], ["boulware", "conceder"], ["direct", "shuttle"], 2)
    pairs = {(m.protocol, m.strategies) for m in plan.matches}
    assert len(plan.matches) == 8 and plan.runs == 16
    assert ("direct", ("boulware", "conceder")) in pairs
    assert ("direct", ("conceder", "boulware")) in pairs
    result = run_tournament(plan)
    assert len(result.rows) == 16
    assert {r["seat0_strategy"] for r in result.rows} == {"boulware", "conceder"}
    assert all(s.seats == 16 for s in result.standings)  # 8 runs x 2 seats, self-play twice


def test_same_seed_same_rows_and_backends_agree(split: Scenario) -> None:
    plan = plan_tournament([split], ["linear", "hardliner"], ["shuttle"], 3, seed=4)
    first = run_tournament(plan).rows
    assert first == run_tournament(plan).rows
    assert first == run_tournament(plan, backend="process", workers=2).rows


def test_ranking_matches_a_brute_force_count(split: Scenario) -> None:
    plan = plan_tournament([split], ["boulware", "conceder", "tit-for-tat"], ["direct"], 2)
    result = run_tournament(plan)
    for standing in result.standings:
        payoffs = [
            row[f"seat{k}_payoff"]
            for row in result.rows
            for k in (0, 1)
            if row[f"seat{k}_strategy"] == standing.strategy
        ]
        assert standing.seats == len(payoffs)
        assert standing.utility == pytest.approx(np.mean(payoffs))
        half = 1.959963984540054 * np.std(payoffs, ddof=1) / np.sqrt(len(payoffs))
        assert standing.utility_ci == pytest.approx(half)
    means = [s.utility for s in result.standings]
    assert means == sorted(means, reverse=True)


def test_rank_of_hand_made_rows() -> None:
    rows = [
        {
            "seat0_strategy": "x",
            "seat1_strategy": "y",
            "seat0_payoff": 1.0,
            "seat1_payoff": 0.0,
            "agreed": True,
            "welfare": 1.0,
        },
        {
            "seat0_strategy": "y",
            "seat1_strategy": "x",
            "seat0_payoff": 0.5,
            "seat1_payoff": 0.5,
            "agreed": False,
            "welfare": 1.0,
        },
    ]
    x, y = rank(rows, ["y", "x"])
    assert (x.strategy, x.utility, x.agreement_rate) == ("x", 0.75, 0.5)
    assert (y.strategy, y.utility, y.welfare) == ("y", 0.25, 1.0)


def test_direct_with_a_refusing_party_is_forced_and_said(split: Scenario) -> None:
    refusing = split.with_party("a", refuses_direct_talks=True, direct_contact_cost=0.1)
    result = run_tournament(plan_tournament([refusing], ["conceder"], ["direct"], 1))
    assert result.rows[0]["force_direct"] is True
    assert "refuses direct talks" in result.notes[0]


def test_unknown_strategy_is_named(split: Scenario) -> None:
    with pytest.raises(TournamentError, match=r"unknown strategy 'nope'.*--load"):
        plan_tournament([split], ["nope"], ["direct"], 1)


def test_loading_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(TournamentError, match="no such file"):
        load_strategies([str(tmp_path / "missing.py")])


def test_the_example_strategy_plays_a_tournament_from_the_cli(tmp_path: Path, fixtures) -> None:
    out, plot = tmp_path / "results.csv", tmp_path / "ranking.png"
    args = [
        "tournament",
        "--load",
        str(EXAMPLE),
        "--scenarios",
        str(fixtures / "split.yaml"),
        "--strategies",
        "my-deadline-sprinter,boulware",
        "--protocols",
        "direct,shuttle",
        "--repetitions",
        "2",
        "--out",
        str(out),
        "--plot",
        str(plot),
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {s["strategy"] for s in document["ranking"]} == {"my-deadline-sprinter", "boulware"}
    assert "step" in document["engines"]  # the example has no array form
    rows = read_results(out)
    assert len(rows) == 2 * 4 * 2
    assert any(r["seat0_strategy"] == "my-deadline-sprinter" for r in rows)
    assert plot.stat().st_size > 1000


def test_cli_table_and_errors(fixtures) -> None:
    scenario = str(fixtures / "split.yaml")
    ok = runner.invoke(
        app,
        [
            "tournament",
            "--scenarios",
            scenario,
            "--repetitions",
            "1",
            "--strategies",
            "boulware,conceder",
        ],
    )
    assert ok.exit_code == 0 and "Tournament ranking" in ok.output and "± " in ok.output
    bad = runner.invoke(app, ["tournament", "--scenarios", scenario, "--strategies", "nope"])
    assert bad.exit_code == 2 and "unknown strategy 'nope'" in bad.output
    bad = runner.invoke(app, ["tournament", "--scenarios", scenario, "--protocols", "telepathy"])
    assert bad.exit_code == 2 and "unknown protocol 'telepathy'" in bad.output
    bad = runner.invoke(app, ["tournament", "--scenarios", scenario, "--out", "x.txt"])
    assert bad.exit_code == 2 and ".parquet or .csv" in bad.output
