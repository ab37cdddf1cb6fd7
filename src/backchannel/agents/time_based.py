"""Time-based concession: demand falls along an aspiration curve as the deadline nears."""

from __future__ import annotations

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.components import (
    acceptable_at,
    aspiration,
    offer_for_target,
    target_utility,
)
from backchannel.agents.registry import register
from backchannel.agents.views import PartyView


class TimeBased(Strategy):
    """Concede along ``1 - t**exponent``; accept what meets the current demand or beats the
    offer it would make next (the AC_next rule of Baarslag et al. 2014)."""

    def __init__(self, rng: np.random.Generator | None = None, exponent: float = 1.0) -> None:
        super().__init__(rng)
        if exponent <= 0:
            raise ValueError("exponent must be positive")
        self.exponent = exponent

    def target(self, view: PartyView) -> float:
        return target_utility(view, aspiration(view.relative_time, self.exponent))

    def offer_at(self, view: PartyView, target: float) -> int:
        """The outcome to offer when demanding ``target`` (subclasses choose differently)."""
        return offer_for_target(view, target)

    def propose(self, view: PartyView) -> int:
        return self.offer_at(view, self.target(view))

    def respond(self, view: PartyView, offer: int) -> bool:
        target = self.target(view)
        next_offer = self.offer_at(view, target)
        return acceptable_at(view, offer, min(target, view.utility_of(next_offer)))


@register(
    "boulware", "concedes little until close to the deadline (aspiration 1 - t^4)", exponent=4.0
)
class Boulware(TimeBased):
    name = "boulware"


@register("linear", "concedes at a steady rate from its best outcome to its reservation value")
class Linear(TimeBased):
    name = "linear"


@register("conceder", "concedes early and fast (aspiration 1 - t^0.25)", exponent=0.25)
class Conceder(TimeBased):
    name = "conceder"
