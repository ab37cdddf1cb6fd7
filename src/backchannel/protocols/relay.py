"""Mediated relay as a state machine: the rules of a live room, written once.

Each party speaks only to the mediator; the mediator passes messages on to one party at a time,
as they were sent or edited (the receiving party sees only what was passed). The live service
drives this machine with people's moves and its agent seats' moves, in real hours; the step
engine drives it with agents in every seat (protocol ``live``, :mod:`protocols.relay_play`).

The machine holds the state (each party's standing position, what each was passed, the rounds,
the clock), says who may move (:meth:`RelayMachine.refusal`), applies a typed move
(:meth:`RelayMachine.apply`, which records and returns its :class:`Transcript` events) and says
when the talks are over. Its rules:

* **Moves.** A party proposes a package, or accepts or rejects one once the mediator has passed
  it a package (a proposal, or another party's acceptance). The mediator passes a party's
  proposal, acceptance or rejection on to a party (``sender`` names whose it was;
  ``outcome`` is what was sent, ``delivered`` what the mediator passed), or puts its own
  proposal to a party (``sender`` is the mediator).
* **Agreement** (:func:`common_position`): every party stands on the same package. A party's
  standing position is its latest proposal or acceptance; a rejection withdraws it.
* **Rounds.** Each party's proposal opens a round; a proposal past the scenario's round limit
  is refused (the step engine ends the talks there, as the other protocols do).
* **The deadline** (:mod:`protocols.deadline`): a move after it is refused; talks that run out
  of time end at it. Times never go back: a move stamped earlier than the last one is stamped
  at the last one's time.
* **Time as a party feels it** (:func:`protocols.deadline.relative_time`): hours against the
  deadline or rounds against the round limit, whichever is further along.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from backchannel.agents.views import Offer, PartyView
from backchannel.protocols.deadline import (
    PASSED,
    ending_time,
    in_time,
    relative_time,
)
from backchannel.protocols.events import EventKind
from backchannel.protocols.transcript import Event, Result, Transcript
from backchannel.scenario.model import Scenario

CLOSED = "closed without agreement"
AGREEMENT = "agreement"
Answer = Literal["accept", "reject"]
Passable = Literal["proposal", "accept", "reject"]


@dataclass(frozen=True)
class Propose:
    """A party proposes a package to the mediator."""

    party: str
    outcome: int


@dataclass(frozen=True)
class Respond:
    """A party accepts or rejects a package (one the mediator has passed to it)."""

    party: str
    answer: Answer
    outcome: int


@dataclass(frozen=True)
class Pass:
    """The mediator passes a message on to ``recipient``: ``sender``'s (or, when ``sender`` is
    the mediator, its own proposal); ``outcome`` as sent, ``delivered`` as passed."""

    recipient: str
    kind: Passable
    sender: str
    outcome: int | None
    delivered: int | None


Move = Propose | Respond | Pass
Conclude = Callable[[Transcript, int | None, str, float, int], None]


class IllegalMove(ValueError):
    """A move the rules do not allow now; the message says why, for the person who tried it."""


def common_position(positions: Mapping[str, int | None]) -> int | None:
    """The package every party stands on, or None: the one definition of an agreement."""
    values = set(positions.values())
    if len(values) != 1 or None in values:
        return None
    return int(next(iter(values)))  # type: ignore[arg-type]


def settle_plainly(scenario: Scenario) -> Conclude:
    """The ending with the package's own utilities (no discounting, ratification or prices):
    a breakdown is worth each party's reservation value. The live service settles so."""

    def conclude(
        transcript: Transcript, agreement: int | None, reason: str, at: float, rounds: int
    ) -> None:
        if agreement is None:
            values = {p.id: float(p.reservation) for p in scenario.parties}
        else:
            row = scenario.utilities[agreement]
            values = {p.id: float(row[k]) for k, p in enumerate(scenario.parties)}
        kind = EventKind.AGREEMENT if agreement is not None else EventKind.BREAKDOWN
        transcript.record(
            Event(
                kind, at, rounds, outcome=agreement, delivered=agreement, details={"reason": reason}
            )
        )
        transcript.result = Result(agreement, reason, at, rounds, values, dict(values))

    return conclude


