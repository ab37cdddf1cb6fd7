"""Alternating offers over a route: the engine behind the direct and shuttle protocols.

Parties take turns proposing. Each proposal travels to every other party along the route
(directly, or through intermediaries that take their time); each receiver answers what it
*received*. A rejection hands the turn to the next party, whose counter-offer leaves when it has
decided. Agreement needs every other party's acceptance; the deadline and a round limit end it.

Distortion and agreement: a receiver accepts the text it *received*. When every receiver got
the text that was sent, the deal is that text, closed when the (sealed) acceptance reaches the
proposer. When an intermediary changed it, the acceptance travels back naming the changed text
and the proposer, who never proposed it, must confirm it: a ``confirm`` makes it the deal; a
refusal is recorded as a ``miscalculation`` (each side thought the other had agreed) and the
turn passes on: the side whose acceptance was refused proposes next. Receivers who accepted
different texts are a miscalculation too, and the turn passes on. A message lost on every
attempt ends the talks.

The rules of turns, rounds, answers, confirmations and agreement are the machine's
(``protocols.alternating_machine``); :class:`AlternatingOffers` drives it: it chooses the moves
(the strategies) and their times (the channel, the clock), and keeps the channel, the timeline,
the breakdown hazard and ratification.

The deadline (``protocols.deadline``): an offer or acceptance still in transit when it passes is
void, an answer or confirmation that would come after it is not made, and the talks end at it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.views import Offer, PartyView
from backchannel.channel.route import Route
from backchannel.protocols.alternating_machine import AlternatingMachine
from backchannel.protocols.breakdown import Hazard, collapse
from backchannel.protocols.clock import (
    TimelineClock,
    arrival_time,
    route_in_force,
    timeline_event,
)
from backchannel.protocols.deadline import (
    EXPIRED,
    IN_TRANSIT,
    PASSED,
    ROUND_LIMIT,
    UNANSWERED,
    ending_time,
    in_time,
    relative_time,
)
from backchannel.protocols.messages import record_delivery, record_dispatch
from backchannel.protocols.registry import RunSetup, protocol
from backchannel.protocols.resumption import resume_talks
from backchannel.protocols.settlement import conclude
from backchannel.protocols.transcript import Event, Transcript
from backchannel.scenario.model import Party, Scenario

if TYPE_CHECKING:
    from backchannel.agents.mediators import ShuttlePolicy

HOURS_PER_DAY = 24.0
LOST = "a message was lost on every attempt and never arrived"
RouteFor = Callable[[str, str], Route]
new_tuple = tuple.__new__  # a named tuple from its fields in order, without its keyword layer


@dataclass(frozen=True)
class AlternatingSettings:
    """Protocol options that do not belong to the scenario."""

    name: str = "direct"
    direct_contact: bool = False
    relay: ShuttlePolicy | None = None  # a shuttle mediator that may hold, batch or reword


class Side:
    """One party's private state during a negotiation."""

    def __init__(self, party: Party, strategy: Strategy, scenario: Scenario, column: int) -> None:
        self.strategy = strategy
        self.scenario = scenario
        self.column = column
        self.negotiation_days = scenario.deadline_days
        self.party_id = party.id
        self.move_to(party)
        self.received: tuple[Offer, ...] = ()
        self.sent: tuple[int, ...] = ()

    def move_to(self, party: Party) -> None:
        """Take up the party's position (a timeline may move it while the talks run)."""
        self.party = party
        own = self.scenario.own_arrays(self.column, party.reservation)
        self.utilities, self.allowed, self.acceptable = own.utilities, own.allowed, own.acceptable
        days = min(self.negotiation_days, party.deadline_days or self.negotiation_days)
        self.deadline_hours = HOURS_PER_DAY * days

    def view(self, scenario: Scenario, now_hours: float, round_number: int) -> PartyView:
        """What this party sees when deciding at ``now_hours`` in round ``round_number``."""
        relative = relative_time(now_hours, self.deadline_hours, round_number, scenario.max_rounds)
        party = self.party
        return new_tuple(  # PartyView's fields in order, without its keyword layer: a hot path
            PartyView,
            (
                party.id,
                scenario.space,
                self.utilities,
                self.acceptable,
                party.reservation,
                relative,
                now_hours,
                round_number,
                self.received,
                self.sent,
                self.allowed,
            ),
        )


