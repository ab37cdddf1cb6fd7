"""Confidential mediation as a state machine: the rules, written once.

Moves (typed, each made at a time in hours):

* :class:`Confide`: a party's confidence reaches the mediator (once each, before anything else).
  When every confidence is in, the time is checked.
* :class:`Plan`: the mediator's private reading of the confidences. Colliding red lines end the
  talks (``red_lines_collide``); no zone of agreement by the confided walk-away values is noted
  (``no_zone``) and the talks go on. Its candidates fix the rotation: the packages on the table
  that lead the plan, then the best package, in turn.
* :class:`Propose`: the mediator proposes the package the rotation says is due: a round opens.
* :class:`Answer` (``protocols.mediated_machine``): a party accepts or rejects the text it
  received, at the time its answer reaches the mediator. A party that received nothing (or
  could not answer by the deadline) ends the round at once, unanswered.
* :class:`Improve`: after a settlement, the mediator offers a package every side confided it
  prefers (Raiffa's post-settlement settlement: a round of its own), or None: the deal stands.
  Each party's :class:`Answer` says whether it prefers the package as it received it; if every
  party does, in time, it replaces the deal.

A round every party accepted *as sent* settles the package; all accepting changed texts is a
``miscalculation``; a round not accepted is followed by the breakdown hazard and the time check
(``MediatedMachine``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from backchannel.agents.base import Strategy
from backchannel.protocols.deadline import in_time
from backchannel.protocols.mediated_machine import (
    AGREEMENT,
    CHANGED_TEXT,
    Answer,
    Chance,
    MediatedMachine,
)
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario

RED_LINES = "no package satisfies every side's red lines"


@dataclass(frozen=True, slots=True)
class Confide:
    """``party``'s confidence has reached the mediator (``late``: why it missed the
    deadline)."""

    party: str
    late: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The mediator's reading of the confidences: its candidates, best first; whether the
    sides' red lines collide; whether the confided walk-away values leave a zone."""

    candidates: tuple[int, ...]
    red_lines_collide: bool = False
    zone_exists: bool = True


@dataclass(frozen=True, slots=True)
class Propose:
    """The mediator proposes ``package`` to every party."""

    package: int


@dataclass(frozen=True, slots=True)
class Improve:
    """After a settlement, the mediator offers ``package`` instead (None: the deal stands)."""

    package: int | None


ConfidentialMove = Confide | Plan | Propose | Answer | Improve


