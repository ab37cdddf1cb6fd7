"""Invariants every negotiation keeps, over random scenarios and every protocol, strategy,
mediator and channel (lossy, noisy, lognormal delays, timelines, ratifiers):

- times in the transcript never decrease, and nothing happens after the deadline;
- the talks end with one final event, stamped when they ended, at the latest event's time;
- a message void at the deadline is recorded as ``expired``, at the time the talks ended;
- an agreement leaves every party at or above its walk-away value, or says who it does not;
- ``whatif --set`` reaches the runs: a draw moves with the value that was set.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.agents.mediators import mediator_names
from backchannel.agents.registry import strategy_names
from backchannel.experiments.uncertainty import draw_scenario
from backchannel.protocols.deadline import IN_TRANSIT
from backchannel.protocols.registry import get_protocol
from backchannel.protocols.runner import PROTOCOLS, RunOptions, run_negotiation
from backchannel.scenario.at_time import state_at
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec

START = dt.date(2026, 1, 1)
ENDINGS = ("agreement", "breakdown")


@st.composite
def hops(draw: st.DrawFn, issue_ids: list[str]) -> list[dict]:
    """One or two intermediaries: fixed or lognormal delays, maybe lossy, maybe noisy."""
    result = []
    for k in range(draw(st.integers(1, 2))):
        hop: dict = {"id": f"h{k}"}
        if draw(st.booleans()):
            hop["delay"] = {
                "distribution": "lognormal",
                "median": draw(st.sampled_from([2.0, 12.0])),
                "sigma": draw(st.sampled_from([0.3, 1.0])),
            }
        else:
            hop["delay_hours"] = draw(st.sampled_from([0.0, 3.0, 20.0]))
        hop["loss"] = draw(st.sampled_from([0.0, 0.0, 0.2, 0.6]))
        hop["leak"] = draw(st.sampled_from([0.0, 0.3]))
        if draw(st.booleans()):
            hop["fidelity"] = [
                draw(
                    st.sampled_from(
                        [
                            {"kind": "noise", "probability": 0.4},
                            {"kind": "blur", "issue": issue_ids[0], "probability": 0.5},
                        ]
                    )
                )
            ]
        result.append(hop)
    return result


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    count = draw(st.integers(1, 3))
    issues = [
        {"id": f"d{k}", "options": [f"o{j}" for j in range(draw(st.integers(2, 4)))]}
        for k in range(count)
    ]
    decimals = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 1.0])
    parties = []
    for pid in ("a", "b"):
        raw = [draw(st.integers(1, 5)) for _ in issues]
        party: dict = {
            "id": pid,
            "strategy": "linear",
            "reservation": draw(st.sampled_from([0.0, 0.2, 0.4, 0.6])),
            "time_discount": draw(st.sampled_from([1.0, 0.99, 0.9])),
            "preferences": {
                "weights": {i["id"]: w / sum(raw) for i, w in zip(issues, raw, strict=True)},
                "values": {i["id"]: {o: draw(decimals) for o in i["options"]} for i in issues},
            },
        }
        if draw(st.integers(0, 3)) == 0:
            party["ratifier"] = {
                "name": "home",
                "threshold": draw(st.sampled_from([0.0, 0.4])),
                "decision_hours": draw(st.sampled_from([0.0, 30.0])),
            }
        parties.append(party)
    channel_hops = draw(hops([i["id"] for i in issues]))
    data: dict = {
        "name": "random",
        "issues": issues,
        "parties": parties,
        "channel": {
            "direct_delay_hours": draw(st.sampled_from([0.0, 1.0, 6.0])),
            "intermediaries": channel_hops,
            "default_route": channel_hops[0]["id"],
            "routes": {"chain": [h["id"] for h in channel_hops]},
        },
        "negotiation": {
            "deadline_days": draw(st.sampled_from([0.5, 2.0, 7.0])),
            "max_rounds": draw(st.integers(1, 30)),
            "first_mover": draw(st.sampled_from(["a", "b"])),
            "response_hours": draw(st.sampled_from([0.0, 2.0, 9.0])),
        },
    }
    if draw(st.booleans()):
        data["timeline"] = {
            "start": START,
            "events": [
                {
                    "id": "shock",
                    "date": START + dt.timedelta(days=draw(st.integers(0, 5))),
                    "lasts_days": draw(st.sampled_from([0.5, 3.0])),
                    "effects": [
                        draw(
                            st.sampled_from(
                                [
                                    {"party": "a", "reservation": 0.3, "deadline_days": -1.0},
                                    {"party": "b", "reservation": -0.2},
                                    {"intermediary": channel_hops[0]["id"], "suspended": True},
                                    {"intermediary": channel_hops[0]["id"], "delay_hours": 30},
                                ]
                            )
                        )
                    ],
                }
            ],
        }
    return compile_spec(ScenarioSpec.model_validate(data))


@st.composite
def runs(draw: st.DrawFn) -> tuple[Scenario, RunOptions]:
    scenario = draw(scenarios())
    protocol = draw(st.sampled_from(PROTOCOLS))
    names = strategy_names()
    mediator = None
    if protocol != "direct":
        mediator = draw(st.sampled_from(mediator_names(get_protocol(protocol).mediators)))
    options = RunOptions(
        protocol=protocol,
        via=(draw(st.sampled_from(["h0", "chain"])),) if protocol != "direct" else (),
        strategies={"a": draw(st.sampled_from(names)), "b": draw(st.sampled_from(names))},
        seed=draw(st.integers(0, 2**16)),
        force_direct=True,
        mediator=mediator,
    )
    return scenario, options


@settings(
    max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(runs())
def test_every_transcript_keeps_the_invariants(case: tuple[Scenario, RunOptions]) -> None:
    scenario, options = case
    transcript = run_negotiation(scenario, options)
    result = transcript.result
    assert result is not None
    events = transcript.events
    times = [event.time_hours for event in events]
    deadline = scenario.deadline_days * 24
    # times never decrease; nothing after the deadline
    assert times == sorted(times), [(e.kind, e.time_hours) for e in events]
    assert max(times) <= deadline, [(e.kind, e.time_hours, e.round) for e in events][-8:]
    # one ending, last, stamped when the talks ended
    assert [e.kind in ENDINGS for e in events].count(True) == 1
    assert events[-1].kind in ENDINGS and events[-1].time_hours == result.time_hours
    assert result.time_hours == max(times)
    # a void message is said, and only the ending (and timeline moves) can follow it
    expired = [k for k, e in enumerate(events) if e.kind == "expired"]
    if result.reason == IN_TRANSIT:
        assert expired
    for k in expired:
        assert events[k].time_hours == result.time_hours
    # at or above every walk-away value, or flagged
    if result.agreement is not None:
        parties = (
            state_at(scenario.timeline, scenario, result.time_hours).parties
            if scenario.timeline is not None
            else scenario.parties
        )
        below = {p.id for p in parties if result.payoffs[p.id] < p.reservation - 1e-12}
        assert below == set(result.below_walkaway)
        assert events[-1].details.get("below_walkaway", []) == list(result.below_walkaway)
    else:
        assert result.below_walkaway == ()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    stated=st.sampled_from([0.2, 0.4, 0.5]),
    target=st.floats(0.0, 1.0),
    sd=st.sampled_from([0.0, 0.05, 0.2]),
    seed=st.integers(0, 2**16),
)
def test_set_always_reaches_the_draws(stated: float, target: float, sd: float, seed: int) -> None:
    """A draw around a value that ``--set`` changed is the same draw, moved by the change."""
    data = {
        "name": "set",
        "issues": [{"id": "x", "options": ["p", "q"]}],
        "parties": [
            {
                "id": pid,
                "reservation": stated,
                "preferences": {"weights": {"x": 1.0}, "values": {"x": {"p": 0.0, "q": 1.0}}},
            }
            for pid in ("a", "b")
        ],
        "channel": {"direct_delay_hours": 1.0},
        "uncertainty": {"parties": {"a": {"reservation": {"distribution": "normal", "sd": sd}}}},
    }
    scenario = compile_spec(ScenarioSpec.model_validate(data))
    changed = scenario.with_party("a", reservation=target)
    base = draw_scenario(scenario, np.random.default_rng(seed)).party("a").reservation
    moved = draw_scenario(changed, np.random.default_rng(seed)).party("a").reservation
    unclipped = np.random.default_rng(seed).normal(stated, sd)
    expected = float(np.clip(unclipped + (target - stated), 0.0, 1.0))
    assert moved == np.float64(expected) or abs(moved - expected) < 1e-12
    if 0.0 < unclipped < 1.0 and 0.0 < expected < 1.0:
        assert abs((moved - base) - (target - stated)) < 1e-12
