"""Route.transmit: delays add up, losses are re-sent after the timeout, draws follow the
documented order, sealed messages are never reworded."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.channel.delays import Delay, fixed
from backchannel.channel.fidelity import FidelityStep
from backchannel.channel.route import Hop, Route
from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace

SPACE = OutcomeSpace((NumericIssue.from_range("x", "x", 0, 10, 1),))


def test_fixed_hops_add_their_delays_and_draw_nothing() -> None:
    route = Route((Hop("qatar", 24.0), Hop("oman", 72.0)))
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    delivery = route.transmit(3, 10.0, rng)
    assert delivery.arrives_at_hours == 106.0 and delivery.delivered == 3
    assert delivery.via == ("qatar", "oman") and delivery.attempts == 1
    assert [p.carrier for p in delivery.passages] == ["qatar", "oman"]
    assert rng.bit_generator.state == state


def test_a_lost_message_is_resent_after_the_timeout() -> None:
    route = Route((Hop("oman", 10.0, loss=0.5),), timeout_hours=50.0)
    rng = np.random.default_rng(2)
    delivery = route.transmit(2, 0.0, rng)
    # Replay the documented draws: one loss draw per attempt until one survives.
    replay, attempts = np.random.default_rng(2), 1
    while replay.random() < 0.5:
        attempts += 1
    assert delivery.attempts == attempts > 1  # seed 2 loses twice
    assert delivery.departures == tuple(50.0 * k for k in range(attempts))
    assert delivery.arrives_at_hours == 50.0 * (attempts - 1) + 10.0
    assert [p.lost for p in delivery.passages] == [True] * (attempts - 1) + [False]


def test_default_timeout_is_twice_the_nominal_delay() -> None:
    assert Route((Hop("a", 30.0), Hop("b", 10.0))).timeout == 80.0
    assert Route((Hop("a", 0.0),)).timeout == 1.0


def test_a_message_lost_on_every_attempt_never_arrives() -> None:
    route = Route((Hop("oman", 10.0, loss=1.0),), timeout_hours=5.0, max_attempts=4)
    delivery = route.transmit(1, 0.0, np.random.default_rng(0))
    assert not delivery.arrived and delivery.delivered is None
    assert delivery.arrives_at_hours == math.inf and delivery.attempts == 4


def test_the_sender_gives_up_at_the_deadline() -> None:
    route = Route((Hop("oman", 10.0, loss=1.0),), timeout_hours=5.0, max_attempts=100)
    delivery = route.transmit(1, 0.0, np.random.default_rng(0), give_up_at_hours=12.0)
    assert delivery.departures == (0.0, 5.0, 10.0)


def test_stochastic_delay_is_shifted_by_a_changed_nominal_delay() -> None:
    delay = Delay("uniform", low=10, high=20)
    base = Route((Hop("oman", delay.mean, delay=delay),))
    slower = Route((Hop("oman", delay.mean + 100, delay=delay),))
    first = base.transmit(0, 0.0, np.random.default_rng(9)).arrives_at_hours
    second = slower.transmit(0, 0.0, np.random.default_rng(9)).arrives_at_hours
    assert second == first + 100 and 10 <= first <= 20


def test_distortion_is_recorded_per_hop_and_sealed_messages_pass_unchanged() -> None:
    rounding = (FidelityStep("round", issue=0, step=5.0),)
    route = Route((Hop("oman", 1.0, fidelity=rounding),), space=SPACE)
    delivery = route.transmit(SPACE.index({"x": 7}), 0.0, np.random.default_rng(0))
    assert SPACE.outcome(delivery.delivered)["x"] == 5.0 and delivery.changed
    assert delivery.passages[0].changes == ("round: x 7 -> 5",)
    sealed = route.transmit(SPACE.index({"x": 7}), 0.0, np.random.default_rng(0), sealed=True)
    assert sealed.delivered == sealed.sent and not sealed.passages[0].changes


def test_leaks_are_drawn_after_the_delay() -> None:
    route = Route((Hop("oman", 1.0, leak=0.3),))
    rng = np.random.default_rng(21)
    leaked = [route.transmit(0, 0.0, rng).passages[0].leaked for _ in range(200)]
    replay = np.random.default_rng(21)
    assert leaked == [bool(replay.random() < 0.3) for _ in range(200)]


@settings(max_examples=50, deadline=None)
@given(
    delays=st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=5),
    losses=st.lists(st.floats(0, 0.9), min_size=5, max_size=5),
    sent=st.floats(0, 1000, allow_nan=False),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_chain_obeys_the_resend_rule(
    delays: list[float], losses: list[float], sent: float, seed: int
) -> None:
    hops = tuple(
        Hop(f"h{k}", d, loss=loss) for k, (d, loss) in enumerate(zip(delays, losses, strict=False))
    )
    route = Route(hops, max_attempts=6)
    delivery = route.transmit(0, sent, np.random.default_rng(seed))
    assert 1 <= delivery.attempts <= 6
    assert delivery.departures == tuple(sent + k * route.timeout for k in range(delivery.attempts))
    if delivery.arrived:
        assert delivery.arrives_at_hours == pytest.approx(delivery.departures[-1] + sum(delays))
        assert [p.lost for p in delivery.passages].count(True) == delivery.attempts - 1
    else:
        assert delivery.attempts == 6 and delivery.arrives_at_hours == math.inf


@settings(max_examples=60, deadline=None)
@given(
    delays=st.lists(st.floats(0.0, 100.0), min_size=1, max_size=4),
    carriers=st.integers(0, 15),
    outcome=st.integers(0, 10),
    sent=st.floats(0.0, 1000.0),
    sealed=st.booleans(),
)
def test_the_shortcut_for_certain_routes_matches_the_general_passage(
    delays, carriers, outcome, sent, sealed
) -> None:
    hops = tuple(
        Hop(f"c{k}" if carriers >> k & 1 else None, delay, delay=fixed(delay) if k else None)
        for k, delay in enumerate(delays)
    )
    route = Route(hops, space=SPACE)
    assert route.certain and route.faithful
    rng = np.random.default_rng(0)
    general = route._through_hops(outcome, sent, rng, sealed, math.inf)
    assert route.transmit(outcome, sent, rng, sealed=sealed) == general
    assert rng.bit_generator.state == np.random.default_rng(0).bit_generator.state