class ConfidentialMachine(MediatedMachine):
    """The state of one confidential mediation, changed only by its moves."""

    protocol = "confidential"

    def __init__(
        self,
        scenario: Scenario,
        transcript: Transcript,
        strategies: Mapping[str, Strategy],
        *,
        via: tuple[str, ...] = (),
        chance: Chance | None = None,
    ) -> None:
        super().__init__(scenario, transcript, strategies, via=via, chance=chance)
        self.confided: dict[str, float] = {}  # who confided, when it reached the mediator
        self.rotation: tuple[int, ...] | None = None
        self.package: int | None = None  # the package of the open round
        self.settled: int | None = None
        self.improving: int | None = None
        self._parties = len(self.seats)

    @property
    def due(self) -> int:
        """The package the rotation puts to the parties in the next round."""
        assert self.rotation is not None
        return self.rotation[self.rounds % len(self.rotation)]

    # -- who may move ------------------------------------------------------------------------
    def refusal(self, move: ConfidentialMove, at_hours: float) -> str | None:
        """Why ``move`` may not be made at ``at_hours``; None when it may."""
        if self.is_over:
            return "the negotiation is over"
        if isinstance(move, Confide):
            if move.party not in self.seats:
                return f"no party '{move.party}' in this negotiation"
            if move.party in self.confided:
                return f"{move.party} has already confided"
            return None
        if len(self.confided) < self._parties:
            waiting = [pid for pid in self.seats if pid not in self.confided]
            return f"the mediator waits for {', '.join(waiting)} to confide"
        if isinstance(move, Plan):
            return None if self.rotation is None else "the mediator has already made its plan"
        if self.rotation is None:
            return "the mediator has made no plan from the confidences yet"
        if isinstance(move, Answer):
            return self._answer_refusal(move, at_hours)
        opening = self._opening_refusal(at_hours)
        if opening is not None:
            return opening
        if isinstance(move, Improve):
            if self.settled is None:
                return "nothing is settled to improve on"
            if self.improving is not None:
                return "the mediator has already offered its improvement"
            return None
        if self.settled is not None:
            return "a package is settled: the mediator may only offer an improvement"
        if move.package != self.due:
            return f"package {self.due} is due this round (the rotation {list(self.rotation)})"
        return None

    # -- moves -------------------------------------------------------------------------------
    def play(self, move: ConfidentialMove, at_hours: float) -> None:
        """:meth:`apply` without asking :meth:`refusal`: for the step engine, whose moves are
        legal by construction; the contract test replays every run's moves through
        :meth:`apply`, which checks them. Its events are recorded, not returned."""
        kind = type(move)
        if kind is Answer:
            self._answer(move, at_hours)  # type: ignore[arg-type]
        elif kind is Propose:
            self._open_round(at_hours)
            self.package = move.package  # type: ignore[union-attr]
        elif kind is Confide:
            self.confided[move.party] = at_hours  # type: ignore[union-attr]
            if move.late is not None and self.late is None:  # type: ignore[union-attr]
                self.late = move.late  # type: ignore[union-attr]
            if len(self.confided) == self._parties:
                self._check_time(max(self.confided.values()))
        elif kind is Plan:
            self._plan(move)  # type: ignore[arg-type]
        else:
            self._improve(move.package, at_hours)  # type: ignore[union-attr]

    def _plan(self, plan: Plan) -> None:
        now = self.now
        if plan.red_lines_collide:
            self.note("red_lines_collide", now, 0, why="no package respects every side's red lines")
            self.rotation = ()
            self.end(None, RED_LINES, now)
            return
        if not plan.zone_exists:
            self.note("no_zone", now, 0, why="no package meets every confided walk-away value")
        on_table = {package.index for package in self.scenario.packages}
        leading = 0
        while leading < len(plan.candidates) and plan.candidates[leading] in on_table:
            leading += 1
        self.rotation = tuple(plan.candidates[: leading + 1])
        self._check_time(now)

    def _improve(self, package: int | None, at_hours: float) -> None:
        if package is None:
            self.end(self.settled, AGREEMENT, self.now)
            return
        self._open_round(at_hours)
        self.improving = package

    def _answer(self, move: Answer, at_hours: float) -> None:
        self._take(move, at_hours)
        if self.improving is not None:
            if move.received is None:  # the settled deal stands; the try ended here
                self.end(self.settled, AGREEMENT, self._last_heard())
            elif len(self.answers) == self._parties:
                self._close_improvement()
            return
        if move.received is None:  # no answer: the round is over, unanswered
            self._close_proposal(float("inf"))
        elif len(self.answers) == self._parties:
            self._close_proposal(max([at for _, at in self.answers.values()]))

    def _close_proposal(self, now: float) -> None:
        self.open = False
        if now > self.deadline:  # an answer missed the deadline: the round does not count
            self._check_time(now)
            return
        answers = self._in_order()
        if all(answer.accepts for answer in answers):
            if all(answer.received == self.package for answer in answers):
                self.settled, self.now = self.package, now
                return
            self.note("miscalculation", now, self.rounds, why=CHANGED_TEXT)
        self._after_refusal(self.began, now)  # the text was not accepted

    def _last_heard(self) -> float:
        """When the post-settlement round is over: at its latest event or answer."""
        arrivals = [at for _, at in self.answers.values() if math.isfinite(at)]
        return max([self.last_time(), *arrivals])

    def _close_improvement(self) -> None:
        self.open = False
        better = self.improving
        votes = [answer.accepts and answer.received == better for answer in self._in_order()]
        latest = max([at for _, at in self.answers.values()])
        improved = all(votes) and in_time(latest, self.deadline)
        done = self._last_heard()  # the talks end with the last answer (or the deadline)
        self.note(
            "post_settlement",
            done,
            self.rounds,
            settled=self.settled,
            proposed=better,
            improved=improved,
        )
        self.end(better if improved else self.settled, AGREEMENT, done)
