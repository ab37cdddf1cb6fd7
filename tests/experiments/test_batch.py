"""run_batch: which engine plays what, tidy rows, and the flagship against the step engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from backchannel.agents.registry import register
from backchannel.agents.time_based import Boulware
from backchannel.experiments.batch import batch_supported, run_batch, why_not_batch
from backchannel.protocols.runner import RunOptions, RunRefused, run_negotiation
from backchannel.scenario.at_time import moves_during
from backchannel.scenario.loader import load_scenario
from backchannel.scenario.model import Scenario


@register("batch-test-stubborn", "a Boulware that never accepts (test only)")
class Stubborn(Boulware):
    name = "batch-test-stubborn"

    def respond(self, view, offer):
        return False


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    # The batch engine does not model ratification (runs with a ratifier use the step engine),
    # so the flagship is compared here without its Supreme Leader.
    return load_scenario("iran-us-2025").with_party("iran", ratifier=None)


@pytest.fixture
def split(fixtures) -> Scenario:
    return load_scenario(fixtures / "split.yaml")


def test_flagship_rows_match_the_step_engine(flagship: Scenario) -> None:
    # The snapback scheduled 20 days in moves Iran's and the US's positions during the talks.
    assert flagship.timeline is not None
    when = flagship.timeline.start + dt.timedelta(days=20)
    flagship = replace(flagship, timeline=flagship.timeline.with_event_date("snapback", when))
    assert moves_during(flagship.timeline, flagship)
    for strategies in ({}, {"us": "boulware", "iran": "conceder"}):
        assert_batch_matches_step(flagship, strategies, [11, 12])


def assert_batch_matches_step(
    scenario: Scenario, strategies: dict[str, str], seeds: list[int]
) -> list[dict]:
    """Shuttle runs on the batch engine equal the step engine's, field for field."""
    rows = run_batch(scenario, "shuttle", strategies, seeds)
    for row, seed in zip(rows, seeds, strict=True):
        options = RunOptions(protocol="shuttle", strategies=strategies, seed=seed)
        result = run_negotiation(scenario, options).result
        assert row["engine"] == "batch"
        assert (row["agreement"], row["rounds"], row["reason"], row["time_hours"]) == (
            result.agreement,
            result.rounds,
            result.reason,
            result.time_hours,
        )
        for party in scenario.party_ids:
            assert row[f"payoff_{party}"] == result.payoffs[party]
            assert row[f"utility_{party}"] == result.utilities[party]
        assert row["welfare"] == sum(result.payoffs.values())
    return rows


def test_a_strategy_without_array_form_falls_back_to_the_step_engine(split: Scenario) -> None:
    strategies = {"a": "batch-test-stubborn"}
    assert not batch_supported(split, "direct", strategies)
    assert "batch-test-stubborn" in why_not_batch(split, "direct", strategies)
    rows = run_batch(split, "direct", strategies, [0, 1])
    assert [row["engine"] for row in rows] == ["step", "step"]
    for row, seed in zip(rows, [0, 1], strict=True):
        options = RunOptions(protocol="direct", strategies=strategies, seed=seed)
        assert row["agreement"] == run_negotiation(split, options).result.agreement


def test_rows_are_tidy_and_in_seed_order(split: Scenario) -> None:
    rows = run_batch(split, "shuttle", {"a": "conceder"}, [5, 6, 7], runs=[10, 11, 12])
    assert [(r["run"], r["seed"]) for r in rows] == [(10, 5), (11, 6), (12, 7)]
    assert rows[0]["via"] == "broker" and rows[0]["strategy_a"] == "conceder"
    assert rows[0]["strategy_b"] == "boulware"
    assert all(isinstance(v, (int, float, str, bool, type(None))) for v in rows[0].values())


def test_direct_talks_are_refused_unless_forced(flagship: Scenario) -> None:
    with pytest.raises(RunRefused, match="force-direct"):
        run_batch(flagship, "direct", {}, [0])
    rows = run_batch(flagship, "direct", {}, [0], force_direct=True)
    assert rows[0]["engine"] == "batch"
    assert rows[0]["force_direct"] is True


def test_unknown_protocols_are_named(split: Scenario) -> None:
    assert why_not_batch(split, "single-text") is not None


@pytest.mark.parametrize("threshold", [None, 0.7, 0.9])
def test_ratifiers_run_in_the_batch_engine_exactly(threshold: float | None) -> None:
    # The flagship as shipped (Iran's Supreme Leader ratifies), and stricter ratifiers that veto.
    scenario = load_scenario("iran-us-2025")
    ratifier = scenario.party("iran").ratifier
    assert ratifier is not None
    if threshold is not None:
        scenario = scenario.with_party("iran", ratifier=replace(ratifier, threshold=threshold))
    assert batch_supported(scenario, "shuttle", {})
    for strategies in ({}, {"us": "conceder", "iran": "linear"}):
        rows = assert_batch_matches_step(scenario, strategies, [1, 2, 3])
    if threshold == 0.9:
        assert any(row["reason"].startswith("ratification failed") for row in rows)


class SteadierBoulware(Boulware):
    """Only a parameter differs: the same decisions, so the same array form."""

    name = "batch-test-steadier"

    def __init__(self, rng=None, exponent: float = 2.5) -> None:
        super().__init__(rng, exponent=exponent)


register("batch-test-steadier", "a Boulware with exponent 2.5 (test only)")(SteadierBoulware)


def test_coverage_follows_the_decisions_a_strategy_runs(flagship: Scenario) -> None:
    assert batch_supported(flagship, "shuttle", {"us": "batch-test-steadier"})
    reason = why_not_batch(flagship, "shuttle", {"us": "batch-test-stubborn"})
    assert reason is not None and "batch-test-stubborn" in reason
    assert_batch_matches_step(flagship, {"us": "batch-test-steadier"}, [5, 6])
