"""What single-text and confidential mediation share, as the base of their machines.

A mediated machine holds the state of one mediated negotiation (the seats, the rounds, the
deadline as the timeline moves it, why a message missed the deadline) and the rules both
protocols keep:

* **A round** opens with the mediator's move and closes when every party's :class:`Answer` is
  in (confidential mediation: or at the first party that could not answer). It closes when the
  last answer reaches the mediator.
* **The deadline** (:mod:`protocols.deadline`): a round whose answers come after it does not
  count, and the talks end at it with the reason the first late message gave (``late``), or
  "deadline passed", or, when an answer never came, "a message was lost on every attempt".
* **The round limit**: the talks end once the scenario's ``max_rounds`` rounds are over.
* **The timeline**: before the time is checked, every seat moves to where the timeline puts its
  party, and the deadline follows.
* **Breakdown risk** (:mod:`protocols.breakdown`): after every round whose text was not
  accepted, while in time, chance decides once whether the talks collapse (and whether and when
  they resume). Chance is the machine's ``chance``: the step engine draws from the run's
  generator; a replay answers with the draws it recorded.

The machine records the rules' events (the start, the mediator's notes, the timeline's moves, a
collapse, the ending); the driver records the messages it carries over the channel
(:class:`protocols.mediated.MediatedChannel`) between moves.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.views import PartyView
from backchannel.protocols.alternating import Side
from backchannel.protocols.breakdown import Hazard, collapse
from backchannel.protocols.clock import TimelineClock, timeline_event
from backchannel.protocols.deadline import PASSED, ROUND_LIMIT, ending_time, in_time
from backchannel.protocols.relay import IllegalMove
from backchannel.protocols.resumption import resume_talks
from backchannel.protocols.settlement import conclude
from backchannel.protocols.transcript import Event, Transcript
from backchannel.scenario.model import Scenario

AGREEMENT = "agreement"
LOST = "a message was lost on every attempt"
CHANGED_TEXT = "a party accepted a changed text"
Chance = Callable[[Hazard, float, float], bool]  # (hazard, round began, round over) -> collapses


class Answer(NamedTuple):
    """A party's answer to the mediator's text, as it reached the mediator (a named tuple, as
    :class:`Event` is: one is made per party and round, on the step engine's hot path).

    ``received`` is the text as the party received it (None: nothing reached it, or it could not
    answer by the deadline: there is no answer); ``accepts`` whether it accepts that text
    (confidential mediation's post-settlement round: whether it prefers it to the deal);
    ``prefers`` whether it votes for single text's amendment; ``late`` why a message of this
    exchange missed the deadline, if one did."""

    party: str
    received: int | None
    accepts: bool = False
    prefers: bool = False
    late: str | None = None


class MediatedMachine(ABC):
    """The shared state and rules of a mediated negotiation; subclasses add their moves."""

    protocol = "mediated"

    def __init__(
        self,
        scenario: Scenario,
        transcript: Transcript,
        strategies: Mapping[str, Strategy],
        *,
        via: tuple[str, ...] = (),
        chance: Chance | None = None,
    ) -> None:
        self.scenario = scenario
        self.transcript = transcript
        self.mediator_id = mediator = via[0] if via else "mediator"  # with the lead intermediary
        self.seats = {
            party.id: Side(party, strategies[party.id], scenario, column)
            for column, party in enumerate(scenario.parties)
        }
        self.deadline = min(seat.deadline_hours for seat in self.seats.values())
        self.clock = TimelineClock(scenario.timeline, scenario) if scenario.timeline else None
        self.hazard = Hazard.of(scenario)
        self.chance = chance
        self.late: str | None = None  # why a message or answer missed the deadline
        self.rounds = 0
        self.now = 0.0  # when the mediator can move next
        self.began = 0.0  # when the open round began
        self.open = False  # a round waits for answers
        self.answers: dict[str, tuple[Answer, float]] = {}
        transcript.record(
            Event(
                kind="start",
                time_hours=0.0,
                round=0,
                via=via,
                details={
                    "protocol": self.protocol,
                    "mediator": mediator,
                    "deadline_hours": self.deadline,
                },
            )
        )

    # -- the state ---------------------------------------------------------------------------
    @abstractmethod
    def refusal(self, move: Any, at_hours: float) -> str | None:
        """Why the rules refuse ``move`` at ``at_hours``, or None; each machine says."""

    @abstractmethod
    def play(self, move: Any, at_hours: float) -> None:
        """Make ``move`` unchecked, recording its events; each machine says how."""

    def apply(self, move: Any, at_hours: float) -> list[Event]:
        """Make ``move`` at ``at_hours``: its events (also recorded), the ending included.
        ``IllegalMove`` saying why when the rules refuse it."""
        refused = self.refusal(move, at_hours)
        if refused is not None:
            raise IllegalMove(refused)
        events = self.transcript.events
        first = len(events)
        self.play(move, at_hours)
        return events[first:]

    @property
    def is_over(self) -> bool:
        return self.transcript.result is not None

    def view(self, party_id: str, at_hours: float, round_number: int) -> PartyView:
        return self.seats[party_id].view(self.scenario, at_hours, round_number)

    def progress(self, now: float, rounds: int) -> float:
        """How far along the talks are (0 to 1): time against the deadline or rounds against
        the round limit, whichever is further."""
        return min(1.0, max(now / self.deadline, rounds / self.scenario.max_rounds))

    def last_time(self) -> float:
        """The time of the latest event so far."""
        return max(event.time_hours for event in self.transcript.events)

    # -- shared refusals ---------------------------------------------------------------------
    def _answer_refusal(self, move: Answer, at_hours: float) -> str | None:
        if not self.open:
            return "nothing to answer: the mediator has put no text this round"
        if move.party not in self.seats:
            return f"no party '{move.party}' in this negotiation"
        if move.party in self.answers:
            return f"{move.party} has already answered this round"
        if at_hours < self.began:
            return f"an answer cannot reach the mediator (hour {at_hours:g}) before the text left"
        return None

    def _opening_refusal(self, at_hours: float) -> str | None:
        if self.open:
            waiting = [pid for pid in self.seats if pid not in self.answers]
            return f"a round is open: waiting for {', '.join(waiting)} to answer"
        if at_hours < self.now:
            return f"times never go back: the mediator can move from hour {self.now:g}"
        if not in_time(at_hours, self.deadline):
            return f"the deadline passed (hour {self.deadline:g} of the negotiation)"
        return None

    # -- shared rules ------------------------------------------------------------------------
    def _open_round(self, at_hours: float) -> None:
        self.rounds += 1
        self.open, self.began, self.answers = True, at_hours, {}

    def _take(self, move: Answer, at_hours: float) -> None:
        """Keep an answer; remember why it missed the deadline, if it did."""
        self.answers[move.party] = (move, at_hours)
        if move.late is not None and self.late is None:
            self.late = move.late

    def _in_order(self) -> list[Answer]:
        """The round's answers in the parties' order."""
        return [self.answers[pid][0] for pid in self.seats if pid in self.answers]

    def note(self, kind: str, at_hours: float, round_number: int, **details: object) -> None:
        """An event only the mediator knows of (``visibility: mediator``)."""
        self.transcript.record(
            Event(
                kind=kind,
                time_hours=at_hours,
                round=round_number,
                sender=self.mediator_id,
                details={"visibility": "mediator", **details},
            )
        )

    def end(self, agreement: int | None, reason: str, at_hours: float) -> Transcript:
        """End the talks; an agreement must still be ratified by the deadline."""
        self.open = False
        return conclude(
            self.scenario,
            self.transcript,
            agreement,
            reason,
            at_hours,
            self.rounds,
            deadline_hours=self.deadline,
        )

    def _check_time(self, now: float) -> bool:
        """Before the next round: follow the timeline, then end the talks if the deadline or
        the round limit has come (True when they ended)."""
        if self.clock is not None and math.isfinite(now):  # positions move as the clock runs
            self._follow_timeline(now, self.rounds + 1)
        if not in_time(now, self.deadline):  # first: a round that ran out of time did not count
            why = self.late or (PASSED if math.isfinite(now) else LOST)
            self.end(None, why, ending_time(now, self.deadline))
            return True
        if self.rounds >= self.scenario.max_rounds:
            self.end(None, ROUND_LIMIT, now)
            return True
        self.now = now
        return False

    def _after_refusal(self, began: float, now: float) -> None:
        """A round whose text was not accepted is over: chance may break the talks off (for
        good, or until they resume); then the time is checked."""
        hazard, chance = self.hazard, self.chance
        if (
            hazard is not None
            and chance is not None
            and in_time(now, self.deadline)
            and chance(hazard, began, now)
        ):
            seats = list(self.seats.values())
            resumes = resume_talks(
                self.scenario,
                self.transcript,
                hazard,
                now,
                self.rounds,
                self.clock,
                seats,
                self.deadline,
            )
            if resumes is None:
                parties = [seat.party for seat in seats]
                collapse(self.scenario, self.transcript, hazard, now, self.rounds, parties)
                self.open = False
                return
            now = resumes
        self._check_time(now)

    def _follow_timeline(self, now: float, round_number: int) -> None:
        """Move every seat to where the timeline puts its party at ``now``; record who moved."""
        assert self.clock is not None
        for change in self.clock.advance(now):
            self.transcript.record(timeline_event(change, now, round_number))
        for seat in self.seats.values():
            seat.move_to(self.clock.situation.party(seat.party.id))
        self.deadline = min(seat.deadline_hours for seat in self.seats.values())


def draw_from(rng: np.random.Generator) -> Chance:
    """The step engine's chance: one draw of the hazard from the run's generator."""

    def chance(hazard: Hazard, began: float, now: float) -> bool:
        return hazard.strikes(rng, began, now)

    return chance
