"""Pressure over time: dated events and indicator series that move parties and channels.

``state_at(timeline, scenario, hours)`` gives the scenario as it stands at a simulated hour;
protocols follow a running negotiation with a :class:`TimelineClock`.
"""

from backchannel.timeline.apply import Situation, reservations_over, state_at
from backchannel.timeline.clock import Change, TimelineClock, timeline_event
from backchannel.timeline.model import Timeline

__all__ = [
    "Change",
    "Situation",
    "Timeline",
    "TimelineClock",
    "reservations_over",
    "state_at",
    "timeline_event",
]
