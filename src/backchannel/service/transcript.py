"""A live negotiation as the relay machine (``protocols.relay``) and its :class:`Transcript`.

The stored messages are the moves: a party's proposal, acceptance or rejection, and what the
mediator passed on (a party's message as sent or edited, or its own proposal). Replaying them
through the machine gives the state the next move is checked against (who may move, the
agreement, the deadline) and the transcript the export holds, in the record ``backchannel run``
keeps. Notes carry no terms and are not moves.

Time is real: hours since the negotiation was opened (started by the mediator), from each stored
message's time. The deadline is the scenario's (its ``deadline_days`` in real days from the
opening). The result uses the scenario's utilities as confided; the service has no time
discounting or ratification.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from backchannel.protocols.events import EventKind
from backchannel.protocols.relay import (
    AGREEMENT,
    CLOSED,
    Move,
    Pass,
    Propose,
    RelayMachine,
    Respond,
    replay,
)
from backchannel.protocols.transcript import Event, Transcript
from backchannel.scenario.model import Scenario
from backchannel.service.schemas import as_utc
from backchannel.service.security import MEDIATOR
from backchannel.service.storage.models import Message, Negotiation, Seat

HOURS_PER_DAY = 24.0
PROTOCOL = "live"


def hours_between(start: datetime, moment: datetime) -> float:
    return (as_utc(moment) - as_utc(start)).total_seconds() / 3600.0


def opened(negotiation: Negotiation) -> datetime:
    """Hour 0 of the negotiation's clock: when the mediator started it (its creation until
    then, and for negotiations started before that moment was stored)."""
    return negotiation.opened_at or negotiation.created_at


def hours_since_opened(negotiation: Negotiation, moment: datetime) -> float:
    return hours_between(opened(negotiation), moment)


def hours_now(negotiation: Negotiation) -> float:
    """Hours since the negotiation was opened, now (never before its last stored move)."""
    return hours_since_opened(negotiation, datetime.now(UTC))


def live_machine(
    model: Scenario,
    negotiation: Negotiation,
    seats: Sequence[Seat],
    messages: Sequence[Message],
) -> RelayMachine:
    """The machine in the state the stored messages leave it (the transcript so far)."""
    transcript = Transcript(
        scenario=model.name,
        protocol=PROTOCOL,
        parties=model.party_ids,
        seed=negotiation.seed,
        settings={
            "via": [MEDIATOR],
            "strategies": {s.party_id: s.agent or "person" for s in seats},
            "force_direct": False,
            "mediator": "person",
        },
    )
    deadline = model.deadline_days * HOURS_PER_DAY
    machine = RelayMachine(model, transcript, mediator=MEDIATOR, deadline_hours=deadline)
    transcript.record(
        Event(
            EventKind.START,
            0.0,
            0,
            via=(MEDIATOR,),
            details={"protocol": PROTOCOL, "deadline_hours": deadline},
        )
    )
    by_id = {m.id: m for m in messages}
    moves = []
    for message in sorted(messages, key=lambda m: m.id):
        move = move_of(message, by_id)
        if move is not None:
            moves.append((move, hours_since_opened(negotiation, message.created_at)))
    replay(machine, moves)
    return machine


def move_of(message: Message, by_id: dict[int, Message]) -> Move | None:
    """The machine's move a stored message made (None for a note)."""
    if message.kind not in ("proposal", "accept", "reject"):
        return None
    if message.sender != MEDIATOR:
        if message.outcome is None:
            return None
        if message.kind == "proposal":
            return Propose(message.sender, int(message.outcome))
        return Respond(message.sender, message.kind, int(message.outcome))  # type: ignore[arg-type]
    source = by_id.get(message.source_id) if message.source_id is not None else None
    sender = source.sender if source is not None else MEDIATOR
    sent = source.outcome if source is not None else message.outcome
    return Pass(message.recipient, message.kind, sender, sent, message.outcome)  # type: ignore[arg-type]


def live_transcript(
    model: Scenario,
    negotiation: Negotiation,
    seats: Sequence[Seat],
    messages: Sequence[Message],
    now_hours: float | None = None,
) -> Transcript:
    """The transcript of a live negotiation so far: ended by an agreement, by the mediator
    closing it, or (given ``now_hours``) by the deadline having passed; no result while open."""
    machine = live_machine(model, negotiation, seats, messages)
    if not machine.is_over and now_hours is not None and now_hours > machine.deadline_hours:
        machine.expire()
    if not machine.is_over and negotiation.status in ("agreed", "closed"):
        reason = CLOSED if negotiation.agreement is None else AGREEMENT
        machine.end(negotiation.agreement, reason, machine.now)
    return machine.transcript
