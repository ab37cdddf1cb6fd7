"""The batch engine plays lossy channels exactly as the step engine does: on random scenarios
whose intermediaries lose (and leak) messages, with resends, timeouts, a give-up after a number
of attempts, timelines, drawn weights and breakdown hazards, run by run the same rows."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.experiments.test_batch_draws import risky
from tests.experiments.test_batch_exact import BATCHABLE, assert_engines_agree

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
