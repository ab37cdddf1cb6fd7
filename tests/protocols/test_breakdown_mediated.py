"""The breakdown hazard in the mediated protocols: drawn once after every round whose text was
not accepted, with the declared payoffs and the event it sets off, as in alternating offers."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.schema import ScenarioSpec

HARD = {"a": "hardliner", "b": "hardliner"}  # never accept a mediator's text that concedes
MEDIATED = ["single-text", "confidential"]


def split(fixtures, breakdown: dict | None, **negotiation):
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    data["negotiation"].update(negotiation)
    data["timeline"] = {"start": "2026-01-01", "events": [{"id": "strikes"}]}
    if breakdown is not None:
        data["negotiation"]["breakdown"] = breakdown
    return compile_spec(ScenarioSpec.model_validate(data))


def run(scenario, protocol: str, seed: int = 0):
    options = RunOptions(protocol=protocol, strategies=HARD, seed=seed)
    return run_negotiation(scenario, options)


@pytest.mark.parametrize("protocol", MEDIATED)
def test_a_certain_hazard_ends_mediation_after_the_first_round(fixtures, protocol) -> None:
    scenario = split(fixtures, {"per_round": 1.0, "payoffs": {"a": 0.05}, "event": "strikes"})
    transcript = run(scenario, protocol)
    result = transcript.result
    assert result.reason == "breakdown" and result.agreement is None and result.rounds == 1
    assert result.payoffs == pytest.approx({"a": 0.05, "b": 0.0})
    fired = [e for e in transcript.of_kind("timeline") if e.details.get("cause") == "breakdown"]
    assert [e.details["event"] for e in fired] == ["strikes"]
    assert fired[0].time_hours == result.time_hours  # when the round's last answer came in


@pytest.mark.parametrize("protocol", MEDIATED)
def test_without_a_hazard_mediation_is_unchanged(fixtures, protocol) -> None:
    plain = run(split(fixtures, None), protocol).result
    zero = run(split(fixtures, {"per_round": 0.0}), protocol).result
    assert zero == plain and plain.reason != "breakdown"


@pytest.mark.parametrize("protocol", MEDIATED)
def test_mediation_collapses_after_a_geometric_number_of_rounds(fixtures, protocol) -> None:
    p = 0.3
    scenario = split(fixtures, {"per_round": p}, max_rounds=100, deadline_days=1000)
    results = [run(scenario, protocol, seed=s).result for s in range(300)]
    assert all(r.reason == "breakdown" for r in results)
    rounds = np.array([r.rounds for r in results])
    # mean of a geometric variable counted from 1 is 1/p; 300 runs: standard error ~0.13
    assert rounds.mean() == pytest.approx(1.0 / p, abs=0.6)
    assert (rounds == 1).mean() == pytest.approx(p, abs=0.09)
