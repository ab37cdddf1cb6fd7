"""Proximity sessions: exact arrival times on hand-computed schedules, and the properties every
schedule keeps (never before sending, never in a gap, in order)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.channel.route import Hop, Route
from backchannel.channel.sessions import Sessions

# Two sessions: hours 10-14 and 30-34; a relay takes one hour.
TWO = Sessions("talks", [10.0, 30.0], [14.0, 34.0], relay_hours=1.0, after_last="nothing")


@pytest.mark.parametrize(
    ("sent", "arrives", "session"),
    [
        (0.0, 11.0, 1),  # before the first session: waits for it to open
        (10.0, 11.0, 1),  # at the opening
        (12.5, 13.5, 1),  # inside: relayed at once
        (13.0, 14.0, 1),  # the last relay that fits ends as the session closes
        (13.5, 31.0, 2),  # too late to fit: waits for the next session
        (20.0, 31.0, 2),  # in the gap
        (33.0, 34.0, 2),
    ],
)
def test_a_relay_is_timed_by_the_schedule(sent: float, arrives: float, session: int) -> None:
    relay = TWO.relay(sent)
    assert relay.ends_at_hours == arrives and relay.session == session
    delivery = Route((Hop("oman", 72.0),), sessions=TWO).transmit(4, sent, np.random.default_rng())
    assert delivery.arrives_at_hours == arrives and delivery.delivered == 4
    assert [u.number for u in delivery.sessions] == [session]
    assert delivery.passages[0].entered_at_hours == sent


def test_after_the_last_session_nothing_arrives_or_trips_resume() -> None:
    rng = np.random.default_rng(0)
    never = Route((Hop("oman", 72.0),), sessions=TWO).transmit(1, 33.5, rng)
    assert never.arrives_at_hours == math.inf and never.sessions == ()
    trips = Sessions("talks", [10.0, 30.0], [14.0, 34.0], relay_hours=1.0, after_last="trips")
    again = Route((Hop("oman", 72.0),), sessions=trips).transmit(1, 33.5, rng)
    assert again.arrives_at_hours == 33.5 + 72.0 and again.sessions == ()


def test_each_hop_is_a_relay_of_its_own() -> None:
    route = Route((Hop("qatar", 96.0), Hop("oman", 72.0)), sessions=TWO)
    delivery = route.transmit(2, 12.0, np.random.default_rng())
    # qatar relays 12-13, oman 13-14: both in session 1
    assert [(p.entered_at_hours, p.left_at_hours) for p in delivery.passages] == [
        (12.0, 13.0),
        (13.0, 14.0),
    ]
    late = route.transmit(2, 12.5, np.random.default_rng())
    # qatar 12.5-13.5; oman cannot finish by 14, so it relays when session 2 opens
    assert late.arrives_at_hours == 31.0 and [u.number for u in late.sessions] == [1, 2]


def test_sessions_repeat_at_the_declared_interval() -> None:
    weekly = Sessions("w", [10.0], [14.0], relay_hours=1.0, every_hours=168.0)
    assert weekly.relay(13.5) == (178.0, 179.0, 2)
    assert weekly.relay(178.0 + 3.5) == (346.0, 347.0, 3)
    assert weekly.session(4) == (10.0 + 3 * 168.0, 14.0 + 3 * 168.0)
    assert weekly.open_at(12.0) == 1 and weekly.open_at(180.0) == 2 and weekly.open_at(100) is None


def test_inside_a_session_a_delegation_answers_in_the_session_time() -> None:
    sessions = Sessions("s", [10.0], [14.0], relay_hours=1.0, response_hours=0.5)
    route = Route((Hop("oman", 72.0),), sessions=sessions)
    assert route.answered_at(11.0, 24.0) == 11.5  # in session
    assert route.answered_at(20.0, 24.0) == 44.0  # outside: the scenario's response time
    assert Route((Hop("oman", 72.0),)).answered_at(11.0, 24.0) == 35.0


def test_a_session_schedule_draws_like_a_trip() -> None:
    """Loss, distortion and leaks draw the same numbers; only the times differ."""
    hop = Hop("oman", 72.0, loss=0.3, leak=0.2)
    trip = Route((hop,), timeout_hours=5.0).transmit(1, 0.0, np.random.default_rng(7))
    rounds = Route((hop,), timeout_hours=5.0, sessions=TWO).transmit(
        1, 0.0, np.random.default_rng(7)
    )
    assert [(p.lost, p.leaked) for p in trip.passages] == [
        (p.lost, p.leaked) for p in rounds.passages
    ]


@pytest.mark.parametrize(
    ("opens", "closes", "relay", "every", "words"),
    [
        ([10.0, 12.0], [14.0, 16.0], 1.0, None, "overlap"),
        ([10.0], [10.5], 1.0, None, "as long as one relay"),
        ([10.0], [14.0], 1.0, 2.0, "repeated sessions"),
        ([], [], 1.0, None, "at least one session"),
    ],
)
def test_an_impossible_schedule_is_refused(opens, closes, relay, every, words) -> None:
    with pytest.raises(ValueError, match=words):
        Sessions("bad", opens, closes, relay_hours=relay, every_hours=every)


@st.composite
def schedules(draw: st.DrawFn) -> Sessions:
    relay = draw(st.floats(0.0, 5.0))
    count = draw(st.integers(1, 6))
    opens, closes, t = [], [], draw(st.floats(0.0, 50.0))
    for _ in range(count):
        t += draw(st.floats(0.0, 100.0))
        length = relay + draw(st.floats(0.0, 10.0))
        opens.append(t)
        closes.append(t + length)
        t += length
    every = draw(st.one_of(st.none(), st.floats(closes[-1] - opens[-1] + 0.5, 300.0)))
    after = draw(st.sampled_from(["trips", "nothing"]))
    return Sessions("p", opens, closes, relay_hours=relay, every_hours=every, after_last=after)


@settings(max_examples=300, deadline=None)
@given(schedules(), st.lists(st.floats(0.0, 2000.0), min_size=2, max_size=8))
def test_arrival_is_never_before_sending_never_in_a_gap_and_monotone(
    sessions: Sessions, sent: list[float]
) -> None:
    sent = sorted(sent)
    relays = [sessions.relay(t) for t in sent]
    for t, relay in zip(sent, relays, strict=True):
        if relay.session is None:
            assert sessions.every_hours is None and relay.ends_at_hours == math.inf
            continue
        opens, closes = sessions.session(relay.session)
        assert relay.begins_at_hours >= t  # never before it was sent
        # relayed wholly inside one session, so it never arrives in a gap
        assert opens - 1e-9 <= relay.begins_at_hours and relay.ends_at_hours <= closes + 1e-9
        assert relay.ends_at_hours - relay.begins_at_hours == pytest.approx(sessions.relay_hours)
        assert sessions.open_at(relay.ends_at_hours) is not None
        # the first session it fits in: no earlier session could have taken it
        for earlier in range(1, relay.session):
            e_open, e_close = sessions.session(earlier)
            assert max(e_open, t) + sessions.relay_hours > e_close - 1e-9
    ends = [r.ends_at_hours for r in relays]
    assert ends == sorted(ends)  # a later message never arrives first
