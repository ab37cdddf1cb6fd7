"""The 2026 flagship plays on the batch engine with its full declared uncertainty (drawn
weights, walk-away values and delays, its timeline, both ratifiers, the leaky Omani and Qatari
channels and any declared breakdown hazard), and every row equals the step engine's."""

from __future__ import annotations

import pytest

from backchannel.experiments.compare import CompareSettings, parse_arms, run_comparison
from backchannel.scenario.loader import load_scenario


@pytest.fixture(scope="module")
def flagship():
    return load_scenario("iran-us")


def rows_of(scenario, arms: str, engine: str, runs: int) -> tuple[list[dict], dict]:
    settings = CompareSettings(
        arms=parse_arms(arms, scenario), runs=runs, seed=1, engine=engine, chunk_size=3
    )
    comparison = run_comparison(scenario, settings)
    rows = [{k: v for k, v in row.items() if k != "engine"} for row in comparison.rows]
    return rows, comparison.engines


def test_flagship_through_leaky_channels_equals_the_step_engine(flagship) -> None:
    assert any(item.leak > 0 for item in flagship.channel.intermediaries)
    assert all(p.ratifier is not None for p in flagship.parties)
    assert flagship.spec.negotiation.breakdown is not None
    batch, engines = rows_of(flagship, "shuttle,shuttle@qatar", "auto", 5)
    step, _ = rows_of(flagship, "shuttle,shuttle@qatar", "step", 5)
    assert engines == {"shuttle": ["batch"], "shuttle@qatar": ["batch"]}
    assert batch == step


def test_one_flagship_run_equals_the_step_engine(flagship) -> None:
    """A single drawn run answers from its issue tables rather than a table shared by runs."""
    batch, engines = rows_of(flagship, "direct", "auto", 1)
    step, _ = rows_of(flagship, "direct", "step", 1)
    assert engines == {"direct": ["batch"]}
    assert batch == step
