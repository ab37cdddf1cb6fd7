"""Proximity rounds in a scenario file: a named route with a schedule of sessions compiles to
simulated hours, and every mistake is reported with its place and its fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from test_compile_channel import SPLIT

from backchannel.protocols.runner import RunOptions, RunRefused, route_for
from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.loader import load_scenario

BASE: dict[str, Any] = {**SPLIT, "timeline": {"start": "2026-01-01"}}
ROUNDS = {
    "via": ["broker"],
    "sessions": {
        "relay_hours": 1,
        "response_hours": 0.5,
        "schedule": [
            {"date": "2026-01-02", "hour": 10, "length_hours": 4},
            {"day": 3, "length_hours": 6},
        ],
        "then_every_days": 7,
    },
}


def scenario_file(tmp_path, rounds: dict[str, Any], timeline: bool = True) -> Any:
    data = copy.deepcopy(BASE)
    if not timeline:
        del data["timeline"]
    data["channel"] = {
        "intermediaries": [{"id": "broker", "delay_hours": 48}, {"id": "other"}],
        "routes": {"rounds": rounds, "plain": ["other"]},
    }
    path = tmp_path / "rounds.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def problem(tmp_path, rounds: dict[str, Any], timeline: bool = True) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario_file(tmp_path, rounds, timeline))
    return caught.value.render()


def test_a_schedule_compiles_to_hours_from_the_clock_start(tmp_path) -> None:
    scenario = load_scenario(scenario_file(tmp_path, ROUNDS))
    route = route_for(scenario, RunOptions(protocol="shuttle", via=("rounds",)))
    sessions = route.sessions
    assert sessions is not None and route.via == ("broker",)
    assert sessions.opens.tolist() == [34.0, 72.0] and sessions.closes.tolist() == [38.0, 78.0]
    assert sessions.every_hours == 168.0 and sessions.relay_hours == 1.0
    assert sessions.response_hours == 0.5 and sessions.after_last == "trips"
    plain = route_for(scenario, RunOptions(protocol="shuttle", via=("plain",)))
    assert plain.sessions is None  # other routes still go trip by trip


def with_sessions(**changes: Any) -> dict[str, Any]:
    rounds = copy.deepcopy(ROUNDS)
    rounds["sessions"].update(changes)
    return rounds


@pytest.mark.parametrize(
    ("rounds", "place", "words"),
    [
        (
            with_sessions(schedule=[{"date": "2025-12-30", "length_hours": 4}]),
            "channel.routes.rounds.sessions.schedule[0].date",
            "before the clock starts",
        ),
        (
            with_sessions(schedule=[{"day": 1, "length_hours": 30}, {"day": 2, "length_hours": 4}]),
            "channel.routes.rounds.sessions.schedule[1]",
            "list sessions in time order",
        ),
        (
            with_sessions(relay_hours=5, schedule=[{"day": 1, "length_hours": 4}]),
            "channel.routes.rounds.sessions.schedule[0].length_hours",
            "shorter than one relay",
        ),
        (
            with_sessions(then_every_days=0.1),
            "channel.routes.rounds.sessions.then_every_days",
            "would overlap",
        ),
        (
            with_sessions(after_last="nothing"),
            "channel.routes.rounds.sessions",
            "either 'then_every_days'",
        ),
        (
            with_sessions(schedule=[{"day": 1, "date": "2026-01-02", "length_hours": 4}]),
            "channel.routes.rounds.sessions.schedule[0]",
            "exactly one of 'date'",
        ),
        (
            with_sessions(after_last="wait"),
            "channel.routes.rounds.sessions.after_last",
            "'trips' or 'nothing'",
        ),
        ({**ROUNDS, "via": ["nowhere"]}, "channel.routes.rounds.via", "unknown intermediary"),
    ],
)
def test_a_mistake_in_a_schedule_names_its_place_and_fix(tmp_path, rounds, place, words) -> None:
    message = problem(tmp_path, rounds)
    assert place in message and words in message, message


def test_a_dated_session_needs_the_clock_start(tmp_path) -> None:
    message = problem(tmp_path, ROUNDS, timeline=False)
    assert "channel.routes.rounds.sessions.schedule[0].date" in message
    assert "declare timeline.start" in message


def test_two_routes_with_their_own_sessions_cannot_be_combined(tmp_path) -> None:
    data = copy.deepcopy(BASE)
    data["channel"] = {
        "intermediaries": [{"id": "broker"}, {"id": "other"}],
        "routes": {"rounds": ROUNDS, "more": {**ROUNDS, "via": ["other"]}},
    }
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data))
    scenario = load_scenario(path)
    with pytest.raises(RunRefused, match="combine at most one route that declares sessions"):
        route_for(scenario, RunOptions(protocol="shuttle", via=("rounds", "more")))
    both = route_for(scenario, RunOptions(protocol="shuttle", via=("rounds", "other")))
    assert both.via == ("broker", "other") and both.sessions is not None


def test_the_flagship_declares_the_2025_rounds_as_an_option() -> None:
    scenario = load_scenario("iran-us")
    default = route_for(scenario, RunOptions(protocol="shuttle"))
    assert default.sessions is None  # the default channel stays trip by trip
    rounds = route_for(scenario, RunOptions(protocol="shuttle", via=("rounds-2025",))).sessions
    assert rounds is not None and rounds.count == 5
    # 31 January 2026, 10:00, is day 11 of a clock that starts on 20 January
    assert rounds.opens[0] == 11 * 24 + 10 and rounds.closes[0] == 11 * 24 + 14
    gaps = (rounds.opens[1:] - rounds.opens[:-1]) / 24
    assert gaps.tolist() == [7, 7, 15, 12]  # the 2025 intervals
    assert rounds.every_hours == 240.0
