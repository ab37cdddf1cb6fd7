"""Alternating offers as a state machine: the rules of the direct and shuttle protocols.

The driver (:class:`protocols.alternating.AlternatingOffers`) carries messages over the channel
and asks the strategies; this machine holds what the rules decide: whose turn it is
(:mod:`protocols.turns`), the rounds, each party's standing position, and what an answer does.
It takes relay's typed moves (:mod:`protocols.relay`) where they mean the same thing:

* ``Propose(party, outcome)`` opens a round; only the party whose turn it is may propose, and
  not past the round limit or while a round is open.
* ``Respond(receiver, answer, text)`` answers the text the receiver *received*. A rejection
  closes the round and hands the turn on (:class:`Turns`). When every receiver has accepted
  and the texts differ, the machine records a ``miscalculation`` and the turn passes on.
* ``Respond(proposer, answer, text)`` is the proposer's confirmation of an accepted text it
  never proposed (an intermediary changed it): ``confirm`` or ``miscalculation``.

Agreement is relay's :func:`common_position`: every party stands on one package (the proposer
on its proposal or the text it confirmed, each receiver on the text it accepted). The driver
closes the deal when the acceptance reaches the proposer (the channel decides when), and ends
the talks through :meth:`AlternatingMachine.end`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from backchannel.protocols.events import EventKind
from backchannel.protocols.relay import Move, Pass, Propose, Respond, common_position
from backchannel.protocols.transcript import Event, Transcript
from backchannel.protocols.turns import Turns
from backchannel.scenario.model import Scenario

Conclude = Callable[[int | None, str, float, int, float], Transcript]
NOT_PROPOSED = "the accepted text was not the text proposed"
TEXTS_DIFFER = "receivers accepted different texts"


class AlternatingIllegalMove(ValueError):
    """A move the rules of alternating offers do not allow now; the message says why."""


class AlternatingMachine:
    """The state of one alternating-offers negotiation, changed only by :meth:`apply` and
    :meth:`end`."""

    def __init__(self, scenario: Scenario, transcript: Transcript, conclude: Conclude) -> None:
        self.scenario = scenario
        self.transcript = transcript
        self.max_rounds = scenario.max_rounds
        self.turns = Turns(scenario)
        self._conclude = conclude
        self.receivers_of = {
            pid: tuple(other for other in scenario.party_ids if other != pid)
            for pid in scenario.party_ids
        }
        self.positions: dict[str, int | None] = dict.fromkeys(scenario.party_ids)
        self.rounds = 0
        self.proposer: str | None = None  # who proposed in the open round (None: no round open)
        self.offer: int | None = None
        self.answered: list[str] = []
        self.accepted_texts: set[int] = set()
        self.rejecter: str | None = None  # who rejected the last closed round (None: nobody)
        # every receiver accepted one text: the deal waits for the acceptance to reach the
        # proposer (and, for a changed text, the proposer's confirmation)
        self.all_accepted = False
        self._receiver_count = len(scenario.party_ids) - 1

    # -- the state ---------------------------------------------------------------------------
    @property
    def is_over(self) -> bool:
        return self.transcript.result is not None

    @property
    def round_open(self) -> bool:
        return self.proposer is not None


    def agreement(self) -> int | None:
        """The package every party stands on (relay's one definition), or None."""
        return common_position(self.positions)

    # -- who may move ------------------------------------------------------------------------
    def refusal(self, move: Move) -> str | None:
        """Why ``move`` may not be made now; None when it may."""
        if self.transcript.result is not None:
            return "the negotiation is over"
        kind = type(move)
        if kind is Pass:
            return "alternating offers has no mediator to pass messages"
        party = move.party  # type: ignore[union-attr]
        if party not in self.positions:
            return f"no party '{party}' in this negotiation"
        proposer = self.proposer
        if kind is Propose:
            if proposer is not None:
                return "a proposal is already on the table"
            if party != self.turns.proposer:
                return f"it is {self.turns.proposer}'s turn to propose"
            if self.rounds >= self.max_rounds:
                return f"the round limit ({self.max_rounds} proposals) is reached"
            return None
        if proposer is None:
            return f"nothing to {move.answer} yet: no proposal is on the table"  # type: ignore[union-attr]
        if party == proposer:
            if not self.all_accepted:
                return "the proposer answers only an accepted text it did not propose"
            if move.outcome not in self.accepted_texts or move.outcome == self.offer:
                return "the proposer confirms only the changed text that was accepted"
            return None
        receivers = self.receivers_of[proposer]
        answered = len(self.answered)
        if party in self.answered:
            return f"{party} has already answered this proposal"
        if party != receivers[answered]:
            return f"{receivers[answered]} answers first"
        return None

    # -- moves -------------------------------------------------------------------------------
    def apply(self, move: Move, at_hours: float, via: tuple[str, ...] = ()) -> list[Event]:
        """Make ``move`` at ``at_hours`` (``via``: the route the answered text came by); its
        events, also recorded. ``AlternatingIllegalMove`` when the rules refuse it."""
        refused = self.refusal(move)
        if refused is not None:
            raise AlternatingIllegalMove(refused)
        return self.play(move, at_hours, via)

    def play(self, move: Move, at_hours: float, via: tuple[str, ...] = ()) -> list[Event]:
        """:meth:`apply` without asking :meth:`refusal` first: for the step engine, whose moves
        are legal by construction (it proposes for ``turns.proposer`` and asks the receivers in
        ``receivers_of`` order); the contract test replays every run's moves through
        :meth:`apply`, which checks them."""
        if type(move) is Propose:  # records nothing: the channel records the offer's passage
            self.rounds += 1
            self.proposer, self.offer = move.party, move.outcome
            self.answered, self.accepted_texts, self.rejecter = [], set(), None
            self.all_accepted = False
            positions = self.positions = dict.fromkeys(self.positions)
            positions[move.party] = move.outcome
            return []
        events = self.transcript.events
        first = len(events)
        if move.party == self.proposer:  # type: ignore[union-attr]
            self._confirm(move, at_hours)  # type: ignore[arg-type]
        else:
            self._answer(move, at_hours, via)  # type: ignore[arg-type]
        return events[first:]

    def _answer(self, move: Respond, at: float, via: tuple[str, ...]) -> None:
        accepted = move.answer == "accept"
        proposer = self.proposer
        assert proposer is not None
        self.transcript.record(
            Event(  # kind, time, round, sender, receiver, outcome, delivered, via
                EventKind.ACCEPT if accepted else EventKind.REJECT,
                at,
                self.rounds,
                move.party,
                proposer,
                move.outcome,
                move.outcome,
                via,
            )
        )
        self.answered.append(move.party)
        if not accepted:
            self._close_round(move.party)
            return
        self.positions[move.party] = move.outcome
        self.accepted_texts.add(move.outcome)
        if len(self.answered) < self._receiver_count:
            return
        if len(self.accepted_texts) == 1:
            self.all_accepted = True
        else:
            self.transcript.record(
                Event(
                    kind=EventKind.MISCALCULATION,
                    time_hours=at,
                    round=self.rounds,
                    sender=proposer,
                    outcome=self.offer,
                    details={"accepted": sorted(self.accepted_texts), "why": TEXTS_DIFFER},
                )
            )
            self._close_round(None)

    def _confirm(self, move: Respond, at: float) -> None:
        confirmed = move.answer == "accept"
        acceptor = self.answered[-1]
        self.transcript.record(
            Event(
                kind=EventKind.CONFIRM if confirmed else EventKind.MISCALCULATION,
                time_hours=at,
                round=self.rounds,
                sender=self.proposer,
                receiver=acceptor,
                outcome=self.offer,
                delivered=move.outcome,
                details={"why": NOT_PROPOSED},
            )
        )
        if confirmed:
            self.positions[move.party] = move.outcome
        else:
            self._close_round(None)

    def _close_round(self, rejecter: str | None) -> None:
        """The round is over: the turn passes (to ``rejecter`` between two parties)."""
        self.proposer, self.offer, self.rejecter = None, None, rejecter
        self.all_accepted = False
        self.turns.after(rejecter)

    # -- endings -----------------------------------------------------------------------------
    def end(
        self, agreement: int | None, reason: str, at_hours: float, deadline: float = float("inf")
    ) -> Transcript:
        """End the talks (agreement, deadline, round limit, a lost message) through the
        driver's settlement, which ratifies an agreement by ``deadline``."""
        return self._conclude(agreement, reason, at_hours, self.rounds, deadline)


def replay(
    machine: AlternatingMachine, moves: Sequence[tuple[Move, float, tuple[str, ...]]]
) -> list[str]:
    """Apply stored moves (move, time, route) in order; the reasons of those the rules refuse
    (left out)."""
    refused = []
    for move, at, via in moves:
        try:
            machine.apply(move, at, via)
        except AlternatingIllegalMove as error:
            refused.append(str(error))
    return refused
