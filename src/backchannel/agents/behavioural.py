"""Strategies that react to the other side rather than to the clock."""

from __future__ import annotations

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.components import (
    acceptable_at,
    aspiration,
    best_utility,
    offer_for_target,
    target_utility,
)
from backchannel.agents.registry import register
from backchannel.agents.views import PartyView


@register("tit-for-tat", "mirrors the other side: concedes as much as it has conceded")
class TitForTat(Strategy):
    """Relative tit-for-tat (Faratin et al. 1998): give back, in one's own utility, what the
    other side has given up since its first offer, never below the reservation value."""

    name = "tit-for-tat"

    def __init__(self, rng: np.random.Generator | None = None, generosity: float = 1.0) -> None:
        super().__init__(rng)
        self.generosity = generosity

    def target(self, view: PartyView) -> float:
        best = best_utility(view)
        if len(view.received) < 2:
            return best
        first = view.utility_of(view.received[0].outcome)
        latest = view.utility_of(view.received[-1].outcome)
        conceded = max(0.0, latest - first) * self.generosity
        return max(view.reservation, best - conceded)

    def propose(self, view: PartyView) -> int:
        return offer_for_target(view, self.target(view))

    def respond(self, view: PartyView, offer: int) -> bool:
        return acceptable_at(view, offer, self.target(view))

    def respond_to_mediator(self, view: PartyView, text: int) -> bool:
        """A mediator's texts carry no concession by the other side to mirror, so it asks for a
        share of its gain that falls linearly with time instead."""
        return acceptable_at(view, text, target_utility(view, aspiration(view.relative_time, 1.0)))


@register("hardliner", "never concedes: offers its best and accepts only near-best terms")
class HardLiner(Strategy):
    """Demands ``firmness`` of the gain over its reservation value, from start to deadline."""

    name = "hardliner"
    confide_exaggeration = 0.5  # tells a mediator it needs half its possible gain

    def __init__(self, rng: np.random.Generator | None = None, firmness: float = 1.0) -> None:
        super().__init__(rng)
        self.firmness = firmness

    def target(self, view: PartyView) -> float:
        return view.reservation + (best_utility(view) - view.reservation) * self.firmness

    def propose(self, view: PartyView) -> int:
        return offer_for_target(view, self.target(view))

    def respond(self, view: PartyView, offer: int) -> bool:
        return acceptable_at(view, offer, self.target(view))
