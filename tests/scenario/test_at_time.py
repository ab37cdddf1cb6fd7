from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from backchannel.scenario.at_time import held_until, reservations_over, state_at

DAY = 24.0


def test_numbers_describe_the_start_day(pressure) -> None:
    situation = state_at(pressure.timeline, pressure, 0.0)
    np.testing.assert_allclose(situation.reservations, [0.3, 0.3])
    assert situation.suspended == frozenset()


def test_event_steps_and_indicator_drift_in_closed_form(pressure) -> None:
    timeline = pressure.timeline
    # day 10: currency 0.30 (0.20 at start), a loses 0.5 per unit; b gains 0.2 from day 5
    situation = state_at(timeline, pressure, 10 * DAY)
    assert situation.party("a").reservation == pytest.approx(0.3 - 0.5 * 0.1)
    assert situation.party("b").reservation == pytest.approx(0.5)
    assert situation.in_force == ("ultimatum",)
    assert state_at(timeline, pressure, 4.9 * DAY).party("b").reservation == pytest.approx(0.3)


def test_history_before_the_start_is_undone(pressure) -> None:
    # 2025-12-01: currency at 0.10, so a's reservation was 0.05 higher
    before = state_at(pressure.timeline, pressure, -31 * DAY)
    assert before.party("a").reservation == pytest.approx(0.35)


def test_possible_event_happens_only_when_scheduled(pressure) -> None:
    timeline = pressure.timeline
    assert state_at(timeline, pressure, 15 * DAY).party("a").reservation == pytest.approx(
        0.3 - 0.5 * 0.15
    )
    scheduled = timeline.with_event_date("sanctions", dt.date(2026, 1, 11))
    assert state_at(scheduled, pressure, 15 * DAY).party("a").reservation == pytest.approx(
        0.3 - 0.5 * 0.15 - 0.1
    )
    cancelled = timeline.with_event_date("ultimatum", None)
    assert state_at(cancelled, pressure, 15 * DAY).party("b").reservation == pytest.approx(0.3)


def test_temporary_suspension_and_when_it_lifts(pressure) -> None:
    timeline = pressure.timeline  # broker suspended from day 2 for 2 days
    assert state_at(timeline, pressure, 3 * DAY).suspended == frozenset({"broker"})
    assert state_at(timeline, pressure, 4 * DAY).suspended == frozenset()
    assert held_until(timeline, "broker", 2.5 * DAY) == pytest.approx(4 * DAY)
    assert held_until(timeline, "broker", 1 * DAY) == pytest.approx(1 * DAY)
    assert held_until(timeline, "direct", 3 * DAY) == pytest.approx(3 * DAY)


def test_reservations_over_matches_state_at(pressure) -> None:
    hours = np.linspace(-40 * DAY, 30 * DAY, 29)
    curve = reservations_over(pressure.timeline, pressure, hours)
    pointwise = np.array([state_at(pressure.timeline, pressure, h).reservations for h in hours])
    np.testing.assert_allclose(curve, pointwise)


def test_numbers_stay_in_range(pressure) -> None:
    extreme = pressure.timeline.with_indicator_reaching("currency", 10.0, 10)
    assert state_at(extreme, pressure, 20 * DAY).party("a").reservation == 0.0


def test_indicator_override_is_a_straight_line_from_the_start_value(pressure) -> None:
    swept = pressure.timeline.with_indicator_reaching("currency", 0.6, 20)
    currency = swept.indicator("currency")
    assert currency.value_at(swept.start, 10 * DAY) == pytest.approx(0.4)
    assert state_at(swept, pressure, 20 * DAY).party("a").reservation == pytest.approx(0.1)
