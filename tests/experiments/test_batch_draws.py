"""The batch engine draws leaks and breakdowns exactly as the step engine does: on random
scenarios with leaky hops, a price of leaks and a breakdown hazard (with and without a
timeline and drawn weights), run by run the same rows as the step-by-step engine."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.experiments.test_batch_exact import BATCHABLE, assert_engines_agree, scenarios
from tests.protocols.mediation_scenarios import leakier_from, split_with

from backchannel.experiments.batch.draws import RunDraws
from backchannel.experiments.batch.run import run_batch
from backchannel.randomness import lazy_rng
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec
from backchannel.timeline.effects import DIRECT_LINE


@st.composite
def risky(draw: st.DrawFn, uncertain: bool, timed: bool) -> Scenario:
    """A random scenario whose broker (and sometimes a second one) leaks, whose parties pay
    for leaks, and which often declares a breakdown hazard."""
    base = draw(scenarios(uncertain, timed))
    spec = base.spec.model_dump(mode="json", exclude_none=True)
    broker = spec["channel"]["intermediaries"][0]
    broker["leak"] = draw(st.sampled_from([0.2, 0.5, 1.0]))
    if draw(st.booleans()):  # a second hop on the route
        spec["channel"]["intermediaries"].append(
            {"id": "relay", "delay_hours": 1.5, "leak": draw(st.sampled_from([0.0, 0.3]))}
        )
        spec["channel"]["routes"] = {"pair": ["broker", "relay"]}
        spec["channel"]["default_route"] = "pair"
    for party in spec["parties"]:
        party["leak_cost"] = draw(st.sampled_from([0.0, 0.01, 0.05]))
    if draw(st.booleans()):
        hazard: dict = {
            "per_round": draw(st.sampled_from([0.0, 0.05, 0.3])),
            "per_day": draw(st.sampled_from([0.0, 0.02, 0.2])),
        }
        if draw(st.booleans()):
            hazard["payoffs"] = {"a": draw(st.sampled_from([0.0, 0.2]))}
        indicators = spec.get("timeline", {}).get("indicators", [])
        if indicators and draw(st.booleans()):
            hazard["indicator"] = indicators[0]["id"]
            hazard["per_unit"] = draw(st.sampled_from([0.1, 0.5]))
        spec["negotiation"]["breakdown"] = hazard
    return compile_spec(ScenarioSpec.model_validate(spec))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    protocol=st.sampled_from(["direct", "shuttle"]),
    names=st.tuples(st.sampled_from(BATCHABLE), st.sampled_from(BATCHABLE)),
    uncertain=st.booleans(),
    timed=st.booleans(),
)
def test_leaks_and_breakdowns_equal_step_rows(data, protocol, names, uncertain, timed) -> None:
    scenario = data.draw(risky(uncertain, timed))
    strategies = {"a": names[0], "b": names[1]}
    seeds = [3, 1, 4, 1, 5, 9, 2, 6, 11, 12]
    assert_engines_agree(scenario, protocol, strategies, seeds, uncertain)


STRATEGIES = {"a": "boulware", "b": "boulware"}


def broker_made_leaky() -> Scenario:
    """A broker that starts without leaks and leaks every passage from day 2; party a pays
    for every leak."""
    return split_with(
        [{"id": "broker", "delay_hours": 12}],
        timeline=leakier_from("2026-01-02", 1.0),
        parties={"a": {"leak_cost": 0.01}},
    )


def without_leaks() -> Scenario:
    return split_with([{"id": "broker", "delay_hours": 12}], parties={"a": {"leak_cost": 0.01}})


def test_a_hop_the_timeline_makes_leaky_is_drawn_and_charged_alike() -> None:
    """Both engines draw for the broker from day 2 on and charge party a for every leak."""
    scenario = broker_made_leaky()
    assert_engines_agree(scenario, "shuttle", STRATEGIES, [1, 2, 3], uncertain=False)
    charged = run_batch(scenario, "shuttle", STRATEGIES, [1])[0]
    free = run_batch(without_leaks(), "shuttle", STRATEGIES, [1])[0]
    assert charged["payoff_a"] < free["payoff_a"]


def test_the_direct_line_never_leaks_even_if_a_timeline_says_so() -> None:
    """A scenario file cannot make the direct line leaky (the loader refuses it); a timeline
    built in code that does is ignored by both engines alike: nothing drawn, nothing charged."""
    scenario = broker_made_leaky()
    assert scenario.timeline is not None
    (event,) = scenario.timeline.events
    (effect,) = event.effects
    direct = replace(effect, target=("hop", DIRECT_LINE))
    timeline = replace(scenario.timeline, events=(replace(event, effects=(direct,)),))
    scenario = replace(scenario, timeline=timeline)
    assert_engines_agree(scenario, "direct", STRATEGIES, [1, 2, 3], uncertain=False)
    talked = run_batch(scenario, "direct", STRATEGIES, [1], force_direct=True)[0]
    quiet = run_batch(without_leaks(), "direct", STRATEGIES, [1], force_direct=True)[0]
    assert talked["payoff_a"] == quiet["payoff_a"]


def test_draws_follow_each_runs_stream_whatever_the_pace() -> None:
    """Runs that draw at different paces each get their own stream's numbers in order, past
    the first block."""
    seeds = [5, 7, 9]
    draws = RunDraws(seeds)
    got: dict[int, list[float]] = {0: [], 1: [], 2: []}
    for step in range(300):
        runs = np.array([r for r in range(3) if step % (r + 1) == 0])
        for run, value in zip(runs.tolist(), draws.take(runs).tolist(), strict=True):
            got[run].append(value)
    for run, seed in enumerate(seeds):
        stream = lazy_rng(seed, 0)
        assert got[run] == [stream.random() for _ in got[run]]
