"""Strategies over arrays of runs: the array forms of a strategy's components, played together.

A strategy declared as components (``agents.composed``) needs nothing here: the batch engine
plays its concession curve, acceptance rule and offer choice through their array forms, which
sit beside their scalar forms in ``agents.concession``, ``agents.acceptance`` and
``agents.offer_choice``. :func:`batch_strategy` decides coverage from the components
(``agents.composed.array_components``): a strategy plays on the batch engine when every
component has an array form and nothing is random or overridden; otherwise step by step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.agents.acceptance import AcceptanceRule
from backchannel.agents.composed import array_components
from backchannel.agents.concession import ConcessionCurve, python_power
from backchannel.agents.offer_choice import OfferChoice
from backchannel.agents.registry import create_strategy
from backchannel.agents.side_arrays import SideArrays

__all__ = ["BatchStrategy", "SideArrays", "batch_strategy", "python_power"]


@dataclass(frozen=True)
class BatchStrategy:
    """One strategy's components, played over every run at once (``Composed``'s hooks)."""

    curve: ConcessionCurve
    acceptance: AcceptanceRule
    offer_choice: OfferChoice

    def propose(self, side: SideArrays, relative_time: np.ndarray) -> np.ndarray:
        return self.offer_choice.choose_runs(side, self.curve.demand_runs(side, relative_time))

    def respond(self, side: SideArrays, relative_time: np.ndarray, offer: np.ndarray) -> np.ndarray:
        demand = self.curve.demand_runs(side, relative_time)
        return self.acceptance.accepts_runs(
            side, offer, demand, lambda: self.offer_choice.choose_runs(side, demand)
        )


def batch_strategy(name: str) -> BatchStrategy | None:
    """The array form of registered strategy ``name``, or None if it has none."""
    try:
        instance = create_strategy(name)
    except KeyError:
        return None
    parts = array_components(instance)
    return None if parts is None else BatchStrategy(*parts)
