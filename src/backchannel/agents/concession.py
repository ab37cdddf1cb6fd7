"""Concession curves: how much a party demands now, in its own utility.

Each curve is defined once, with its two forms side by side: ``demand(view)`` for one
negotiation (the step engine) and ``demand_runs(side, relative_time)`` for every run of a batch
at once (the batch engine). The array form repeats the scalar form operation for operation, so
each run's demand is bit for bit the float the step engine computes (``tests/agents`` checks
this on random inputs). A curve without an array form leaves ``demand_runs`` to the base class;
a strategy using it then plays step by step.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from backchannel.agents.components import aspiration, best_utility
from backchannel.agents.ranking import ranking_of
from backchannel.agents.side_arrays import SideArrays
from backchannel.agents.views import PartyView


class ConcessionCurve(ABC):
    """The utility a party demands: from the clock, or from what the other side has done."""

    stochastic: ClassVar[bool] = False  # True if it draws from the strategy's generator

    @abstractmethod
    def demand(self, view: PartyView) -> float:
        """The utility demanded now, in one negotiation."""

    def demand_runs(self, side: SideArrays, relative_time: np.ndarray) -> np.ndarray:
        """The utility demanded now in every run (``relative_time`` per run)."""
        raise NotImplementedError(f"{type(self).__name__} has no array form")


@dataclass(frozen=True)
class Aspiration(ConcessionCurve):
    """Keep ``1 - t**exponent`` of the gain between walk-away value and best outcome
    (``components.aspiration``): Boulware above 1, linear at 1, conceder below 1."""

    exponent: float = 1.0

    def __post_init__(self) -> None:
        if not self.exponent > 0:
            raise ValueError("exponent must be positive")

    def demand(self, view: PartyView) -> float:
        # target_utility(view, aspiration(...)) with best_utility's look-up inlined: a hot path
        ranking = ranking_of(view)
        best = view.best_utility if ranking is None else ranking.best
        floor = view.reservation
        return floor + (best - floor) * aspiration(view.relative_time, self.exponent)

    def demand_runs(self, side: SideArrays, relative_time: np.ndarray) -> np.ndarray:
        share = 1.0 - python_power(np.clip(relative_time, 0.0, 1.0), self.exponent)
        return side.reservation + (side.best - side.reservation) * share


@dataclass(frozen=True)
class Mirror(ConcessionCurve):
    """Relative tit-for-tat (Faratin et al. 1998): give back, in one's own utility,
    ``generosity`` times what the other side has given up since its first offer, never below
    the walk-away value; demand the best until two offers have come in."""

    generosity: float = 1.0

    def demand(self, view: PartyView) -> float:
        best = best_utility(view)
        if len(view.received) < 2:
            return best
        first = view.utility_of(view.received[0].outcome)
        latest = view.utility_of(view.received[-1].outcome)
        conceded = max(0.0, latest - first) * self.generosity
        return max(view.reservation, best - conceded)

    def demand_runs(self, side: SideArrays, relative_time: np.ndarray) -> np.ndarray:
        latest = side.value(np.maximum(side.latest, 0))
        conceded = np.maximum(0.0, latest - side.first_value) * self.generosity
        mirrored = np.maximum(side.reservation, side.best - conceded)
        return np.where(side.received < 2, side.best, mirrored)


@dataclass(frozen=True)
class Fixed(ConcessionCurve):
    """Demand ``firmness`` of the gain over the walk-away value, from start to deadline."""

    firmness: float = 1.0

    def demand(self, view: PartyView) -> float:
        return view.reservation + (best_utility(view) - view.reservation) * self.firmness

    def demand_runs(self, side: SideArrays, relative_time: np.ndarray) -> np.ndarray:
        return side.reservation + (side.best - side.reservation) * self.firmness


def python_power(base: np.ndarray, exponent: float | np.ndarray) -> np.ndarray:
    """``base ** exponent`` elementwise, computed by Python's float ``**`` as the scalar forms
    do (a vectorised ``pow`` may round differently on some CPUs); runs share few values."""
    base = np.asarray(base, dtype=float)
    if np.ndim(exponent) == 0:
        unique, inverse = np.unique(base, return_inverse=True)
        power = float(exponent)
        values = np.array([b**power for b in unique.tolist()], dtype=float)
        return values[inverse.reshape(base.shape)]
    exponents = np.broadcast_to(np.asarray(exponent, dtype=float), base.shape)
    pairs = np.stack([base.ravel(), exponents.ravel()], axis=1)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    values = np.array([b**e for b, e in unique.tolist()], dtype=float)
    return values[inverse.ravel()].reshape(base.shape)
