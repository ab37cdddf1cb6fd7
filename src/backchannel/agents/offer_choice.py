"""Offer choices: which outcome a party offers when it demands a given utility.

Each choice is defined once, with its scalar form ``choose`` (one negotiation, the step engine)
beside its array form ``choose_runs`` (every run of a batch, the batch engine). The array form
of the nearest-offer choice is a table look-up (``experiments.batch.offers``) that answers as
``components.offer_for_target`` does, outcome for outcome. A choice without an array form (the
frequency model's) leaves ``choose_runs`` to the base class; a strategy using it then plays
step by step.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from backchannel.agents.components import offer_for_target
from backchannel.agents.distances import issue_positions
from backchannel.agents.ranking import TOLERANCE, ranking_of
from backchannel.agents.side_arrays import SideArrays
from backchannel.agents.views import PartyView
from backchannel.space.outcomes import OutcomeSpace


class OfferChoice(ABC):
    """The outcome to offer when demanding a utility: always one the party would accept."""

    stochastic: ClassVar[bool] = False  # True if it draws from the strategy's generator

    @abstractmethod
    def choose(self, view: PartyView, demand: float) -> int:
        """The outcome index to offer in one negotiation."""

    def choose_runs(self, side: SideArrays, demand: np.ndarray) -> np.ndarray:
        """The outcome index each run offers."""
        raise NotImplementedError(f"{type(self).__name__} has no array form")


@dataclass(frozen=True)
class NearestToLatest(OfferChoice):
    """Among the acceptable outcomes worth the demand, the one most like the other side's
    latest offer (the least good enough before any arrives); see ``offer_for_target``."""

    def choose(self, view: PartyView, demand: float) -> int:
        ranking = ranking_of(view)
        if ranking is None:
            return offer_for_target(view, demand)
        received = view.received  # offer_for_target's ranked answer, one call fewer: a hot path
        return ranking.offer(demand, received[-1].outcome if received else None)

    def choose_runs(self, side: SideArrays, demand: np.ndarray) -> np.ndarray:
        return side.table.offer(demand, side.reservation, side.latest)


@dataclass(frozen=True)
class ModelledBest(OfferChoice):
    """Among the outcomes worth the demand, the one a frequency model of the other side rates
    best for it (ties toward the party's own utility); the nearest offer until one arrives."""

    def choose(self, view: PartyView, demand: float) -> int:
        candidates = np.flatnonzero(view.acceptable & (view.utilities >= demand - TOLERANCE))
        if len(candidates) == 0 or not view.received:
            return offer_for_target(view, demand)
        estimate = frequency_estimate(view.space, [offer.outcome for offer in view.received])
        order = np.lexsort((-view.utilities[candidates], -estimate[candidates]))
        return int(candidates[order[0]])


def frequency_estimate(space: OutcomeSpace, offers: list[int]) -> np.ndarray:
    """Estimated utility, for the other side, of every outcome (in [0, 1]) from its offers.

    An option the other side keeps proposing is one it values; an issue on which it rarely
    moves is one it weighs heavily (the HardHeaded agent's model, van Krimpen, Looije and
    Hajizadeh 2013, the "Smith" model of the ANAC literature).
    """
    positions = issue_positions(space)
    seen = positions[np.asarray(offers, dtype=np.int64)]
    weights = np.ones(len(space.issues))
    if len(seen) > 1:
        weights += (seen[1:] == seen[:-1]).sum(axis=0)
    weights /= weights.sum()
    estimate = np.zeros(space.size)
    for column, issue in enumerate(space.issues):
        counts = np.bincount(seen[:, column], minlength=issue.size).astype(float)
        values = (counts + 1.0) / (counts.max() + 1.0)
        estimate += weights[column] * values[positions[:, column]]
    return estimate
