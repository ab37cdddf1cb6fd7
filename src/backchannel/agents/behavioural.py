"""Strategies that react to the other side rather than to the clock."""

from __future__ import annotations

import numpy as np

from backchannel.agents.acceptance import AtDemand
from backchannel.agents.components import acceptable_at, aspiration, target_utility
from backchannel.agents.composed import Composed
from backchannel.agents.concession import Fixed, Mirror
from backchannel.agents.offer_choice import NearestToLatest
from backchannel.agents.registry import register
from backchannel.agents.views import PartyView


@register("tit-for-tat", "mirrors the other side: concedes as much as it has conceded")
class TitForTat(Composed):
    """Relative tit-for-tat (Faratin et al. 1998): give back, in one's own utility, what the
    other side has given up since its first offer, never below the reservation value."""

    name = "tit-for-tat"
    curve = Mirror(1.0)
    acceptance = AtDemand()
    offer_choice = NearestToLatest()

    def __init__(self, rng: np.random.Generator | None = None, generosity: float = 1.0) -> None:
        super().__init__(rng, generosity=generosity)

    @property
    def generosity(self) -> float:
        return self.curve.generosity  # type: ignore[attr-defined]

    def respond_to_mediator(self, view: PartyView, text: int) -> bool:
        """A mediator's texts carry no concession by the other side to mirror, so it asks for a
        share of its gain that falls linearly with time instead."""
        return acceptable_at(view, text, target_utility(view, aspiration(view.relative_time, 1.0)))


@register("hardliner", "never concedes: offers its best and accepts only near-best terms")
class HardLiner(Composed):
    """Demands ``firmness`` of the gain over its reservation value, from start to deadline."""

    name = "hardliner"
    confide_exaggeration = 0.5  # tells a mediator it needs half its possible gain
    curve = Fixed(1.0)
    acceptance = AtDemand()
    offer_choice = NearestToLatest()

    def __init__(self, rng: np.random.Generator | None = None, firmness: float = 1.0) -> None:
        super().__init__(rng, firmness=firmness)

    @property
    def firmness(self) -> float:
        return self.curve.firmness  # type: ignore[attr-defined]
