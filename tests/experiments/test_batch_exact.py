"""The batch engine is exact: on random scenarios and strategy pairs, with and without a
timeline that moves the parties and hops during the talks, it yields the same rows (agreement,
reason, rounds, times, utilities, payoffs) as the step-by-step engine."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.experiments.batch import batch_supported, run_batch
from backchannel.experiments.plan import job_rng
from backchannel.experiments.uncertainty import draw_scenario
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec

BATCHABLE = ("boulware", "linear", "conceder", "tit-for-tat", "hardliner")


@st.composite
def issues(draw: st.DrawFn) -> list[dict]:
    count = draw(st.integers(1, 3))
    result = []
    for k in range(count):
        if draw(st.booleans()):
            top = draw(st.integers(1, 9))
            result.append({"id": f"n{k}", "range": {"min": 0, "max": top, "step": 1}})
        else:
            size = draw(st.integers(2, 4))
            result.append({"id": f"d{k}", "options": [f"o{j}" for j in range(size)]})
    return result


@st.composite
def party(draw: st.DrawFn, pid: str, spec_issues: list[dict]) -> dict:
    weights = [draw(st.integers(1, 5)) for _ in spec_issues]
    values, red_lines = {}, []
    for issue in spec_issues:
        if "range" in issue:
            top = issue["range"]["max"]
            rising = draw(st.booleans())
            values[issue["id"]] = [[0, 0.0 if rising else 1.0], [top, 1.0 if rising else 0.0]]
        else:
            options = issue["options"]
            levels = draw(
                st.lists(
                    st.sampled_from([0.0, 0.25, 0.5, 1.0]),
                    min_size=len(options),
                    max_size=len(options),
                )
            )
            values[issue["id"]] = dict(zip(options, levels, strict=True))
            if draw(st.integers(0, 3)) == 0:
                red_lines.append({"issue": issue["id"], "options": [options[0]]})
    spec = {
        "id": pid,
        "strategy": draw(st.sampled_from(BATCHABLE)),
        "reservation": draw(st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7])),
        "preferences": {
            "weights": {
                i["id"]: w / sum(weights) for i, w in zip(spec_issues, weights, strict=True)
            },
            "values": values,
        },
        "red_lines": red_lines,
        "time_discount": draw(st.sampled_from([1.0, 0.99, 0.9])),
    }
    if draw(st.booleans()):
        spec["deadline_days"] = draw(st.sampled_from([1.0, 2.5, 6.0]))
    return spec


START = dt.date(2026, 1, 1)


@st.composite
def effect(draw: st.DrawFn) -> dict:
    """One party or hop effect, of every kind the step engine follows during the talks."""
    kind = draw(st.sampled_from(["party", "party", "hop"]))
    if kind == "hop":
        hop = draw(st.sampled_from(["broker", "direct"]))
        change = draw(st.sampled_from(["suspended", "delay_hours", "leak"]))
        if change == "suspended":
            return {"intermediary": hop, "suspended": True}
        if change == "leak":  # the direct line does not leak
            return {"intermediary": "broker", "leak": draw(st.sampled_from([-0.2, 0.3, 1.0]))}
        return {"intermediary": hop, "delay_hours": draw(st.sampled_from([-1.0, 3.0, 12.5]))}
    result: dict = {"party": draw(st.sampled_from(["a", "b"]))}
    numbers = {
        "reservation": [-0.2, -0.05, 0.1, 0.4],
        "deadline_days": [-5.0, -0.5, 2.0],
        "time_discount": [-0.05, -0.001],
        "direct_contact_cost": [0.05, 0.3],
    }
    for name in draw(st.sets(st.sampled_from(sorted(numbers)), min_size=1)):
        result[name] = draw(st.sampled_from(numbers[name]))
    if draw(st.integers(0, 3)) == 0:
        result["refuses_direct_talks"] = draw(st.booleans())
    return result


@st.composite
def timeline(draw: st.DrawFn) -> dict:
    """Events dated before and inside the negotiation window, some lasting a while, and an
    indicator whose moves shift the parties continuously."""
    events = []
    for k in range(draw(st.integers(1, 4))):
        event: dict = {
            "id": f"e{k}",
            "date": START + dt.timedelta(days=draw(st.integers(-3, 8))),
            "effects": draw(st.lists(effect(), min_size=1, max_size=2)),
        }
        if draw(st.booleans()):
            event["lasts_days"] = draw(st.sampled_from([0.5, 1.0, 3.0]))
        events.append(event)
    block: dict = {"start": START, "events": events}
    if draw(st.booleans()):
        points = [
            (START + dt.timedelta(days=d), draw(st.sampled_from([0.0, 0.3, 1.0])))
            for d in (-1, 2, 5)
        ]
        block["indicators"] = [
            {
                "id": "pressure",
                "points": points,
                "effects": [
                    {"party": draw(st.sampled_from(["a", "b"])), "reservation": -0.2},
                    {"party": "b", "time_discount": -0.01},
                ],
            }
        ]
    return block


@st.composite
def scenarios(draw: st.DrawFn, uncertain: bool = False, timed: bool = False) -> Scenario:
    spec_issues = draw(issues())
    data = {
        "name": "random",
        "issues": spec_issues,
        "parties": [draw(party("a", spec_issues)), draw(party("b", spec_issues))],
        "channel": {
            "direct_delay_hours": draw(st.sampled_from([0.5, 1.0, 3.0])),
            "default_route": "broker",
            "intermediaries": [{"id": "broker", "delay_hours": draw(st.sampled_from([2, 7.5]))}],
        },
        "negotiation": {
            "deadline_days": draw(st.sampled_from([1.0, 3.0, 10.0])),
            "max_rounds": draw(st.integers(1, 40)),
            "first_mover": draw(st.sampled_from(["a", "b"])),
            "response_hours": draw(st.sampled_from([0.0, 1.0, 5.0])),
        },
    }
    if uncertain:
        data["uncertainty"] = draw(uncertainty())
    if timed:
        data["timeline"] = draw(timeline())
        for spec in data["parties"]:  # the step engine reports deadline moves of own deadlines
            spec.setdefault("deadline_days", draw(st.sampled_from([2.0, 6.0, 12.0])))
    return compile_spec(ScenarioSpec.model_validate(data))


@st.composite
def uncertainty(draw: st.DrawFn) -> dict:
    """Uncertain reservation values, often one or both sides' weights (every run then
    chooses its offers from its own utilities), and the hops' delays."""
    block: dict = {
        "parties": {
            "a": {"reservation": {"distribution": "uniform", "low": 0.0, "high": 0.6}},
            "b": {"reservation": {"distribution": "normal", "sd": 0.1}},
        },
        "intermediaries": {
            "broker": {"delay_hours": {"distribution": "uniform", "low": 1.0, "high": 9.0}}
        },
        "direct_delay_hours": {"distribution": "triangular", "low": 0.2, "high": 4.0},
    }
    for pid in draw(st.sets(st.sampled_from(["a", "b"]))):
        block["parties"][pid]["weights"] = {"concentration": draw(st.sampled_from([5.0, 20.0]))}
    return block


