"""The compiled timeline: the day the clock starts, events and indicators (immutable)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from backchannel.timeline.events import HOURS_PER_DAY, TimedEvent, date_after, hours_between
from backchannel.timeline.indicators import Indicator


@dataclass(frozen=True, eq=False)
class Timeline:
    """Pressure over time. The scenario's own numbers describe the day the clock starts;
    the timeline says how they move from there (and, for plots, how they got there)."""

    start: dt.date
    events: tuple[TimedEvent, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    illustrative: bool = False

    def hours_of(self, when: dt.date) -> float:
        return hours_between(self.start, when)

    def date_at(self, hours: float) -> dt.date:
        return date_after(self.start, hours)

    def event(self, event_id: str) -> TimedEvent:
        for event in self.events:
            if event.id == event_id:
                return event
        known = ", ".join(e.id for e in self.events) or "none declared"
        raise KeyError(f"no timeline event '{event_id}' (known: {known})")

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        known = ", ".join(i.id for i in self.indicators) or "none declared"
        raise KeyError(f"no timeline indicator '{indicator_id}' (known: {known})")

    def with_event_date(self, event_id: str, when: dt.date | None) -> Timeline:
        """A copy in which the event happens on ``when`` (or never, for ``None``)."""
        target = self.event(event_id)
        events = tuple(replace(e, date=when) if e is target else e for e in self.events)
        return replace(self, events=events)

    def with_indicator_reaching(self, indicator_id: str, value: float, days: float) -> Timeline:
        """A copy in which the indicator moves in a straight line from its value on the start
        day to ``value`` after ``days`` days (and stays there)."""
        target = self.indicator(indicator_id)
        now = float(target.value_at(self.start, 0.0))
        dates = (self.start, self.start + dt.timedelta(days=max(round(days), 1)))
        changed = target.with_path(dates, np.array([now, value]))
        indicators = tuple(changed if i is target else i for i in self.indicators)
        return replace(self, indicators=indicators)

    def scheduled_hours(self) -> list[tuple[TimedEvent, float]]:
        """Scheduled events with their simulated hour, in date order."""
        dated = [(e, self.hours_of(e.date)) for e in self.events if e.date is not None]
        return sorted(dated, key=lambda pair: pair[1])

    def edge_hours(self) -> list[float]:
        """The simulated hours at which a scheduled event begins or ends, in order: between
        two of them, every event is either in force throughout or not at all."""
        edges = []
        for event, begins in self.scheduled_hours():
            edges.append(begins)
            if event.lasts_days:
                edges.append(begins + event.lasts_days * HOURS_PER_DAY)
        return sorted(edges)


def days(hours: float) -> float:
    return hours / HOURS_PER_DAY
