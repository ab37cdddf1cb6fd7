"""The clock skips recomputing when nothing can move, and gives what a fresh look would."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.protocols.clock import TimelineClock
from backchannel.scenario.at_time import state_at
from backchannel.scenario.loader import load_scenario

PRESSURE = load_scenario(Path(__file__).parents[1] / "timeline" / "pressure.yaml")
FLAGSHIP = load_scenario("iran-us-2025")
DAY = 24.0


@settings(max_examples=80, deadline=None)
@given(
    flagship=st.booleans(),
    hours=st.lists(st.floats(0.0, 200 * DAY), min_size=1, max_size=12),
    sorted_hours=st.booleans(),
)
def test_the_clock_stands_where_a_fresh_look_would(flagship, hours, sorted_hours) -> None:
    scenario = FLAGSHIP if flagship else PRESSURE
    clock = TimelineClock(scenario.timeline, scenario)
    for hour in sorted(hours) if sorted_hours else hours:  # talks may end back at the deadline
        clock.advance(hour)
        fresh = state_at(scenario.timeline, scenario, hour)
        assert clock.situation == fresh


def test_a_strike_and_an_ultimatum_are_reported_when_they_happen() -> None:
    clock = TimelineClock(PRESSURE.timeline, PRESSURE)
    moments = [0.5 * DAY * k for k in range(1, 20)]
    reported = {hour: [c.target for c in clock.advance(hour)] for hour in moments}
    strike = [hour for hour, targets in reported.items() if ("hop", "broker") in targets]
    assert strike == [2 * DAY, 4 * DAY]  # the strike starts on day 2 and ends two days later
    assert ("party", "b") in reported[5 * DAY]  # the ultimatum of day 5
