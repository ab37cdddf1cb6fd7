"""Alternating offers as a state machine: the rules of the direct and shuttle protocols.

The driver (:class:`protocols.alternating.AlternatingOffers`) carries messages over the channel
and asks the strategies; this machine holds what the rules decide: whose turn it is
(:mod:`protocols.turns`), the rounds and the round limit, what an answer does, and when the
parties stand on one package. Its moves are relay's typed moves (:mod:`protocols.relay`):

* ``Propose(party, outcome)`` opens a round; only the party whose turn it is may propose, and
  not past the round limit or while a round is open.
* ``Respond(receiver, answer, text)`` answers the text the receiver *received*, receivers in
  party order. A rejection closes the round and hands the turn on (:class:`Turns`). When every
  receiver has accepted and the texts differ, the machine records a ``miscalculation`` and the
  turn passes on.
* ``Respond(proposer, answer, text)`` is the proposer's confirmation of the one accepted text it
  never proposed (an intermediary changed it): ``confirm``, or ``miscalculation`` and the turn
  passes on.

Agreement is relay's :func:`common_position`: every party stands on one package (the proposer
on its proposal or the text it confirmed, each receiver on the text it accepted). The driver
closes the deal when the acceptance reaches the proposer (the channel decides when).

Two ways in, one set of rules. :meth:`AlternatingMachine.apply` checks a move against
:meth:`~AlternatingMachine.refusal` first (moves from outside: a replay, a person).
:meth:`~AlternatingMachine.propose`, :meth:`~AlternatingMachine.answer` and
:meth:`~AlternatingMachine.confirm` are the trusted path of the step engine, whose moves are
legal by construction; they build no move objects, so a run pays only for the rules.
:class:`CheckedAlternatingMachine` makes the trusted path check and keep every move: the
contract test drives runs through it and replays their moves through a fresh machine.
"""

from __future__ import annotations

from collections.abc import Iterable

from backchannel.protocols.events import EventKind
from backchannel.protocols.relay import IllegalMove, Move, Propose, Respond, common_position
from backchannel.protocols.transcript import NO_DETAILS, Event, Transcript
from backchannel.protocols.turns import Turns
from backchannel.scenario.model import Scenario

NOT_PROPOSED = "the accepted text was not the text proposed"
TEXTS_DIFFER = "receivers accepted different texts"
ACCEPT, REJECT = EventKind.ACCEPT, EventKind.REJECT
new_tuple = tuple.__new__  # a named tuple from all its fields in order
MovePlayed = tuple[Move, float, tuple[str, ...]]  # a move, when it was made, the route it answered


