"""Proximity rounds: a channel that runs in dated sessions instead of trip by trip.

In 2025 the US-Iran talks ran as rounds: the delegations sat in separate rooms, Omani officials
relayed between them within hours, several exchanges happened in a few hours, and weeks passed
between rounds. A route run in :class:`Sessions` times every hop that way:

- A relay across one hop takes ``relay_hours`` and happens inside a session: it starts when the
  message is handed over (or when the next session opens, if none is open) and must end before
  the session closes; a relay that would not fit waits for the next session.
- After the last session, what happens is declared: ``trips`` (the hop goes back to its own,
  trip-by-trip delay) or ``nothing`` (nothing sent arrives: the message is still in transit at
  the deadline). With ``every_hours`` the last session repeats at that interval instead, for
  ever.
- Inside a session a delegation answers within ``response_hours`` (when declared) rather than
  the scenario's ``negotiation.response_hours``: it sits in the building.

Sessions are in simulated hours from the start of the negotiation, sorted and not overlapping.
The schedule draws nothing from the random generator: loss, distortion and leaks on a hop are
drawn as they would be on a trip, only the times differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

AfterLast = Literal["trips", "nothing"]
TRIPS: AfterLast = "trips"
NOTHING: AfterLast = "nothing"
EPS = 1e-9  # hours: float noise when a relay exactly fills what is left of a session


class Relay(NamedTuple):
    """One relay across a hop: when it starts and ends, and which session (numbered from 1)
    carried it; ``session`` is None when no session did (after the last one)."""

    begins_at_hours: float
    ends_at_hours: float
    session: int | None


class SessionUsed(NamedTuple):
    """A session a message was relayed in, as the transcript names it."""

    schedule: str
    number: int
    opens_at_hours: float
    closes_at_hours: float


@dataclass(frozen=True, eq=False)
class Sessions:
    """A schedule of sessions (``opens``/``closes`` in hours) and how relays run inside them."""

    name: str
    opens: np.ndarray
    closes: np.ndarray
    relay_hours: float
    response_hours: float | None = None
    every_hours: float | None = None
    after_last: AfterLast = TRIPS

    def __post_init__(self) -> None:
        opens = np.asarray(self.opens, dtype=float)
        closes = np.asarray(self.closes, dtype=float)
        if opens.ndim != 1 or opens.shape != closes.shape or not len(opens):
            raise ValueError("a schedule needs at least one session, each with an open and close")
        if np.any(closes - opens < self.relay_hours - EPS):
            raise ValueError("every session must be at least as long as one relay")
        if np.any(opens[1:] < closes[:-1]):
            raise ValueError("sessions must be in order and must not overlap")
        if self.every_hours is not None and self.every_hours < closes[-1] - opens[-1]:
            raise ValueError("repeated sessions must not overlap: every_hours below the length")
        object.__setattr__(self, "opens", opens)
        object.__setattr__(self, "closes", closes)

    @property
    def count(self) -> int:
        """Sessions listed (repeats not counted)."""
        return len(self.opens)

    def session(self, number: int) -> tuple[float, float]:
        """(opens, closes) of session ``number`` (from 1; beyond the list, a repeat)."""
        if number <= self.count:
            return float(self.opens[number - 1]), float(self.closes[number - 1])
        if self.every_hours is None:
            raise IndexError(f"there is no session {number}: the schedule lists {self.count}")
        shift = (number - self.count) * self.every_hours
        return float(self.opens[-1]) + shift, float(self.closes[-1]) + shift

    def relay(self, at_hours: float, hours: float | None = None) -> Relay:
        """The relay of a message handed over at ``at_hours`` taking ``hours`` (default: the
        schedule's ``relay_hours``): the first session in which it fits."""
        hours = self.relay_hours if hours is None else hours
        begins = np.maximum(self.opens, at_hours)
        fits = np.flatnonzero(begins + hours <= self.closes + EPS)
        if len(fits):
            k = int(fits[0])
            return Relay(float(begins[k]), float(begins[k]) + hours, k + 1)
        if self.every_hours is None:
            return Relay(math.inf, math.inf, None)
        # repeat j opens at last_open + j * every and closes `length` later; the relay fits
        # when it starts by close - hours, so the first j with open_j >= at + hours - length
        last_open, length = float(self.opens[-1]), float(self.closes[-1] - self.opens[-1])
        j = max(1, math.ceil((at_hours + hours - length - last_open) / self.every_hours - 1e-12))
        opens, closes = self.session(self.count + j)
        begins_at = max(opens, at_hours)
        if begins_at + hours > closes + EPS:  # float edge: the next repeat surely fits
            j += 1
            opens, closes = self.session(self.count + j)
            begins_at = max(opens, at_hours)
        return Relay(begins_at, begins_at + hours, self.count + j)

    def used(self, number: int) -> SessionUsed:
        opens, closes = self.session(number)
        return SessionUsed(self.name, number, opens, closes)

    def open_at(self, hours: float) -> int | None:
        """The number of the session open at ``hours`` (opening and closing hour included)."""
        inside = np.flatnonzero((self.opens - EPS <= hours) & (hours <= self.closes + EPS))
        if len(inside):
            return int(inside[0]) + 1
        if self.every_hours is None or hours <= self.closes[-1]:
            return None
        j = math.floor((hours - float(self.opens[-1])) / self.every_hours)
        for k in (j - 1, j, j + 1):  # float noise at either end of a repeat
            if k >= 1:
                opens, closes = self.session(self.count + k)
                if opens - EPS <= hours <= closes + EPS:
                    return self.count + k
        return None

    def answered_at(self, arrived_hours: float, response_hours: float) -> float:
        """When a delegation that received a message at ``arrived_hours`` has answered: within
        the schedule's own response time while a session is open, else ``response_hours``."""
        if self.response_hours is not None and self.open_at(arrived_hours) is not None:
            return arrived_hours + self.response_hours
        return arrived_hours + response_hours
