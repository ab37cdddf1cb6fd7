"""The mediated protocols' channel: carries messages between the mediator and each party.

Used by single-text and confidential mediation, whose rules are machines
(``protocols.single_text_machine``, ``protocols.confidential_machine``, on
``protocols.mediated_machine``); their drivers carry each move's messages with this channel. The
mediator sits with the route's lead intermediary; every message between it and a party crosses
the whole route (its delays, losses and distortions) one way, and the party's answer (sealed:
delayed or lost, never reworded) crosses it back. Parties answer in parallel, each after
``response_hours`` (or a proximity session's own response time, ``channel.routes.NAME.sessions``).

A hop the timeline suspends (or slows) holds every message, the mediator's and the parties',
until it resumes. The deadline (``protocols.deadline``): a message still in transit when it
passes is void and reads as never received; an answer that would come after it is not made.
Each method says why a message missed the deadline, for the machine to remember (``late``).
"""

from __future__ import annotations

import math

import numpy as np

from backchannel.agents.views import Offer
from backchannel.channel.route import Route
from backchannel.protocols.clock import arrival_time, route_in_force
from backchannel.protocols.deadline import EXPIRED, IN_TRANSIT, UNANSWERED, in_time
from backchannel.protocols.mediated_machine import MediatedMachine
from backchannel.protocols.messages import record_delivery


class MediatedChannel:
    """The route between a mediated machine's mediator and its parties, for one run."""

    def __init__(self, machine: MediatedMachine, route: Route, rng: np.random.Generator) -> None:
        self.machine = machine
        self.route = route
        self.rng = rng

    def send(
        self, party_id: str, text: int, at_hours: float, kind: str
    ) -> tuple[int | None, float, str | None]:
        """Carry a text from the mediator to a party: (what it received or None, arrival, why
        it missed the deadline or None)."""
        machine = self.machine
        deadline = machine.deadline
        route = route_in_force(machine.clock, self.route)
        delivery = route.transmit(text, at_hours, self.rng, give_up_at_hours=deadline)
        arrived = arrival_time(machine.clock, delivery, at_hours)
        counted = record_delivery(
            machine.transcript,
            delivery,
            machine.rounds,
            machine.mediator_id,
            party_id,
            kind=kind,
            sent_at_hours=at_hours,
            arrived_at_hours=arrived,
            deadline_hours=deadline,
        )
        if counted == EXPIRED:
            return None, math.inf, IN_TRANSIT
        if delivery.delivered is None:
            return None, math.inf, None
        seat = machine.seats[party_id]
        seat.received += (Offer(machine.mediator_id, delivery.delivered, arrived),)
        return delivery.delivered, arrived, None

    def reply(
        self,
        party_id: str,
        text: int | None,
        at_hours: float,
        kind: str = "answer",
        details: dict | None = None,
    ) -> tuple[float, str | None]:
        """A party's sealed answer back to the mediator: (its arrival time, inf if lost; why it
        missed the deadline or None)."""
        machine = self.machine
        deadline = machine.deadline
        delivery = route_in_force(machine.clock, self.route).transmit(
            text if text is not None else 0,
            at_hours,
            self.rng,
            sealed=True,
            give_up_at_hours=deadline,
        )
        arrived = arrival_time(machine.clock, delivery, at_hours)
        counted = record_delivery(
            machine.transcript,
            delivery,
            machine.rounds,
            party_id,
            machine.mediator_id,
            kind=kind,
            sent_at_hours=at_hours,
            arrived_at_hours=arrived,
            details=details,
            carries_terms=text is not None,
            deadline_hours=deadline,
        )
        if counted == EXPIRED:
            return math.inf, IN_TRANSIT
        return arrived, None

    def answer_time(self, arrived: float) -> tuple[float | None, str | None]:
        """When a party that received a message at ``arrived`` answers: (the time, or None if
        that would be after the deadline; then the reason)."""
        decided = self.route.answered_at(arrived, self.machine.scenario.response_hours)
        if in_time(decided, self.machine.deadline):
            return decided, None
        return None, UNANSWERED
