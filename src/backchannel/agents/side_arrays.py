"""One party's side of many runs at once: the batch engine's counterpart of a :class:`PartyView`.

Where the step engine hands a strategy one view per decision, the batch engine keeps, per
party, one array entry per run still going: its walk-away value, its best acceptable utility,
how many offers it has received, the value of the first and the latest. The array forms of the
strategy components (``agents.concession``, ``agents.acceptance``, ``agents.offer_choice``) read
it exactly as their scalar forms read a view. It holds only what the party's own view holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from backchannel.agents.ranking import TOLERANCE  # the slack ``acceptable_at`` allows


class RunOffers(Protocol):
    """What a side needs of an offer table (``experiments.batch.offers.OfferTable`` for runs
    that share utilities, ``run_offers.RunsOfferTable`` for runs with their own)."""

    allowed: np.ndarray

    def value(self, outcome: np.ndarray) -> np.ndarray: ...

    def best_utility(self, reservation: np.ndarray) -> np.ndarray: ...

    def offer(
        self, target: np.ndarray, reservation: np.ndarray, latest: np.ndarray
    ) -> np.ndarray: ...

    def keep(self, mask: np.ndarray) -> None: ...


@dataclass
class SideArrays:
    """One party's side of every run: its walk-away value and what it has received so far."""

    table: RunOffers
    reservation: np.ndarray
    best: np.ndarray = field(init=False)
    received: np.ndarray = field(init=False)
    first_value: np.ndarray = field(init=False)
    latest: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        runs = len(self.reservation)
        self.best = self.table.best_utility(self.reservation)
        self.received = np.zeros(runs, dtype=np.int64)
        self.first_value = np.zeros(runs)
        self.latest = np.full(runs, -1, dtype=np.int64)

    def receive(self, offer: np.ndarray) -> None:
        """Every run's party receives its run's ``offer`` (as delivered)."""
        first = self.received == 0
        self.first_value[first] = self.table.value(offer)[first]
        self.received += 1
        self.latest = offer

    def move_to(self, reservation: np.ndarray) -> None:
        """Take up a walk-away value a timeline has moved (as ``alternating.Side.move_to``)."""
        self.reservation = reservation
        self.best = self.table.best_utility(reservation)

    def keep(self, mask: np.ndarray) -> None:
        """Drop the runs that have finished."""
        for name in ("reservation", "best", "received", "first_value", "latest"):
            setattr(self, name, getattr(self, name)[mask])
        self.table.keep(mask)

    def value(self, outcome: np.ndarray) -> np.ndarray:
        """Each run's utility of its ``outcome``."""
        return self.table.value(outcome)

    def accepts_at(self, offer: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        """``components.acceptable_at`` per run: allowed, worth the walk-away value and at
        least ``threshold``."""
        value = self.value(offer)
        return (
            self.table.allowed[offer]
            & (value >= self.reservation)
            & (value >= threshold - TOLERANCE)
        )
