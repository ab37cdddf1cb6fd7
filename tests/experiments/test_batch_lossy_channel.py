"""The batch engine plays lossy channels exactly as the step engine does: on random scenarios
whose intermediaries lose (and leak) messages, with resends, timeouts, a give-up after a number
of attempts, timelines, drawn weights and breakdown hazards, run by run the same rows."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.experiments.test_batch_draws import risky
from tests.experiments.test_batch_exact import BATCHABLE, assert_engines_agree

from backchannel.experiments.batch.engine import ACCEPTANCE_LOST_REASON
from backchannel.experiments.batch.run import run_batch
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec


@st.composite
def lossy(draw: st.DrawFn, uncertain: bool, timed: bool) -> Scenario:
    """A risky scenario (leaks, hazards) whose hops also lose messages."""
    base = draw(risky(uncertain, timed))
    spec = base.spec.model_dump(mode="json", exclude_none=True)
    for hop in spec["channel"]["intermediaries"]:
        hop["loss"] = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]))
    if draw(st.booleans()):
        spec["channel"]["max_attempts"] = draw(st.sampled_from([1, 2, 3]))
    if draw(st.booleans()):
        spec["channel"]["timeout_hours"] = draw(st.sampled_from([0.5, 24.0, 400.0]))
    return compile_spec(ScenarioSpec.model_validate(spec))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    protocol=st.sampled_from(["direct", "shuttle"]),
    names=st.tuples(st.sampled_from(BATCHABLE), st.sampled_from(BATCHABLE)),
    uncertain=st.booleans(),
    timed=st.booleans(),
)
def test_lossy_channels_equal_step_rows(data, protocol, names, uncertain, timed) -> None:
    scenario = data.draw(lossy(uncertain, timed))
    strategies = {"a": names[0], "b": names[1]}
    seeds = [3, 1, 4, 1, 5, 9, 2, 6, 11, 12, 13, 14]
    assert_engines_agree(scenario, protocol, strategies, seeds, uncertain)


def overlapping_attempts() -> Scenario:
    """Resends every half hour on a route 3.5 hours long whose second hop loses nine messages
    in ten: a later attempt leaves while earlier ones are still crossing the first hop."""
    party = {
        "id": "a",
        "strategy": "boulware",
        "preferences": {
            "weights": {"d0": 0.5, "n1": 0.5},
            "values": {"d0": {"o0": 0.0, "o1": 0.0}, "n1": [[0.0, 1.0], [1.0, 0.0]]},
        },
    }
    spec = {
        "name": "overlapping",
        "issues": [
            {"id": "d0", "options": ["o0", "o1"]},
            {"id": "n1", "range": {"min": 0.0, "max": 1.0, "step": 1.0}},
        ],
        "parties": [party, {**party, "id": "b"}],
        "channel": {
            "intermediaries": [
                {"id": "broker", "delay_hours": 2.0, "loss": 0.1},
                {"id": "relay", "delay_hours": 1.5, "loss": 0.9},
            ],
            "routes": {"pair": ["broker", "relay"]},
            "default_route": "pair",
            "timeout_hours": 0.5,
            "max_attempts": 10,
        },
        "negotiation": {"deadline_days": 1.0, "max_rounds": 1, "first_mover": "a"},
    }
    return compile_spec(ScenarioSpec.model_validate(spec))


def test_an_acceptance_lost_after_its_last_resend_ends_when_the_last_attempt_is_lost() -> None:
    """Found by the property above: the talks end when the last attempt still on its way is
    lost, which may be after the last resend left (not at that resend)."""
    scenario = overlapping_attempts()
    strategies = {"a": "boulware", "b": "boulware"}
    seeds = list(range(40))
    assert_engines_agree(scenario, "shuttle", strategies, seeds, uncertain=False)
    rows = run_batch(scenario, "shuttle", strategies, seeds, force_direct=True)
    lost = [row for row in rows if row["reason"] == ACCEPTANCE_LOST_REASON]
    last_resend = [max(resends(scenario, row["seed"])) for row in lost]
    assert any(row["time_hours"] > resent for row, resent in zip(lost, last_resend, strict=True)), (
        "no acceptance was lost after its last resend left: the case is not exercised"
    )


def resends(scenario: Scenario, seed: int) -> list[float]:
    """When each attempt at the acceptance left, from the step engine's transcript."""
    options = RunOptions(
        protocol="shuttle", strategies={"a": "boulware", "b": "boulware"}, force_direct=True
    )
    transcript = run_negotiation(scenario, replace(options, seed=seed))
    details = next(e.details for e in transcript.events if e.kind == "undelivered")
    timeout = scenario.channel.timeout_hours
    return [details["sent_at_hours"] + k * timeout for k in range(details["attempts"])]
