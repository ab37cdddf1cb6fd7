"""Dated events and the negotiation clock that places them in simulated hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from backchannel.timeline.effects import Effect

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class TimedEvent:
    """An event in force from ``date`` for ``lasts_days`` (for good when ``None``).

    An event without a date is *possible*: it never happens unless a what-if schedules it.
    """

    id: str
    name: str
    date: dt.date | None
    effects: tuple[Effect, ...] = ()
    lasts_days: float | None = None
    note: str = ""

    @property
    def scheduled(self) -> bool:
        return self.date is not None

    def touches(self, target: tuple[str, str]) -> bool:
        return any(effect.target == target for effect in self.effects)


def hours_between(start: dt.date, when: dt.date) -> float:
    """Simulated hours from the day the clock starts to ``when`` (negative before it)."""
    return (when - start).days * HOURS_PER_DAY


def date_after(start: dt.date, hours: float) -> dt.date:
    return start + dt.timedelta(days=int(np.floor(hours / HOURS_PER_DAY)))


def in_force(event: TimedEvent, start: dt.date, hours: np.ndarray) -> np.ndarray:
    """1.0 where ``event`` is in force at each simulated hour, else 0.0."""
    hours = np.asarray(hours, dtype=float)
    if event.date is None:
        return np.zeros_like(hours)
    begins = hours_between(start, event.date)
    ends = begins + event.lasts_days * HOURS_PER_DAY if event.lasts_days else np.inf
    return ((hours >= begins) & (hours < ends)).astype(float)


def fired_between(event: TimedEvent, start: dt.date, after: float, until: float) -> bool:
    """Whether ``event`` begins or ends in the simulated interval ``(after, until]``."""
    if event.date is None:
        return False
    begins = hours_between(start, event.date)
    edges = [begins]
    if event.lasts_days:
        edges.append(begins + event.lasts_days * HOURS_PER_DAY)
    return any(after < edge <= until for edge in edges)


def resumes_at(event: TimedEvent, start: dt.date) -> float:
    """Simulated hour at which ``event`` stops being in force (``inf`` if never)."""
    if event.date is None or not event.lasts_days:
        return float("inf")
    return hours_between(start, event.date) + event.lasts_days * HOURS_PER_DAY
