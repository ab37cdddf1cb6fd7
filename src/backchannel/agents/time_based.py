"""Time-based concession: demand falls along an aspiration curve as the deadline nears."""

from __future__ import annotations

import numpy as np

from backchannel.agents.acceptance import AcceptNext
from backchannel.agents.composed import Composed
from backchannel.agents.concession import Aspiration
from backchannel.agents.offer_choice import NearestToLatest
from backchannel.agents.registry import register


class TimeBased(Composed):
    """Concede along ``1 - t**exponent``; accept what meets the current demand or beats the
    offer it would make next (the AC_next rule of Baarslag et al. 2014)."""

    curve = Aspiration(1.0)
    acceptance = AcceptNext()
    offer_choice = NearestToLatest()

    def __init__(self, rng: np.random.Generator | None = None, exponent: float = 1.0) -> None:
        super().__init__(rng, exponent=exponent)

    @property
    def exponent(self) -> float:
        return self.curve.exponent  # type: ignore[attr-defined]


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
