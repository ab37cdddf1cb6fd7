"""Alternating offers over a route: the engine behind the direct and shuttle protocols.

Parties take turns proposing. Each proposal travels to every other party along the route
(directly, or through intermediaries that take their time); each receiver answers what it
*received*. A rejection hands the turn to the next party, whose counter-offer leaves when it has
decided. Agreement needs every other party's acceptance; the deadline and a round limit end it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.channel.route import Route
from backchannel.protocols.transcript import Event, Result, Transcript
from backchannel.protocols.views import Offer, PartyView, read_only
from backchannel.scenario.model import Party, Scenario
from backchannel.timeline.clock import TimelineClock, timeline_event

HOURS_PER_DAY = 24.0
RouteFor = Callable[[str, str], Route]


@dataclass(frozen=True)
class AlternatingSettings:
    """Protocol options that do not belong to the scenario."""

    name: str = "direct"
    direct_contact: bool = False


class Seat:
    """One party's private state during a negotiation."""

    def __init__(self, party: Party, strategy: Strategy, scenario: Scenario, column: int) -> None:
        self.strategy = strategy
        self.utilities = read_only(scenario.utilities[:, column])
        self.allowed = scenario.allowed[:, column]
        self.negotiation_days = scenario.deadline_days
        self.move_to(party)
        self.received: list[Offer] = []
        self.sent: list[int] = []

    def move_to(self, party: Party) -> None:
        """Take up the party's position (a timeline may move it while the talks run)."""
        self.party = party
        self.acceptable = read_only(self.allowed & (self.utilities >= party.reservation))
        days = min(self.negotiation_days, party.deadline_days or self.negotiation_days)
        self.deadline_hours = HOURS_PER_DAY * days

    def view(self, scenario: Scenario, now_hours: float, round_number: int) -> PartyView:
        # Time runs out by the clock or by the round limit, whichever is closer (as in NegMAS).
        relative = max(now_hours / self.deadline_hours, round_number / scenario.max_rounds)
        return PartyView(
            party_id=self.party.id,
            space=scenario.space,
            utilities=self.utilities,
            acceptable=self.acceptable,
            reservation=self.party.reservation,
            relative_time=min(relative, 1.0),
            elapsed_hours=now_hours,
            round=round_number,
            received=tuple(self.received),
            sent=tuple(self.sent),
        )