class AlternatingMachine:
    """The state of one alternating-offers negotiation, changed only by its moves."""

    __slots__ = (
        "_events",
        "_receiver_count",
        "accepted",
        "confirmed",
        "max_rounds",
        "offer",
        "proposer",
        "receivers_of",
        "rejecter",
        "rounds",
        "transcript",
        "turns",
    )

    def __init__(self, scenario: Scenario, transcript: Transcript) -> None:
        self.transcript = transcript
        self._events = transcript.events
        self.max_rounds = scenario.max_rounds
        self.turns = Turns(scenario)
        ids = scenario.party_ids
        # who answers a party's proposal, in the order they are asked (party order)
        self.receivers_of = {pid: tuple(other for other in ids if other != pid) for pid in ids}
        self._receiver_count = len(ids) - 1
        self.rounds = 0
        self.proposer: str | None = None  # who proposed in the open round (None: none open)
        self.offer: int | None = None
        self.accepted: list[int] = []  # the texts accepted in the open round, in answer order
        self.rejecter: str | None = None  # who rejected the last closed round (None: nobody)
        self.confirmed: int | None = None  # the changed text the proposer confirmed

    # -- the state ---------------------------------------------------------------------------
    @property
    def is_over(self) -> bool:
        return self.transcript.result is not None

    @property
    def out_of_rounds(self) -> bool:
        """The round limit is reached: no party may propose again."""
        return self.rounds >= self.max_rounds

    @property
    def all_accepted(self) -> bool:
        """Every receiver accepted the open proposal, all as one text: the deal waits for the
        acceptance to reach the proposer (and, for a changed text, its confirmation)."""
        return self.proposer is not None and len(self.accepted) == self._receiver_count

    @property
    def awaiting_confirmation(self) -> int | None:
        """The accepted text the proposer must confirm (it proposed another), or None."""
        if not self.all_accepted or self.confirmed is not None:
            return None
        text = self.accepted[0]
        return text if text != self.offer else None

    def agreement(self) -> int | None:
        """The package every party stands on (relay's one definition), or None."""
        proposer = self.proposer
        if proposer is None or not self.all_accepted:
            return None
        receivers = self.receivers_of[proposer]
        standing: dict[str, int | None] = dict(zip(receivers, self.accepted, strict=True))
        standing[proposer] = self.offer if self.confirmed is None else self.confirmed
        return common_position(standing)

    # -- who may move ------------------------------------------------------------------------
    def refusal(self, move: Move) -> str | None:
        """Why ``move`` may not be made now; None when it may."""
        if self.transcript.result is not None:
            return "the negotiation is over"
        if self.agreement() is not None:
            return "the parties have agreed; the deal waits only to be closed"
        if not isinstance(move, Propose | Respond):
            return "alternating offers has no mediator to pass messages"
        party = move.party
        if party not in self.receivers_of:
            return f"no party '{party}' in this negotiation"
        proposer = self.proposer
        if isinstance(move, Propose):
            if proposer is not None:
                return "a proposal is already on the table"
            if party != self.turns.proposer:
                return f"it is {self.turns.proposer}'s turn to propose"
            if self.out_of_rounds:
                return f"the round limit ({self.max_rounds} proposals) is reached"
            return None
        if proposer is None:
            return f"nothing to {move.answer} yet: no proposal is on the table"
        if party == proposer:
            waiting = self.awaiting_confirmation
            if waiting is None:
                return "the proposer answers only an accepted text it did not propose"
            if move.outcome != waiting:
                return f"the proposer may confirm only the text accepted ({waiting})"
            return None
        receivers = self.receivers_of[proposer]
        answered = len(self.accepted)
        if receivers.index(party) < answered:
            return f"{party} has already answered this proposal"
        if party != receivers[answered]:
            return f"{receivers[answered]} answers first"
        return None

    def apply(self, move: Move, at_hours: float, via: tuple[str, ...] = ()) -> list[Event]:
        """Make ``move`` at ``at_hours`` (``via``: the route the answered text came by); the
        events it recorded. ``IllegalMove`` saying why when the rules refuse it."""
        refused = self.refusal(move)
        if refused is not None:
            raise IllegalMove(refused)
        first = len(self._events)
        if isinstance(move, Propose):
            AlternatingMachine.propose(self, move.party, move.outcome)
        elif move.party == self.proposer:  # type: ignore[union-attr]
            AlternatingMachine.confirm(self, move.answer == "accept", at_hours)  # type: ignore[union-attr]
        else:
            accepted = move.answer == "accept"  # type: ignore[union-attr]
            AlternatingMachine.answer(self, move.party, accepted, move.outcome, at_hours, via)  # type: ignore[union-attr]
        return self._events[first:]

    # -- the trusted path: the step engine's moves, legal by construction --------------------
    def propose(self, party: str, outcome: int) -> None:
        """``party`` (whose turn it is) proposes ``outcome``; records nothing: the channel
        records the offer's passage."""
        self.rounds += 1
        self.proposer, self.offer = party, outcome
        self.accepted, self.rejecter, self.confirmed = [], None, None

    def answer(
        self, party: str, accepted: bool, text: int, at_hours: float, via: tuple[str, ...]
    ) -> None:
        """The next receiver answers the ``text`` it received."""
        proposer = self.proposer
        self._events.append(
            new_tuple(  # Event's fields in order, without its keyword layer: every answer's
                Event,
                (
                    ACCEPT if accepted else REJECT,
                    at_hours,
                    self.rounds,
                    party,
                    proposer,
                    text,
                    text,
                    via,
                    NO_DETAILS,
                ),
            )
        )
        if not accepted:  # the round is over and the turn passes: _close_round, inlined
            self.proposer, self.offer, self.rejecter = None, None, party
            self.turns.after(party)
            return
        texts = self.accepted
        texts.append(text)
        if len(texts) < self._receiver_count or len(set(texts)) == 1:
            return
        self._events.append(
            Event(
                kind=EventKind.MISCALCULATION,
                time_hours=at_hours,
                round=self.rounds,
                sender=proposer,
                outcome=self.offer,
                details={"accepted": sorted(set(texts)), "why": TEXTS_DIFFER},
            )
        )
        self._close_round(None)

    def confirm(self, confirmed: bool, at_hours: float) -> None:
        """The proposer confirms (or refuses) the one text accepted, which it did not propose."""
        text = self.accepted[0]
        self._events.append(
            Event(
                kind=EventKind.CONFIRM if confirmed else EventKind.MISCALCULATION,
                time_hours=at_hours,
                round=self.rounds,
                sender=self.proposer,
                receiver=self.receivers_of[self.proposer][-1],  # type: ignore[index]
                outcome=self.offer,
                delivered=text,
                details={"why": NOT_PROPOSED},
            )
        )
        if confirmed:
            self.confirmed = text
        else:
            self._close_round(None)

    def _close_round(self, rejecter: str | None) -> None:
        """The round is over: the turn passes (to ``rejecter`` between two parties)."""
        self.proposer, self.offer, self.rejecter = None, None, rejecter
        self.turns.after(rejecter)


class CheckedAlternatingMachine(AlternatingMachine):
    """The machine whose trusted path checks every move against the rules and keeps it
    (``moves``), for tests that drive real runs through it and replay them."""

    __slots__ = ("moves",)

    def __init__(self, scenario: Scenario, transcript: Transcript) -> None:
        super().__init__(scenario, transcript)
        self.moves: list[MovePlayed] = []

    def propose(self, party: str, outcome: int) -> None:
        self._check(Propose(party, outcome), 0.0, ())
        super().propose(party, outcome)

    def answer(
        self, party: str, accepted: bool, text: int, at_hours: float, via: tuple[str, ...]
    ) -> None:
        self._check(Respond(party, "accept" if accepted else "reject", text), at_hours, via)
        super().answer(party, accepted, text, at_hours, via)

    def confirm(self, confirmed: bool, at_hours: float) -> None:
        assert self.proposer is not None
        answer = "accept" if confirmed else "reject"
        self._check(Respond(self.proposer, answer, self.accepted[0]), at_hours, ())
        super().confirm(confirmed, at_hours)

    def _check(self, move: Move, at_hours: float, via: tuple[str, ...]) -> None:
        refused = self.refusal(move)
        if refused is not None:
            raise IllegalMove(f"the step engine made a move the rules refuse: {refused}")
        self.moves.append((move, at_hours, via))


def replay(machine: AlternatingMachine, moves: Iterable[MovePlayed]) -> list[str]:
    """Apply stored moves (move, time, route) in order; the reasons of those the rules refuse
    (left out)."""
    refused = []
    for move, at_hours, via in moves:
        try:
            machine.apply(move, at_hours, via)
        except IllegalMove as error:
            refused.append(str(error))
    return refused
