"""Single negotiating text as a state machine: the rules, written once.

Moves (typed, each made at a time in hours):

* :class:`FirstDraft`: the mediator puts its first draft on the table (once, before any round).
* :class:`PutText`: the mediator sends every party the standing draft and one amendment, at an
  announced temperature: a round opens. Not past the deadline, the round limit, or while a
  round is open.
* :class:`Answer` (``protocols.mediated_machine``): a party's answer, made at the time it
  reaches the mediator: whether it accepts the draft as it received it, whether it votes for the
  amendment. Once per party and round.

When every party has answered, the round closes at the last answer. If that is past the
deadline, the round does not count and the talks end. Otherwise: a draft every party accepted
*as sent* is the agreement; all accepting changed texts is a ``miscalculation``; the amendment
stands when the votes adopt it (every party, by default) and the mediator notes ``amend`` or
``keep``; then the breakdown hazard and the time are checked (``MediatedMachine``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from backchannel.agents.base import Strategy
from backchannel.protocols.mediated_machine import (
    AGREEMENT,
    CHANGED_TEXT,
    Answer,
    Chance,
    MediatedMachine,
)
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario


@dataclass(frozen=True, slots=True)
class FirstDraft:
    """The mediator's first draft: ``origin`` says where it came from (a package on the table,
    or the middle of every issue), ``policy`` how the mediator will amend it."""

    text: int
    origin: str
    policy: str


@dataclass(frozen=True, slots=True)
class PutText:
    """The mediator sends the standing draft and ``amendment`` to every party: a round opens."""

    amendment: int
    temperature: float = 0.0


SingleTextMove = FirstDraft | PutText | Answer


class SingleTextMachine(MediatedMachine):
    """The state of one single-text negotiation, changed only by its moves."""

    protocol = "single-text"

    def __init__(
        self,
        scenario: Scenario,
        transcript: Transcript,
        strategies: Mapping[str, Strategy],
        *,
        via: tuple[str, ...] = (),
        chance: Chance | None = None,
        adopt: Callable[[Sequence[bool]], bool] = all,
    ) -> None:
        super().__init__(scenario, transcript, strategies, via=via, chance=chance)
        self.draft: int | None = None
        self.amendment: int | None = None
        self.temperature = 0.0
        self._adopt = adopt
        self._parties = len(self.seats)

    # -- who may move ------------------------------------------------------------------------
    def refusal(self, move: SingleTextMove, at_hours: float) -> str | None:
        """Why ``move`` may not be made at ``at_hours``; None when it may."""
        if self.is_over:
            return "the negotiation is over"
        if isinstance(move, FirstDraft):
            return None if self.draft is None else "the first draft is already on the table"
        if self.draft is None:
            return "the mediator has put no first draft on the table yet"
        if isinstance(move, Answer):
            return self._answer_refusal(move, at_hours)
        return self._opening_refusal(at_hours)

    # -- moves -------------------------------------------------------------------------------
    def play(self, move: SingleTextMove, at_hours: float) -> None:
        """:meth:`apply` without asking :meth:`refusal`: for the step engine, whose moves are
        legal by construction; the contract test replays every run's moves through
        :meth:`apply`, which checks them. Its events are recorded, not returned."""
        kind = type(move)
        if kind is Answer:
            self._take(move, at_hours)  # type: ignore[arg-type]
            if len(self.answers) == self._parties:
                self._close()
        elif kind is PutText:
            self._open_round(at_hours)
            self.amendment, self.temperature = move.amendment, move.temperature  # type: ignore[union-attr]
        else:
            self.draft = move.text  # type: ignore[union-attr]
            self.note(
                "first_draft",
                at_hours,
                0,
                text=move.text,  # type: ignore[union-attr]
                origin=move.origin,  # type: ignore[union-attr]
                policy=move.policy,  # type: ignore[union-attr]
            )
            self._check_time(at_hours)

    def _close(self) -> None:
        self.open = False
        now = max([at for _, at in self.answers.values()])
        if now > self.deadline:  # the round ran out of time: it does not count
            self._check_time(now)
            return
        answers, rounds, draft = self._in_order(), self.rounds, self.draft
        if all(answer.accepts and answer.received is not None for answer in answers):
            if all(answer.received == draft for answer in answers):
                self.end(draft, AGREEMENT, now)
                return
            self.note("miscalculation", now, rounds, why=CHANGED_TEXT)
        votes = [answer.prefers for answer in answers]
        adopted = self._adopt(votes)
        self.note(
            "amend" if adopted else "keep",
            now,
            rounds,
            draft=draft,
            amendment=self.amendment,
            votes=votes,
            temperature=self.temperature,
        )
        if adopted:
            self.draft = self.amendment
        self._after_refusal(self.began, now)  # the draft was not accepted
