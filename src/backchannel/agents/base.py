"""The strategy contract: propose an outcome, respond to a delivered offer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from backchannel.protocols.views import PartyView


class Strategy(ABC):
    """A negotiating strategy for one seat. It sees only its :class:`PartyView`.

    Subclasses declare ``name`` and ``description`` and are registered with
    :func:`backchannel.agents.registry.register`. A strategy is created fresh for every
    negotiation; ``rng`` is its only source of randomness, so runs are reproducible.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    stochastic: ClassVar[bool] = False

    def __init__(self, rng: np.random.Generator | None = None) -> None:
        self.rng = rng if rng is not None else np.random.default_rng(0)

    @abstractmethod
    def propose(self, view: PartyView) -> int:
        """The outcome index to offer now."""

    @abstractmethod
    def respond(self, view: PartyView, offer: int) -> bool:
        """Whether to accept ``offer`` (as delivered to this party)."""
