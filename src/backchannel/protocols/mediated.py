"""A mediated session: the mediator exchanges messages with each party across the route.

Used by single-text and confidential mediation. The mediator sits with the route's lead
intermediary; every message between it and a party crosses the whole route (its delays, losses
and distortions) one way, and the party's answer (sealed: delayed or lost, never reworded)
crosses it back. Parties answer in parallel, each after ``response_hours`` (or a proximity
session's own response time, ``channel.routes.NAME.sessions``).

A scenario's timeline is followed as in alternating offers: positions move as the clock runs,
and a hop the timeline suspends (or slows) holds every message, the mediator's and the
parties', until it resumes.

A scenario's breakdown hazard (``protocols.breakdown``) is drawn once after every round the
mediator's text was not accepted (:meth:`MediatedSession.collapses`), as in alternating offers.

The deadline (``protocols.deadline``): a message still in transit when it passes is void and
reads as never received; an answer that would come after it is not made; the session remembers
why (``late``) and ends at the deadline with that reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.views import Offer, PartyView
from backchannel.channel.route import Route
from backchannel.protocols.alternating import Side
from backchannel.protocols.breakdown import Hazard, collapse
from backchannel.protocols.clock import TimelineClock, arrival_time, timeline_event
from backchannel.protocols.deadline import (
    EXPIRED,
    IN_TRANSIT,
    PASSED,
    UNANSWERED,
    ending_time,
    in_time,
)
from backchannel.protocols.messages import record_delivery
from backchannel.protocols.resumption import resume_talks
from backchannel.protocols.settlement import conclude
from backchannel.protocols.transcript import Event, Transcript
from backchannel.scenario.model import Scenario


class MediatedSession:
    """Seats, clock and channel of one mediated negotiation."""

    def __init__(
        self,
        scenario: Scenario,
        strategies: Mapping[str, Strategy],
        route: Route,
        rng: np.random.Generator,
        transcript: Transcript,
        protocol: str,
    ) -> None:
        self.scenario = scenario
        self.route = route
        self.rng = rng
        self.transcript = transcript
        self.mediator_id = route.via[0] if route.via else "mediator"
        self.seats = {
            party.id: Side(party, strategies[party.id], scenario, column)
            for column, party in enumerate(scenario.parties)
        }
        self.deadline = min(seat.deadline_hours for seat in self.seats.values())
        self.clock = TimelineClock(scenario.timeline, scenario) if scenario.timeline else None
        self.late: str | None = None  # why a message or answer missed the deadline
        self.hazard = Hazard.of(scenario)
        transcript.record(
            Event(
                kind="start",
                time_hours=0.0,
                round=0,
                via=route.via,
                details={
                    "protocol": protocol,
                    "mediator": self.mediator_id,
                    "deadline_hours": self.deadline,
                },
            )
        )

    def view(self, party_id: str, at_hours: float, round_number: int) -> PartyView:
        return self.seats[party_id].view(self.scenario, at_hours, round_number)

    def send(
        self, party_id: str, text: int, at_hours: float, round_number: int, kind: str
    ) -> tuple[int | None, float]:
        """Carry a text from the mediator to a party: (what it received or None, arrival)."""
        delivery = self.route.transmit(text, at_hours, self.rng, give_up_at_hours=self.deadline)
        arrived = arrival_time(self.clock, delivery, at_hours)
        counted = record_delivery(
            self.transcript,
            delivery,
            round_number,
            self.mediator_id,
            party_id,
            kind=kind,
            sent_at_hours=at_hours,
            arrived_at_hours=arrived,
            deadline_hours=self.deadline,
        )
        if counted == EXPIRED:
            self.late = self.late or IN_TRANSIT
            return None, math.inf
        if delivery.delivered is None:
            return None, math.inf
        seat = self.seats[party_id]
        seat.received += (Offer(self.mediator_id, delivery.delivered, arrived),)
        return delivery.delivered, arrived

    def reply(
        self,
        party_id: str,
        text: int | None,
        at_hours: float,
        round_number: int,
        kind: str = "answer",
        details: dict | None = None,
    ) -> float:
        """A party's sealed answer back to the mediator; its arrival time (inf if lost)."""
        delivery = self.route.transmit(
            text if text is not None else 0,
            at_hours,
            self.rng,
            sealed=True,
            give_up_at_hours=self.deadline,
        )
        arrived = arrival_time(self.clock, delivery, at_hours)
        counted = record_delivery(
            self.transcript,
            delivery,
            round_number,
            party_id,
            self.mediator_id,
            kind=kind,
            sent_at_hours=at_hours,
            arrived_at_hours=arrived,
            details=details,
            carries_terms=text is not None,
            deadline_hours=self.deadline,
        )
        if counted == EXPIRED:
            self.late = self.late or IN_TRANSIT
            return math.inf
        return arrived

    def decides_in_time(self, arrived: float) -> float | None:
        """When a party that received a message at ``arrived`` answers, or None (and the
        reason remembered) if that would be after the deadline."""
        decided = self.route.answered_at(arrived, self.scenario.response_hours)
        if in_time(decided, self.deadline):
            return decided
        self.late = self.late or UNANSWERED
        return None

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

    def finish(
        self, agreement: int | None, reason: str, at_hours: float, rounds: int
    ) -> Transcript:
        """End the talks; an agreement must still be ratified by the deadline."""
        return conclude(
            self.scenario,
            self.transcript,
            agreement,
            reason,
            at_hours,
            rounds,
            deadline_hours=self.deadline,
        )

    def collapses(self, began: float, now: float, rounds: int) -> tuple[Transcript | None, float]:
        """After a round not accepted (begun at ``began``, over at ``now``): one draw of the
        breakdown hazard; (the finished transcript if the talks collapse for good, else None;
        when the talks go on: ``now``, or when they resume after a collapse)."""
        hazard = self.hazard
        if hazard is None or not in_time(now, self.deadline):
            return None, now
        if not hazard.strikes(self.rng, began, now):
            return None, now
        seats = list(self.seats.values())
        transcript = self.transcript
        resumes = resume_talks(
            self.scenario, transcript, hazard, now, rounds, self.clock, seats, self.deadline
        )
        if resumes is not None:
            return None, resumes
        parties = [seat.party for seat in seats]
        return collapse(self.scenario, transcript, hazard, now, rounds, parties), now

    def out_of_time(self, now: float, rounds: int) -> Transcript | None:
        """The ending when the round limit or the deadline has come, else None."""
        if self.clock is not None and math.isfinite(now):  # positions move as the clock runs
            self.follow_timeline(now, rounds + 1)
        if not in_time(now, self.deadline):  # first: a round that ran out of time did not count
            lost = "a message was lost on every attempt"
            why = self.late or (PASSED if math.isfinite(now) else lost)
            return self.finish(None, why, ending_time(now, self.deadline), rounds)
        if rounds >= self.scenario.max_rounds:
            return self.finish(None, "round limit reached", now, rounds)
        return None

    def last_time(self) -> float:
        """The time of the latest event so far."""
        return max(event.time_hours for event in self.transcript.events)

    def follow_timeline(self, now: float, round_number: int) -> None:
        """Move every seat to where the timeline puts its party at ``now``; record who moved."""
        assert self.clock is not None
        for change in self.clock.advance(now):
            self.transcript.record(timeline_event(change, now, round_number))
        for seat in self.seats.values():
            seat.move_to(self.clock.situation.party(seat.party.id))
        self.deadline = min(seat.deadline_hours for seat in self.seats.values())

    def progress(self, now: float, rounds: int) -> float:
        return min(1.0, max(now / self.deadline, rounds / self.scenario.max_rounds))
