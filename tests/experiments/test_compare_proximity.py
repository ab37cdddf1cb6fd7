"""``compare`` sets shuttle-by-trip against proximity rounds: a route that runs in sessions is
an arm like any other (``shuttle@ROUTE``), played on the same draws and seeds."""

from __future__ import annotations

import yaml

from backchannel.experiments.compare import CompareSettings, parse_arms, run_comparison
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.schema import ScenarioSpec


def split_with_rounds(fixtures):
    """The pie split (12-hour trips, a day to answer) with a route 'rounds': a four-hour
    session every two days, one-hour relays, half an hour to answer in session."""
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    sessions = {
        "relay_hours": 1,
        "response_hours": 0.5,
        "schedule": [{"day": 1, "hour": 10, "length_hours": 4}],
        "then_every_days": 2,
    }
    data["channel"]["routes"] = {"rounds": {"via": ["broker"], "sessions": sessions}}
    data["negotiation"]["response_hours"] = 24
    return compile_spec(ScenarioSpec.model_validate(data))


def test_compare_plays_trips_against_proximity_rounds(fixtures) -> None:
    scenario = split_with_rounds(fixtures)
    settings = CompareSettings(parse_arms("shuttle,shuttle@rounds", scenario), runs=4, seed=1)
    comparison = run_comparison(scenario, settings)
    rows = comparison.rows
    assert [r["arm"] for r in rows[:2]] == ["shuttle", "shuttle@rounds"]
    trips = [r for r in rows if r["arm"] == "shuttle"]
    rounds = [r for r in rows if r["arm"] == "shuttle@rounds"]
    assert len(trips) == len(rounds) == 4
    assert {r["engine"] for r in trips} == {"batch"} and {r["engine"] for r in rounds} == {"step"}
    # Several exchanges a session: more rounds in the same ten days, and here a deal that
    # trip-by-trip talks (12 h a trip, a day to answer) do not reach before the deadline.
    assert all(p["rounds"] > t["rounds"] for t, p in zip(trips, rounds, strict=True))
    assert all(p["agreed"] and not t["agreed"] for t, p in zip(trips, rounds, strict=True))
    # each arm's row is the run the step engine plays with that arm's route and seed
    for row in rounds:
        options = RunOptions(protocol="shuttle", via=("rounds",), seed=row["seed"])
        result = run_negotiation(scenario, options).result
        assert (result.agreement, result.rounds, result.time_hours) == (
            row["agreement"],
            row["rounds"],
            row["time_hours"],
        )
