"""Breakdown with consequences: the hazard strikes as declared, with the declared payoffs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from backchannel.experiments.batch.run import why_not_batch
from backchannel.protocols.breakdown import Hazard
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.schema import ScenarioSpec

HARD = {"a": "hardliner", "b": "hardliner"}  # never agree: only the hazard or the deadline ends it


def split(fixtures: Path, breakdown: dict | None, **negotiation) -> object:
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    data["negotiation"].update(negotiation)
    if breakdown is not None:
        data["negotiation"]["breakdown"] = breakdown
    return compile_spec(ScenarioSpec.model_validate(data))


def run(scenario, seed: int = 0, protocol: str = "direct"):
    return run_negotiation(scenario, RunOptions(protocol=protocol, strategies=HARD, seed=seed))


def test_a_certain_hazard_ends_the_talks_at_the_first_rejection_with_the_payoffs(fixtures):
    scenario = split(fixtures, {"per_round": 1.0, "payoffs": {"a": 0.05}})
    transcript = run(scenario)
    result = transcript.result
    assert result.reason == "breakdown" and result.agreement is None and result.rounds == 1
    assert result.payoffs == pytest.approx({"a": 0.05, "b": 0.0})


def test_without_a_hazard_nothing_changes(fixtures):
    plain = run(split(fixtures, None)).result
    zero = run(split(fixtures, {"per_round": 0.0})).result
    assert zero == plain and plain.reason != "breakdown"


def test_collapse_comes_after_a_geometric_number_of_rejections(fixtures):
    p = 0.3
    scenario = split(fixtures, {"per_round": p}, max_rounds=100, deadline_days=1000)
    rounds = np.array([run(scenario, seed=s).result.rounds for s in range(300)])
    # mean of a geometric variable counted from 1 is 1/p; 300 runs: standard error ~0.13
    assert rounds.mean() == pytest.approx(1.0 / p, abs=0.6)
    assert (rounds == 1).mean() == pytest.approx(p, abs=0.09)


def test_a_daily_hazard_compounds_over_the_days_a_round_takes(fixtures):
    scenario = split(fixtures, {"per_day": 0.1})
    hazard = Hazard.of(scenario)
    assert hazard.chance(0.0, 48.0) == pytest.approx(1 - 0.9**2)
    assert hazard.chance(0.0, 0.0) == 0.0


def test_an_indicator_drives_the_round_hazard(fixtures):
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    data["timeline"] = {
        "start": "2026-01-01",
        "indicators": [
            {"id": "tension", "points": [["2026-01-01", 0.0], ["2026-01-11", 10.0]]},
        ],
        "events": [{"id": "strikes"}],
    }
    data["negotiation"]["breakdown"] = {
        "per_round": 0.1,
        "indicator": "tension",
        "per_unit": 0.05,
        "event": "strikes",
    }
    scenario = compile_spec(ScenarioSpec.model_validate(data))
    hazard = Hazard.of(scenario)
    assert hazard.round_chance(0.0) == pytest.approx(0.1)
    assert hazard.round_chance(5 * 24.0) == pytest.approx(0.1 + 0.05 * 5)
    assert hazard.round_chance(100 * 24.0) == pytest.approx(0.6)
    data["negotiation"]["breakdown"]["per_round"] = 1.0
    certain = compile_spec(ScenarioSpec.model_validate(data))
    transcript = run(certain)
    assert transcript.result.reason == "breakdown"
    assert any(e.details.get("event") == "strikes" for e in transcript.of_kind("timeline"))


def test_the_shuttle_collapses_too_and_the_batch_engine_draws_it(fixtures):
    scenario = split(fixtures, {"per_round": 1.0})
    assert run(scenario, protocol="shuttle").result.reason == "breakdown"
    assert why_not_batch(scenario, "shuttle", HARD) is None  # drawn in the step engine's order
    resumed = split(fixtures, {"per_round": 1.0, "resume": {"after_days": 1}})
    assert "resume after a collapse" in why_not_batch(resumed, "shuttle", HARD)


@pytest.mark.parametrize(
    ("breakdown", "message"),
    [
        ({"payoffs": {"c": 0.1}}, "not a party"),
        ({"indicator": "rial"}, "not a timeline indicator"),
        ({"event": "strikes"}, "not a timeline event"),
        ({"per_round": 1.5}, "less than or equal to 1"),
    ],
)
def test_bad_breakdown_blocks_are_named(fixtures, tmp_path, breakdown, message):
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    data["negotiation"]["breakdown"] = breakdown
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    from backchannel.scenario.loader import load_scenario

    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert message in error.value.render()
