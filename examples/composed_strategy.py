"""Two strategies declared from components, ready for ``--load``.

    backchannel compare buyer-seller -p shuttle -n 50 \
        --load examples/composed_strategy.py --strategy seller=my-steady-closer

``my-steady-closer`` combines parts the library has; ``my-sprinter`` brings its own concession
curve, written in both forms, so it too plays on the batch engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.agents import Composed, register
from backchannel.agents.acceptance import AcceptNext, FixedThreshold
from backchannel.agents.components import target_utility
from backchannel.agents.concession import Aspiration, ConcessionCurve
from backchannel.agents.side_arrays import SideArrays
from backchannel.agents.views import PartyView


@register("my-steady-closer", "concedes linearly; takes any offer worth 70 % of its gain")
class SteadyCloser(Composed):
    name = "my-steady-closer"
    curve = Aspiration(exponent=1.0)
    acceptance = FixedThreshold(share=0.7)


@dataclass(frozen=True)
class Sprint(ConcessionCurve):
    """Hold out for the whole gain until ``at`` of the time, then ask for half of it."""

    at: float = 0.8

    def demand(self, view: PartyView) -> float:  # one negotiation
        share = 1.0 if view.relative_time < self.at else 0.5
        return target_utility(view, share)

    def demand_runs(self, side: SideArrays, relative_time: np.ndarray) -> np.ndarray:  # all runs
        share = np.where(relative_time < self.at, 1.0, 0.5)
        return side.reservation + (side.best - side.reservation) * share


@register("my-sprinter", "holds firm, then concedes half its gain at once")
class Sprinter(Composed):
    name = "my-sprinter"
    curve = Sprint()
    acceptance = AcceptNext()