class RelayMachine:
    """The state of one mediated relay, changed only by :meth:`apply` and the endings."""

    def __init__(
        self,
        scenario: Scenario,
        transcript: Transcript,
        *,
        mediator: str,
        deadline_hours: float,
        conclude: Conclude | None = None,
    ) -> None:
        self.scenario = scenario
        self.transcript = transcript
        self.mediator = mediator
        self.deadline_hours = deadline_hours
        self.max_rounds = scenario.max_rounds
        self._conclude = conclude or settle_plainly(scenario)
        self.positions: dict[str, int | None] = {pid: None for pid in scenario.party_ids}
        self.received: dict[str, tuple[Offer, ...]] = {pid: () for pid in scenario.party_ids}
        self.sent: dict[str, tuple[int, ...]] = {pid: () for pid in scenario.party_ids}
        self.shown: dict[str, int | None] = {pid: None for pid in scenario.party_ids}
        self.rounds = 0
        self.now = 0.0
        self.agreement: int | None = None

    # -- the state ---------------------------------------------------------------------------
    @property
    def is_over(self) -> bool:
        return self.transcript.result is not None

    def relative_time(self, at_hours: float, round_number: int) -> float:
        """How far along the talks are for a party deciding at ``at_hours`` in ``round_number``
        (0 to 1)."""
        return relative_time(at_hours, self.deadline_hours, round_number, self.max_rounds)

    def view(self, party_id: str, at_hours: float, round_number: int) -> PartyView:
        """What ``party_id`` may know at ``at_hours``: its own utilities, what the mediator
        passed to it (as passed) and what it proposed; never another party's."""
        scenario = self.scenario
        column = scenario.party_index(party_id)
        party = scenario.parties[column]
        own = scenario.own_arrays(column, party.reservation)  # shared: rankings built once
        return PartyView(
            party_id,
            scenario.space,
            own.utilities,
            own.acceptable,
            party.reservation,
            self.relative_time(at_hours, round_number),
            at_hours,
            round_number,
            self.received[party_id],
            self.sent[party_id],
            own.allowed,
        )

    def last_passed(self, party: str) -> int | None:
        """The latest proposal the mediator passed to ``party`` (what it would accept)."""
        return self.received[party][-1].outcome if self.received[party] else None

    # -- who may move ------------------------------------------------------------------------
    def refusal(self, move: Move, at_hours: float) -> str | None:
        """Why ``move`` may not be made at ``at_hours``; None when it may."""
        if self.is_over:
            return "the negotiation is over"
        if not in_time(max(at_hours, self.now), self.deadline_hours):
            return f"the deadline passed (hour {self.deadline_hours:g} of the negotiation)"
        if isinstance(move, Pass):
            if move.recipient not in self.positions:
                return f"no party '{move.recipient}' to pass a message to"
            if move.kind == "proposal" and move.delivered is None:
                return "a proposal needs terms"
            return None
        if move.party not in self.positions:
            return f"no party '{move.party}' in this negotiation"
        if isinstance(move, Propose):
            if self.rounds >= self.max_rounds:
                return f"the round limit ({self.max_rounds} proposals) is reached"
            return None
        if self.shown[move.party] is None:
            return f"nothing to {move.answer} yet: the mediator has passed no package on"
        return None

    # -- moves -------------------------------------------------------------------------------
    def apply(self, move: Move, at_hours: float) -> list[Event]:
        """Make ``move`` at ``at_hours``: its events (also recorded), the ending included when
        it brings every party onto one package. ``IllegalMove`` when the rules refuse it."""
        refused = self.refusal(move, at_hours)
        if refused is not None:
            raise IllegalMove(refused)
        self.now = at = max(at_hours, self.now)
        first = len(self.transcript.events)
        if isinstance(move, Pass):
            self._pass(move, at)
            return self.transcript.events[first:]
        if isinstance(move, Propose):
            self.rounds += 1
            self.sent[move.party] += (move.outcome,)
            self.positions[move.party] = move.outcome
            kind, details = EventKind.OFFER, {"sent_at_hours": at}
        else:
            accepted = move.answer == "accept"
            self.positions[move.party] = move.outcome if accepted else None
            kind = EventKind.ACCEPT if accepted else EventKind.REJECT
            details = {}
        self.transcript.record(
            Event(
                kind,
                at,
                max(self.rounds, 1),
                sender=move.party,
                receiver=self.mediator,
                outcome=move.outcome,
                delivered=move.outcome,
                details=details,
            )
        )
        agreed = common_position(self.positions)
        if agreed is not None:
            self.end(agreed, AGREEMENT, at)
        return self.transcript.events[first:]

    def _pass(self, move: Pass, at: float) -> None:
        if move.kind == "proposal" and move.delivered is not None:
            self.received[move.recipient] += (Offer(move.sender, move.delivered, at),)
        if move.kind != "reject" and move.delivered is not None:
            self.shown[move.recipient] = move.delivered
        kind = {"proposal": EventKind.OFFER, "accept": EventKind.ACCEPT}.get(
            move.kind, EventKind.REJECT
        )
        self.transcript.record(
            Event(
                kind,
                at,
                max(self.rounds, 1),
                sender=move.sender,
                receiver=move.recipient,
                outcome=move.outcome,
                delivered=move.delivered,
                via=(self.mediator,),
                details={"sent_at_hours": at} if kind == EventKind.OFFER else {},
            )
        )

    # -- endings -----------------------------------------------------------------------------
    def end(self, agreement: int | None, reason: str, at_hours: float) -> None:
        """End the talks (an agreement, the mediator closing, the round limit)."""
        if self.is_over:
            return
        self.agreement = agreement
        self.now = max(at_hours, self.now)
        self._conclude(self.transcript, agreement, reason, self.now, max(self.rounds, 1))

    def expire(self) -> None:
        """The deadline passed: the talks end at it."""
        self.end(None, PASSED, ending_time(self.now, self.deadline_hours))


def replay(machine: RelayMachine, moves: Sequence[tuple[Move, float]]) -> list[str]:
    """Apply stored moves in order; the reasons of those the rules refuse (left out)."""
    refused = []
    for move, at in moves:
        try:
            machine.apply(move, at)
        except IllegalMove as error:
            refused.append(str(error))
    return refused
