"""What one party is entitled to see: its own preferences and the messages delivered to it.

The same view serves simulated agents and people in the web service, so privacy is enforced in
one place: a view never holds another party's utilities or an undelivered or undistorted message.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.read_only import read_only

__all__ = ["Offer", "PartyView", "read_only"]


class Offer(NamedTuple):
    """A proposal as its receiver got it: who it came from and the (delivered) terms."""

    sender: str
    outcome: int
    received_at_hours: float


class PartyView(NamedTuple):
    """A read-only snapshot of the negotiation from one party's seat.

    Immutable, and a named tuple because a run builds two per round: cheap to create.
    """

    party_id: str
    space: OutcomeSpace
    utilities: np.ndarray
    acceptable: np.ndarray
    reservation: float
    relative_time: float
    elapsed_hours: float
    round: int
    received: tuple[Offer, ...]
    sent: tuple[int, ...]
    allowed: np.ndarray | None = None  # outcomes none of this party's red lines exclude

    @property
    def best_utility(self) -> float:
        """Best utility among the outcomes this party would accept at all."""
        return float(self.utilities[self.acceptable].max()) if self.acceptable.any() else 0.0

    @property
    def last_received(self) -> Offer | None:
        return self.received[-1] if self.received else None

    def utility_of(self, outcome: int) -> float:
        return float(self.utilities[outcome])