class AlternatingOffers:
    """Runs one negotiation; create a new instance (or call :meth:`run` again) per negotiation.

    It drives the machine (``protocols.alternating_machine``): it chooses each move (the
    strategies) and its time (the channel, the clock); the machine says what the move does.
    """

    def __init__(
        self, scenario: Scenario, route_for: RouteFor, settings: AlternatingSettings
    ) -> None:
        self.scenario = scenario
        self.route_for = route_for
        self.settings = settings
        self._seats: list[Side] = []
        self._clock: TimelineClock | None = None

    def run(
        self,
        strategies: Mapping[str, Strategy],
        rng: np.random.Generator,
        transcript: Transcript,
    ) -> Transcript:
        scenario = self.scenario
        seats = [
            Side(party, strategies[party.id], scenario, column)
            for column, party in enumerate(scenario.parties)
        ]
        deadline = min(seat.deadline_hours for seat in seats)
        by_id = {seat.party_id: seat for seat in seats}
        self._record_start(transcript, seats, deadline)
        self._seats = seats
        self._clock = TimelineClock(scenario.timeline, scenario) if scenario.timeline else None
        machine = AlternatingMachine(scenario, transcript)
        turns, receivers_of = machine.turns, machine.receivers_of
        hazard = Hazard.of(scenario)
        now = 0.0
        while True:
            if self._clock is not None:  # pressure over time: positions move as the clock runs
                self._follow_timeline(transcript, now, machine.rounds + 1)
                deadline = min(seat.deadline_hours for seat in seats)
            if machine.rounds >= machine.max_rounds:
                return self._finish(transcript, None, ROUND_LIMIT, now, machine.rounds)
            if not in_time(now, deadline):
                ended = ending_time(now, deadline)
                return self._finish(transcript, None, PASSED, ended, machine.rounds)
            proposer_id = turns.proposer
            proposer = by_id[proposer_id]
            offer = proposer.strategy.propose(proposer.view(scenario, now, machine.rounds + 1))
            proposer.sent += (offer,)
            machine.propose(proposer_id, offer)
            round_number = machine.rounds
            decided_at = now
            for receiver_id in receivers_of[proposer_id]:
                decided_at, late = self._deliver(
                    transcript, machine, proposer, by_id[receiver_id], offer, now, rng, deadline
                )
                if late is not None:
                    return self._finish(transcript, None, late, deadline, round_number)
                if machine.proposer is None:  # a rejection (or texts that differ) closed it
                    break
            if machine.proposer is not None:  # every receiver accepted one text
                acceptor = by_id[receivers_of[proposer_id][-1]]
                ending = self._close(
                    transcript, machine, proposer, acceptor, decided_at, rng, deadline
                )
                if isinstance(ending, Transcript):
                    return ending
                decided_at = ending
            began, now = now, decided_at
            if (
                hazard is not None
                and machine.rejecter is not None
                and hazard.strikes(rng, began, now)
            ):
                clock = self._clock
                resumes = resume_talks(
                    scenario, transcript, hazard, now, round_number, clock, seats, deadline
                )
                if resumes is None:
                    parties = [seat.party for seat in seats]
                    direct = self.settings.direct_contact
                    return collapse(
                        scenario, transcript, hazard, now, round_number, parties, direct
                    )
                now = resumes

    def _deliver(
        self,
        transcript: Transcript,
        machine: AlternatingMachine,
        proposer: Side,
        receiver: Side,
        offer: int,
        now: float,
        rng: np.random.Generator,
        deadline: float,
    ) -> tuple[float, str | None]:
        """Carry ``offer`` to ``receiver``, ask it and play its answer on ``machine``; (decided
        at, why the talks end at the deadline or None)."""
        sender_id, receiver_id, round_number = proposer.party_id, receiver.party_id, machine.rounds
        route = self.route_for(sender_id, receiver_id)
        text, leaves = offer, now
        relay = self.settings.relay
        if relay is not None:  # the shuttle mediator may hold, batch or reword
            text, leaves = relay.dispatch(sender_id, receiver_id, offer, now)
            record_dispatch(
                transcript,
                relay,
                sender_id,
                receiver_id,
                (offer, text),
                (now, leaves),
                round_number,
            )
        clock = self._clock
        delivery = route_in_force(clock, route).transmit(
            text, leaves, rng, give_up_at_hours=deadline
        )
        arrived = delivery.arrives_at_hours  # unless a hop the timeline suspends holds it
        if clock is not None:
            arrived = arrival_time(clock, delivery, leaves)
        counted = record_delivery(
            transcript,
            delivery,
            round_number,
            sender_id,
            receiver_id,
            sent=offer,
            sent_at_hours=now,
            arrived_at_hours=arrived,
            deadline_hours=deadline,
        )
        if counted == EXPIRED:
            return math.inf, IN_TRANSIT
        received = delivery.delivered
        if received is None:
            return math.inf, LOST
        receiver.received += (new_tuple(Offer, (sender_id, received, arrived)),)
        decided_at = route.answered_at(arrived, self.scenario.response_hours)
        if not in_time(decided_at, deadline):
            return math.inf, UNANSWERED
        view = receiver.view(self.scenario, decided_at, round_number)
        accepted = bool(receiver.strategy.respond(view, received))
        machine.answer(receiver_id, accepted, received, decided_at, delivery.via)
        return decided_at, None

    def _close(
        self,
        transcript: Transcript,
        machine: AlternatingMachine,
        proposer: Side,
        acceptor: Side,
        decided_at: float,
        rng: np.random.Generator,
        deadline: float,
    ) -> Transcript | float:
        """Every receiver accepted one text: the acceptance travels back to the proposer, who
        confirms a text it did not propose (semantics in the module docstring). Returns the
        finished transcript, or when the talks go on."""
        text, offer, round_number = machine.accepted[0], machine.offer, machine.rounds
        back = self.route_for(acceptor.party_id, proposer.party_id)
        delivery = route_in_force(self._clock, back).transmit(
            text, decided_at, rng, sealed=True, give_up_at_hours=deadline
        )
        counted = record_delivery(
            transcript,
            delivery,
            round_number,
            acceptor.party_id,
            proposer.party_id,
            kind="acceptance",
            sent_at_hours=decided_at,
            deadline_hours=deadline,
        )
        if counted == EXPIRED:
            return self._finish(transcript, None, IN_TRANSIT, deadline, round_number)
        if not delivery.arrived:
            why = "the acceptance was lost on every attempt and never arrived"
            ended = max(decided_at, transcript.events[-1].time_hours)
            return self._finish(transcript, None, why, ended, round_number)
        closed = delivery.arrives_at_hours
        if machine.agreement() is not None:
            return self._finish(transcript, offer, "agreement", closed, round_number, deadline)
        confirm_at = back.answered_at(closed, self.scenario.response_hours)
        if not in_time(confirm_at, deadline):
            return self._finish(transcript, None, UNANSWERED, deadline, round_number)
        proposer.received += (new_tuple(Offer, (acceptor.party_id, text, closed)),)
        view = proposer.view(self.scenario, confirm_at, round_number)
        machine.confirm(bool(proposer.strategy.respond(view, text)), confirm_at)
        if machine.agreement() is not None:
            return self._finish(transcript, text, "agreement", confirm_at, round_number, deadline)
        return confirm_at

    def _record_start(self, transcript: Transcript, seats: list[Side], deadline: float) -> None:
        first, second = seats[0].party.id, seats[1].party.id
        transcript.record(
            Event(
                kind="start",
                time_hours=0.0,
                round=0,
                via=self.route_for(first, second).via,
                details={"protocol": self.settings.name, "deadline_hours": deadline},
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
        deadline: float = math.inf,
    ) -> Transcript:
        """End the talks; an agreement must still be ratified by ``deadline``."""
        if self._clock is not None:
            self._follow_timeline(transcript, time_hours, rounds)
        return conclude(
            self.scenario,
            transcript,
            agreement,
            reason,
            time_hours,
            rounds,
            direct_contact=self.settings.direct_contact,
            parties=[seat.party for seat in self._seats],
            deadline_hours=deadline,
        )


@protocol(
    "direct",
    "the parties take turns over a direct line (the baseline)",
    intermediary=False,
    mediators="shuttle",
    array_form=True,
    order=10,
)
def play_direct(run: RunSetup) -> Transcript:
    settings = AlternatingSettings(name="direct", direct_contact=True)
    engine = AlternatingOffers(run.scenario, lambda _a, _b: run.route, settings)
    return engine.run(run.strategies, run.rng, run.transcript)


@protocol(
    "shuttle",
    "the parties take turns through intermediaries that carry, delay, lose or reword",
    array_form=True,
    order=20,
)
def play_shuttle(run: RunSetup) -> Transcript:
    relay = run.mediator if run.mediator.name != "relay" else None
    settings = AlternatingSettings(name="shuttle", relay=relay)
    engine = AlternatingOffers(run.scenario, lambda _a, _b: run.route, settings)
    return engine.run(run.strategies, run.rng, run.transcript)
