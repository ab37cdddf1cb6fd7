"""Whose turn it is to propose, for the protocols where parties take turns (direct, shuttle,
live).

The first mover opens. After a rejection between two parties, the rejecter proposes next (it
has just said no, so it counters); otherwise, and with more parties, the turn passes to the next
party in order.
"""

from __future__ import annotations

from backchannel.scenario.model import Scenario


class Turns:
    """The turn order of one negotiation; ``proposer`` is whose turn it is."""

    def __init__(self, scenario: Scenario) -> None:
        ids = scenario.party_ids
        first = ids.index(scenario.party(scenario.first_mover).id)
        count = len(ids)
        self.order = [ids[(first + k) % count] for k in range(count)]
        self._place = {party: k for k, party in enumerate(self.order)}
        self._turn = 0
        self.proposer = self.order[0]  # an attribute: read once a round, on the hot path

    def after(self, rejecter: str | None) -> None:
        """The round is over: ``rejecter`` said no (None: nobody did)."""
        if rejecter is None or len(self.order) != 2:
            self._turn = (self._turn + 1) % len(self.order)
        else:
            self._turn = self._place[rejecter]
        self.proposer = self.order[self._turn]
