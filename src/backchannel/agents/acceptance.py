"""Acceptance rules: whether a party takes the offer delivered to it.

Each rule is defined once, with its scalar form ``accepts`` (one negotiation, the step engine)
beside its array form ``accepts_runs`` (every run of a batch, the batch engine), operation for
operation the same. A rule is given the offer, the party's current ``demand`` (from its
concession curve) and a way to get the offer it would make next (``next_offer``), computed only
if the rule asks for it. Rules follow Baarslag, Hindriks and Jonker (2014), "Effective
acceptance conditions in multilateral negotiation".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from backchannel.agents.components import acceptable_at, target_utility
from backchannel.agents.side_arrays import SideArrays
from backchannel.agents.views import PartyView


class AcceptanceRule(ABC):
    """Whether to accept: never below the walk-away value or across a red line."""

    stochastic: ClassVar[bool] = False  # True if it draws from the strategy's generator

    @abstractmethod
    def accepts(
        self, view: PartyView, offer: int, demand: float, next_offer: Callable[[], int]
    ) -> bool:
        """Whether to accept ``offer`` in one negotiation."""

    def accepts_runs(
        self,
        side: SideArrays,
        offer: np.ndarray,
        demand: np.ndarray,
        next_offer: Callable[[], np.ndarray],
    ) -> np.ndarray:
        """Whether each run accepts its ``offer``."""
        raise NotImplementedError(f"{type(self).__name__} has no array form")


@dataclass(frozen=True)
class AtDemand(AcceptanceRule):
    """Accept what meets the current demand (AC_const with a moving threshold)."""

    def accepts(
        self, view: PartyView, offer: int, demand: float, next_offer: Callable[[], int]
    ) -> bool:
        return acceptable_at(view, offer, demand)

    def accepts_runs(
        self,
        side: SideArrays,
        offer: np.ndarray,
        demand: np.ndarray,
        next_offer: Callable[[], np.ndarray],
    ) -> np.ndarray:
        return side.accepts_at(offer, demand)


@dataclass(frozen=True)
class AcceptNext(AcceptanceRule):
    """AC_next: accept what meets the current demand or is worth at least the offer the
    party would make next."""

    def accepts(
        self, view: PartyView, offer: int, demand: float, next_offer: Callable[[], int]
    ) -> bool:
        return acceptable_at(view, offer, min(demand, float(view.utilities[next_offer()])))

    def accepts_runs(
        self,
        side: SideArrays,
        offer: np.ndarray,
        demand: np.ndarray,
        next_offer: Callable[[], np.ndarray],
    ) -> np.ndarray:
        return side.accepts_at(offer, np.minimum(demand, side.value(next_offer())))


@dataclass(frozen=True)
class FixedThreshold(AcceptanceRule):
    """AC_const: accept what keeps at least ``share`` of the gain between walk-away value and
    best outcome, whatever the party demands in its own offers."""

    share: float = 0.5

    def accepts(
        self, view: PartyView, offer: int, demand: float, next_offer: Callable[[], int]
    ) -> bool:
        return acceptable_at(view, offer, target_utility(view, self.share))

    def accepts_runs(
        self,
        side: SideArrays,
        offer: np.ndarray,
        demand: np.ndarray,
        next_offer: Callable[[], np.ndarray],
    ) -> np.ndarray:
        threshold = side.reservation + (side.best - side.reservation) * self.share
        return side.accepts_at(offer, threshold)
