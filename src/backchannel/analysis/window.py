"""The deal window: on which days a zone of possible agreement exists, as the timeline moves
the parties' reservation values (pure array code over the outcome space)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.analysis.outcome_space import utility_chunks
from backchannel.analysis.resolution import snap
from backchannel.scenario.at_time import reservations_over
from backchannel.scenario.model import Scenario
from backchannel.timeline.events import HOURS_PER_DAY

SAMPLES = 121


@dataclass(frozen=True)
class DealWindow:
    """Zone-of-agreement size on sampled days from the start of the clock to the deadline."""

    days: np.ndarray
    reservations: np.ndarray
    zopa_sizes: np.ndarray
    outcome_count: int

    @property
    def open(self) -> np.ndarray:
        return self.zopa_sizes > 0

    @property
    def first_open_day(self) -> float | None:
        days = self.days[self.open]
        return float(days[0]) if len(days) else None

    @property
    def last_open_day(self) -> float | None:
        days = self.days[self.open]
        return float(days[-1]) if len(days) else None

    @property
    def open_share(self) -> float:
        """Share of the sampled days on which some deal exists."""
        return float(self.open.mean())

    @property
    def zopa_start(self) -> int:
        return int(self.zopa_sizes[0])

    @property
    def zopa_end(self) -> int:
        return int(self.zopa_sizes[-1])

    def closes_day(self) -> float | None:
        """First sampled day on which an open window has shut (``None`` if it never does)."""
        was_open = np.flatnonzero(self.open)
        if len(was_open) == 0:
            return None
        shut = np.flatnonzero(~self.open[was_open[0] :])
        return float(self.days[was_open[0] + shut[0]]) if len(shut) else None


def deal_window(scenario: Scenario, samples: int = SAMPLES) -> DealWindow:
    """Zone of agreement on ``samples`` days from 0 to the negotiation's deadline."""
    days = np.linspace(0.0, scenario.deadline_days, samples)
    if scenario.timeline is None:
        reservations = np.repeat(scenario.reservations[None, :], samples, axis=0)
    else:
        reservations = reservations_over(scenario.timeline, scenario, days * HOURS_PER_DAY)
    return DealWindow(days, reservations, zopa_sizes(scenario, reservations), scenario.space.size)


def zopa_sizes(scenario: Scenario, reservations: np.ndarray) -> np.ndarray:
    """For each row of reservation values, how many outcomes every party accepts (compared at
    ``analysis.resolution.RESOLUTION``, as ``analyze`` counts the zone)."""
    reservations = snap(reservations)
    floor = reservations.min(axis=0)
    sizes = np.zeros(len(reservations), dtype=np.int64)
    for _start, utilities, allowed in utility_chunks(scenario):
        utilities = snap(utilities)
        keep = allowed & (utilities >= floor).all(axis=1)  # only these can ever be agreeable
        candidates = utilities[keep]
        if len(candidates) == 0:
            continue
        for row, bar in enumerate(reservations):
            sizes[row] += int((candidates >= bar).all(axis=1).sum())
    return sizes
