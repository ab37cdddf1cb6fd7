"""Whose turn it is to propose, for the protocols where parties take turns (direct, shuttle,
live).

The first mover opens. After a rejection between two parties, the rejecter proposes next (it
has just said no, so it counters); otherwise, and with more parties, the turn passes to the next
party in order.
"""

from __future__ import annotations

from backchannel.scenario.model import Scenario


class Turns:
    """The turn order of one negotiation."""

    def __init__(self, scenario: Scenario) -> None:
        first = scenario.party_index(scenario.first_mover)
        count = len(scenario.parties)
        self.order = [scenario.party_ids[(first + k) % count] for k in range(count)]
        self._turn = 0

    @property
    def proposer(self) -> str:
        return self.order[self._turn % len(self.order)]

    def after(self, rejecter: str | None) -> None:
        """The round is over: ``rejecter`` said no (None: nobody did)."""
        if rejecter is None or len(self.order) != 2:
            self._turn += 1
        else:
            self._turn = self.order.index(rejecter)
