"""The strategy contract: propose an outcome, respond to a delivered offer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from backchannel.agents.components import best_utility
from backchannel.agents.views import PartyView
from backchannel.randomness import lazy_rng


@dataclass(frozen=True)
class Confidence:
    """What a party confides to a mediator: utilities, red-line mask and walk-away value."""

    utilities: np.ndarray
    allowed: np.ndarray
    reservation: float


class Strategy(ABC):
    """A negotiating strategy for one seat. It sees only its :class:`PartyView`.

    Subclasses declare ``name`` and ``description`` and are registered with
    :func:`backchannel.agents.registry.register`. A strategy is created fresh for every
    negotiation; ``rng`` is its only source of randomness, so runs are reproducible.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    stochastic: ClassVar[bool] = False
    # Share of the gain above its reservation value that a party pretends it needs when it
    # confides to a mediator (0: truthful). Strategic exaggeration in confidential mediation.
    confide_exaggeration: ClassVar[float] = 0.0

    def __init__(self, rng: np.random.Generator | None = None) -> None:
        self.rng = rng if rng is not None else lazy_rng(0)

    @abstractmethod
    def propose(self, view: PartyView) -> int:
        """The outcome index to offer now."""

    @abstractmethod
    def respond(self, view: PartyView, offer: int) -> bool:
        """Whether to accept ``offer`` (as delivered to this party)."""

    def respond_to_mediator(self, view: PartyView, text: int) -> bool:
        """Whether to accept a mediator's text as the deal (single-text, confidential)."""
        return self.respond(view, text)

    def prefers(self, view: PartyView, first: int, second: int, temperature: float = 0.0) -> bool:
        """Whether this party votes for draft ``first`` over ``second`` (single-text mediation).

        It votes for a better draft; under an annealing mediator's ``temperature`` it also
        accepts a worse one with probability ``exp(-loss / temperature)`` (the annealing
        agents of Klein et al. 2003; one ``self.rng.random()`` draw, only for a worse draft).
        """
        loss = view.utility_of(second) - view.utility_of(first)
        if loss < -1e-12:
            return True
        if temperature <= 0.0:
            return False
        return bool(self.rng.random() < np.exp(-max(loss, 0.0) / temperature))

    def confide(self, view: PartyView) -> Confidence:
        """Preferences told to a mediator in confidence: truthful unless the strategy
        exaggerates its walk-away value by ``confide_exaggeration``."""
        allowed = view.allowed if view.allowed is not None else view.acceptable
        claimed = view.reservation + self.confide_exaggeration * (
            best_utility(view) - view.reservation
        )
        return Confidence(utilities=view.utilities, allowed=allowed, reservation=claimed)
