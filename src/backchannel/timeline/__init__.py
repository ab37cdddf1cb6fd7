"""Pressure over time as declared: dated events, indicator series and the effects they have.

The timeline is data. ``scenario.at_time.state_at(timeline, scenario, hours)`` applies it (the
scenario as it stands at a simulated hour); a running negotiation follows it with
``protocols.clock.TimelineClock``; ``analysis.window`` measures the deal window it leaves.
"""

from backchannel.timeline.model import Timeline

__all__ = ["Timeline"]
