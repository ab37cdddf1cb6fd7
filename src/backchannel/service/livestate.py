"""Each negotiation's relay machine and message counts as its latest write left them.

A write checks its move against the relay machine in the state the stored messages leave it,
and numbers its message by counting the stored ones. Rebuilding both meant reading and
replaying every message of the negotiation on every write (a third of the CPU of a write at 80
messages, growing with each). Here the state a write leaves is kept, keyed by the negotiation's
log head (sequence number and hash) after that write.

The head is a version stamp of everything the state depends on: every change to a
negotiation's messages, seats or preferences appends to its log, so the head moves with it. A
write holds the head's lock before it reads the head, so a kept state is used only if nobody
(in this process or another) wrote since. A write whose transaction rolls back leaves the head
where it was, so the state it kept (under the head it would have made) is never found.

Several server processes share one PostgreSQL database, and the writes of one negotiation
reach any of them: a kept state is then often a few messages behind. If only messages were
stored since (each appends one entry, so their count is the head's move) and the entry at the
kept head still has the kept hash (the kept state's own write committed), the write reads just
those messages and applies them (``live``); anything else (a status, a seat, preferences, a
draft) rebuilds the state.

A state is handed to one writer (``take`` removes it), who changes it as it writes and hands it
back (``keep``) before committing; a write that fails hands nothing back, and the next write
rebuilds the state from the stored messages.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from backchannel.protocols.relay import RelayMachine
from backchannel.scenario.model import Scenario
from backchannel.service.storage.models import Message, Negotiation, Seat

SESSION_KEY = "live_states"
"""``session.info`` key: the :class:`LiveStates` of the server a write session belongs to."""

RECENT_MESSAGES = 8
"""How many of a negotiation's latest messages its kept state remembers."""

TAKEN_KEY = "live_states_taken"
"""``session.info`` key: the states this session's write took, by negotiation id."""


@dataclass
class LiveState:
    """The relay machine after a negotiation's latest write, and its message counts."""

    model: Scenario
    machine: RelayMachine
    counts: dict[str, int] = field(default_factory=dict)
    """How many messages the negotiation holds ("all") and each party's room holds."""
    rows: tuple[Negotiation, list[Seat]] | None = None
    """The negotiation's row and its seats as the write left them (loaded objects, detached
    once its session closed): the next write at the same head attaches them instead of reading
    them again."""

    recent: dict[int, Message] = field(default_factory=dict)
    """The latest messages stored, by number (messages never change once stored): the
    mediator usually passes on the message just received, and finds it here."""

    def remember(self, message: Message) -> None:
        self.recent[message.number] = message
        while len(self.recent) > RECENT_MESSAGES:
            del self.recent[min(self.recent)]

    def next_numbers(self, party: str) -> tuple[int, int]:
        """Number the next message, in the negotiation and in ``party``'s room, and count it."""
        self.counts["all"] = self.counts.get("all", 0) + 1
        self.counts[party] = self.counts.get(party, 0) + 1
        return self.counts["all"], self.counts[party]


class LiveStates:
    """The states of the most recently written negotiations (least recently used go first)."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[str, tuple[int, str, LiveState]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.caught_up = 0
        self.misses = 0

    def take(self, negotiation_id: str) -> tuple[int, str, LiveState] | None:
        """The state kept for a negotiation and the head it was kept at, removed: the caller
        uses it as it is at that head, catches it up, or drops it (``count`` what it did)."""
        with self._lock:
            return self._kept.pop(negotiation_id, None)

    def count(self, outcome: str) -> None:
        """Count a write's use of the kept state: ``hits``, ``caught_up`` or ``misses``."""
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + 1)

    def keep(self, negotiation_id: str, seq: int, head_hash: str, state: LiveState) -> None:
        """Keep the state a write left, under the head that write made."""
        with self._lock:
            self._kept[negotiation_id] = (seq, head_hash, state)
            self._kept.move_to_end(negotiation_id)
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)

    def kept(self, negotiation_id: str) -> tuple[int, str, LiveState] | None:
        """The head and state kept for a negotiation, left in place (to inspect it)."""
        with self._lock:
            return self._kept.get(negotiation_id)

    def clear(self) -> None:
        """Forget every kept state: for a change made to the database outside the service,
        which does not move the log head (the next writes read everything again)."""
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
