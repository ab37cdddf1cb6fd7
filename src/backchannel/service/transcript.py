"""A live negotiation as a :class:`Transcript`: the same record ``backchannel run`` keeps.

Times are real: hours since the negotiation was opened, from each stored message's time. A
party's message to the mediator is an ``offer`` (a proposal), ``accept`` or ``reject``; what
the mediator passes on is an ``offer`` whose ``outcome`` is what the party sent and whose
``delivered`` is what the mediator passed (they differ when the mediator edited it), ``via``
the mediator. The result uses the scenario's utilities; the service has no time discounting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backchannel.protocols.events import EventKind
from backchannel.protocols.transcript import Event, Result, Transcript
from backchannel.scenario.model import Scenario
from backchannel.service.schemas import as_utc
from backchannel.service.security import MEDIATOR
from backchannel.service.storage.models import Message, Negotiation, Seat

PARTY_KINDS = {"proposal": EventKind.OFFER, "accept": EventKind.ACCEPT, "reject": EventKind.REJECT}


def hours_between(start: datetime, moment: datetime) -> float:
    return (as_utc(moment) - as_utc(start)).total_seconds() / 3600.0


def live_transcript(
    model: Scenario,
    negotiation: Negotiation,
    seats: Sequence[Seat],
    messages: Sequence[Message],
) -> Transcript:
    """The transcript of a live negotiation so far (no result while it is open)."""
    transcript = Transcript(
        scenario=model.name,
        protocol="live",
        parties=model.party_ids,
        seed=negotiation.seed,
        settings={
            "via": [MEDIATOR],
            "strategies": {s.party_id: s.agent or "person" for s in seats},
            "force_direct": False,
            "mediator": "person",
        },
    )
    opened = negotiation.created_at
    transcript.record(
        Event(
            EventKind.START,
            0.0,
            0,
            via=(MEDIATOR,),
            details={"protocol": "live", "deadline_hours": model.deadline_days * 24.0},
        )
    )
    by_id = {m.id: m for m in messages}
    rounds, last = 0, 0.0
    for message in sorted(messages, key=lambda m: m.id):
        last = max(last, hours_between(opened, message.created_at))  # never back in time
        event = _event(message, by_id, last, rounds + 1)
        if event is None:
            continue
        if message.sender != MEDIATOR and message.kind == "proposal":
            rounds += 1
        transcript.record(event._replace(round=max(rounds, 1)))
    if negotiation.status in ("agreed", "closed"):
        result = _result(model, negotiation, rounds, last)
        ending = EventKind.AGREEMENT if result.agreed else EventKind.BREAKDOWN
        transcript.record(
            Event(
                ending,
                last,
                max(rounds, 1),
                outcome=result.agreement,
                delivered=result.agreement,
                details={"reason": result.reason},
            )
        )
        transcript.result = result
    return transcript


def _event(message: Message, by_id: dict[int, Message], at: float, round_number: int):
    kind = PARTY_KINDS.get(message.kind)
    if kind is None:  # notes carry no terms: not part of the negotiation's record
        return None
    if message.sender != MEDIATOR:
        return Event(
            kind,
            at,
            round_number,
            sender=message.sender,
            receiver=MEDIATOR,
            outcome=message.outcome,
            delivered=message.outcome,
            details={"sent_at_hours": at} if kind == EventKind.OFFER else {},
        )
    source = by_id.get(message.source_id) if message.source_id is not None else None
    sent = source.outcome if source is not None else message.outcome
    return Event(
        EventKind.OFFER if kind == EventKind.OFFER else kind,
        at,
        round_number,
        sender=source.sender if source is not None else MEDIATOR,
        receiver=message.recipient,
        outcome=sent,
        delivered=message.outcome,
        via=(MEDIATOR,),
        details={"sent_at_hours": at} if kind == EventKind.OFFER else {},
    )


def _result(model: Scenario, negotiation: Negotiation, rounds: int, at: float) -> Result:
    agreement = negotiation.agreement
    if agreement is None:
        values = {p.id: float(p.reservation) for p in model.parties}
        return Result(None, "closed without agreement", at, rounds, values, dict(values))
    values = {p.id: float(model.utilities[agreement, k]) for k, p in enumerate(model.parties)}
    return Result(int(agreement), "agreement", at, rounds, values, dict(values))
