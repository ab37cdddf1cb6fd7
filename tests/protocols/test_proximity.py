"""Proximity rounds in every protocol: messages move only inside sessions, several exchanges
happen in one, a message sent between sessions waits, and the transcript shows each session."""

from __future__ import annotations

import pytest
import yaml

from backchannel.experiments.batch.run import why_not_batch
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.report.describe import describe_event
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.schema import ScenarioSpec

HARD = {"a": "hardliner", "b": "hardliner"}  # never agree: the schedule alone sets the times


def split(fixtures, after_last: str | None = None, every: float | None = None, **negotiation):
    """The pie split with a route 'rounds': sessions 10:00-14:00 on days 1 and 3, a relay of
    one hour, delegations answering in half an hour in session (a day outside)."""
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    sessions = {
        "relay_hours": 1,
        "response_hours": 0.5,
        "schedule": [
            {"day": 1, "hour": 10, "length_hours": 4},
            {"day": 3, "hour": 10, "length_hours": 4},
        ],
    }
    if after_last is not None:
        sessions["after_last"] = after_last
    if every is not None:
        sessions["then_every_days"] = every
    data["channel"]["routes"] = {"rounds": {"via": ["broker"], "sessions": sessions}}
    data["negotiation"].update({"response_hours": 24, **negotiation})
    return compile_spec(ScenarioSpec.model_validate(data))


def run(scenario, protocol: str = "shuttle", strategies=None, seed: int = 0):
    options = RunOptions(
        protocol=protocol, via=("rounds",), strategies=strategies or HARD, seed=seed
    )
    return run_negotiation(scenario, options)


def test_offers_arrive_at_the_hand_computed_hours(fixtures) -> None:
    transcript = run(split(fixtures, after_last="nothing"))
    offers = [(e.sender, e.time_hours) for e in transcript.of_kind("offer")]
    # a proposes at 0, which waits for session 1 (34-38): relayed 34-35, b answers at 35.5;
    # b's counter 35.5-36.5, a answers 37; a's 37-38 fits exactly, b answers 38.5; b's counter
    # waits for session 2 (82-86): 82-83, a answers 83.5; 83.5-84.5; 85-86; then nothing.
    assert offers == [
        ("a", 35.0),
        ("b", 36.5),
        ("a", 38.0),
        ("b", 83.0),
        ("a", 84.5),
        ("b", 86.0),
    ]
    answers = [e.time_hours for e in transcript.of_kind("reject")]
    assert answers == [35.5, 37.0, 38.5, 83.5, 85.0, 86.5]
    sessions = [(e.details["number"], e.time_hours) for e in transcript.of_kind("session")]
    assert sessions == [(1, 34.0), (2, 82.0)]
    # after the last session nothing arrives: a's offer of 86.5 is void at the deadline
    result = transcript.result
    assert result.time_hours == 240.0 and "in transit" in result.reason
    expired = transcript.of_kind("expired")
    assert len(expired) == 1 and expired[0].details["would_arrive_at_hours"] is None


def test_after_the_last_session_the_channel_goes_back_to_trips(fixtures) -> None:
    transcript = run(split(fixtures, after_last="trips"))
    offers = [e.time_hours for e in transcript.of_kind("offer")]
    # a's offer of 86.5 goes by the broker's 12-hour trip; b answers a day later (no session)
    assert offers[:7] == [35.0, 36.5, 38.0, 83.0, 84.5, 86.0, 98.5]
    assert transcript.of_kind("reject")[6].time_hours == 122.5


def test_repeated_sessions_carry_on_until_the_deadline(fixtures) -> None:
    transcript = run(split(fixtures, every=2.0))
    numbers = [e.details["number"] for e in transcript.of_kind("session")]
    assert numbers == [1, 2, 3, 4, 5]  # days 1 and 3, then every 2 days: 5, 7, 9 (deadline 10)
    opened = [e.time_hours for e in transcript.of_kind("session")]
    assert opened == [34.0, 82.0, 130.0, 178.0, 226.0]


def in_a_session(hours: float) -> bool:
    return any(start <= hours <= start + 4 for start in (34.0, 82.0))


@pytest.mark.parametrize("protocol", ["shuttle", "single-text", "confidential"])
def test_in_every_protocol_messages_arrive_only_inside_sessions(fixtures, protocol) -> None:
    strategies = None if protocol == "shuttle" else {"a": "linear", "b": "linear"}
    transcript = run(split(fixtures, after_last="nothing"), protocol, strategies)
    arrivals = [
        e.time_hours
        for e in transcript.events
        if e.kind in ("offer", "draft", "amendment", "proposal", "answer", "confide", "acceptance")
    ]
    assert arrivals and all(in_a_session(t) for t in arrivals), arrivals
    assert transcript.of_kind("session")
    times = [e.time_hours for e in transcript.events]
    assert times == sorted(times) and max(times) <= 240.0


def test_without_sessions_the_same_route_goes_trip_by_trip(fixtures) -> None:
    scenario = split(fixtures)
    plain = run_negotiation(scenario, RunOptions(protocol="shuttle", strategies=HARD))
    assert [e.time_hours for e in plain.of_kind("offer")][:2] == [12.0, 48.0]
    assert not plain.of_kind("session")


def test_the_batch_engine_leaves_a_session_route_to_the_step_engine(fixtures) -> None:
    scenario = split(fixtures)
    assert "proximity sessions" in why_not_batch(scenario, "shuttle", HARD, via=("rounds",))
    assert why_not_batch(scenario, "shuttle", HARD) is None


def test_the_account_says_when_a_session_opens(fixtures) -> None:
    scenario = split(fixtures, after_last="nothing")
    transcript = run(scenario)
    event = transcript.of_kind("session")[0]
    names = {p.id: p.name for p in scenario.parties}
    line = describe_event(scenario, names, event, {})
    assert "rounds: session 1 opens[/] at 10:00 for 4 hours" in line