class AlternatingOffers:
    """Runs one negotiation; create a new instance (or call :meth:`run` again) per negotiation."""

    def __init__(
        self, scenario: Scenario, route_for: RouteFor, settings: AlternatingSettings
    ) -> None:
        self.scenario = scenario
        self.route_for = route_for
        self.settings = settings
        self._seats: list[Seat] = []
        self._clock: TimelineClock | None = None

    def run(
        self,
        strategies: Mapping[str, Strategy],
        rng: np.random.Generator,
        transcript: Transcript,
    ) -> Transcript:
        scenario = self.scenario
        seats = [
            Seat(party, strategies[party.id], scenario, column)
            for column, party in enumerate(scenario.parties)
        ]
        deadline = min(seat.deadline_hours for seat in seats)
        order = _turn_order(scenario)
        self._record_start(transcript, seats)
        self._seats = seats
        self._clock = TimelineClock(scenario.timeline, scenario) if scenario.timeline else None
        now, turn, round_number = 0.0, 0, 0
        while True:
            if self._clock is not None:  # pressure over time: positions move as the clock runs
                self._follow_timeline(transcript, now, round_number + 1)
                deadline = min(seat.deadline_hours for seat in seats)
            if round_number >= scenario.max_rounds:
                return self._finish(transcript, None, "round limit reached", now, round_number)
            if now > deadline:
                return self._finish(transcript, None, "deadline passed", deadline, round_number)
            round_number += 1
            proposer = seats[order[turn % len(order)]]
            offer = proposer.strategy.propose(proposer.view(scenario, now, round_number))
            proposer.sent.append(offer)
            decided_at, rejecter, last = now, None, proposer
            for seat in seats:
                if seat is proposer:
                    continue
                last = seat
                accepted, decided_at = self._deliver(
                    transcript, proposer, seat, offer, now, round_number, rng
                )
                if decided_at > deadline:
                    return self._finish(
                        transcript,
                        None,
                        "deadline passed while a message was in transit",
                        deadline,
                        round_number,
                    )
                if not accepted:
                    rejecter = seat
                    break
            if rejecter is None:
                back = self.route_for(last.party.id, proposer.party.id)
                closed = back.transmit(offer, decided_at, rng).arrives_at_hours
                return self._finish(transcript, offer, "agreement", closed, round_number)
            now = decided_at
            turn = order.index(seats.index(rejecter)) if len(seats) == 2 else turn + 1

    def _deliver(
        self,
        transcript: Transcript,
        proposer: Seat,
        receiver: Seat,
        offer: int,
        now: float,
        round_number: int,
        rng: np.random.Generator,
    ) -> tuple[bool, float]:
        route = self.route_for(proposer.party.id, receiver.party.id)
        delivery = route.transmit(offer, now, rng)
        arrived = delivery.arrives_at_hours
        if self._clock is not None:  # a suspended or slowed hop holds the message
            arrived = self._clock.arrival(delivery.via, now, arrived)
        transcript.record(
            Event(
                kind="offer",
                time_hours=arrived,
                round=round_number,
                sender=proposer.party.id,
                receiver=receiver.party.id,
                outcome=delivery.sent,
                delivered=delivery.delivered,
                via=delivery.via,
                details={"sent_at_hours": now},
            )
        )
        receiver.received.append(Offer(proposer.party.id, delivery.delivered, arrived))
        decided_at = arrived + self.scenario.response_hours
        view = receiver.view(self.scenario, decided_at, round_number)
        accepted = bool(receiver.strategy.respond(view, delivery.delivered))
        transcript.record(
            Event(
                kind="accept" if accepted else "reject",
                time_hours=decided_at,
                round=round_number,
                sender=receiver.party.id,
                receiver=proposer.party.id,
                outcome=delivery.delivered,
                delivered=delivery.delivered,
                via=delivery.via,
            )
        )
        return accepted, decided_at

    def _record_start(self, transcript: Transcript, seats: list[Seat]) -> None:
        first, second = seats[0].party.id, seats[1].party.id
        transcript.record(
            Event(
                kind="start",
                time_hours=0.0,
                round=0,
                via=self.route_for(first, second).via,
                details={"protocol": self.settings.name},
            )
        )
        if self.settings.direct_contact:
            for seat in seats:
                if seat.party.refuses_direct_talks:
                    transcript.record(
                        Event(
                            kind="direct_contact_cost",
                            time_hours=0.0,
                            round=0,
                            sender=seat.party.id,
                            details={"cost": seat.party.direct_contact_cost},
                        )
                    )

    def _follow_timeline(self, transcript: Transcript, now: float, round_number: int) -> None:
        """Move every seat to where the timeline puts its party at ``now``; record who moved."""
        assert self._clock is not None
        for change in self._clock.advance(now):
            transcript.record(timeline_event(change, now, round_number))
        for seat in self._seats:
            seat.move_to(self._clock.situation.party(seat.party.id))

    def _finish(
        self,
        transcript: Transcript,
        agreement: int | None,
        reason: str,
        time_hours: float,
        rounds: int,
    ) -> Transcript:
        if self._clock is not None:
            self._follow_timeline(transcript, time_hours, rounds)
        utilities, payoffs = {}, {}
        for column, party in enumerate(seat.party for seat in self._seats):
            if agreement is None:
                value = party.reservation
                payoff = value
            else:
                value = float(self.scenario.utilities[agreement, column])
                payoff = value * party.time_discount ** (time_hours / HOURS_PER_DAY)
            if self.settings.direct_contact and party.refuses_direct_talks:
                payoff -= party.direct_contact_cost
            utilities[party.id], payoffs[party.id] = value, payoff
        kind = "agreement" if agreement is not None else "breakdown"
        transcript.record(
            Event(
                kind=kind,
                time_hours=time_hours,
                round=rounds,
                outcome=agreement,
                delivered=agreement,
                details={"reason": reason},
            )
        )
        transcript.result = Result(
            agreement=agreement,
            reason=reason,
            time_hours=time_hours,
            rounds=rounds,
            utilities=utilities,
            payoffs=payoffs,
        )
        return transcript


def _turn_order(scenario: Scenario) -> list[int]:
    """Party columns in turn order, starting with the first mover."""
    first = scenario.party_index(scenario.first_mover)
    count = len(scenario.parties)
    return [(first + k) % count for k in range(count)]