def drawn(scenario: Scenario, seed: int) -> Scenario:
    """A run's own scenario, drawn as experiments draw it."""
    return draw_scenario(scenario, job_rng(seed, 0))


def without_engine(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "engine"} for row in rows]


def assert_engines_agree(scenario, protocol, strategies, seeds, uncertain: bool) -> None:
    """The batch engine covers these settings and plays every seed to the step engine's row."""
    assert batch_supported(scenario, protocol, strategies)
    common = {"force_direct": True, "draw": drawn if uncertain else None}
    batch = run_batch(scenario, protocol, strategies, seeds, **common)
    step = run_batch(scenario, protocol, strategies, seeds, engine="step", **common)
    assert {row["engine"] for row in batch} == {"batch"}
    assert {row["engine"] for row in step} == {"step"}
    assert without_engine(batch) == without_engine(step)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    protocol=st.sampled_from(["direct", "shuttle"]),
    names=st.tuples(st.sampled_from(BATCHABLE), st.sampled_from(BATCHABLE)),
    uncertain=st.booleans(),
    timed=st.booleans(),
)
def test_batch_rows_equal_step_rows(data, protocol, names, uncertain, timed) -> None:
    scenario = data.draw(scenarios(uncertain, timed))
    strategies = {"a": names[0], "b": names[1]}
    assert_engines_agree(scenario, protocol, strategies, [3, 1, 4, 1, 5, 9, 2, 6], uncertain)
