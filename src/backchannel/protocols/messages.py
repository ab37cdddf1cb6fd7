"""Record a message's journey in the transcript: every hop, loss, resend, change and leak.

The analyst's transcript keeps what was sent and what each intermediary passed on; a party's
view only ever receives the delivered text (see ``agents.views``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from backchannel.channel.fidelity import describe_change
from backchannel.channel.route import Delivery
from backchannel.protocols.deadline import EXPIRED, in_time
from backchannel.protocols.events import EventKind
from backchannel.protocols.transcript import Event, Transcript

if TYPE_CHECKING:
    from backchannel.agents.mediators import ShuttlePolicy

DELIVERED, UNDELIVERED = "delivered", "undelivered"  # and EXPIRED: what became of a message
SESSION = EventKind.SESSION
new_tuple = tuple.__new__  # a named tuple from all its fields in order


def record_delivery(
    transcript: Transcript,
    delivery: Delivery,
    round_number: int,
    sender: str | None,
    receiver: str | None,
    *,
    kind: str = "offer",
    sent: int | None = None,
    sent_at_hours: float,
    arrived_at_hours: float | None = None,
    details: dict[str, Any] | None = None,
    carries_terms: bool = True,
    deadline_hours: float = math.inf,
) -> str:
    """Hop, lost, resend and leak events, then one ``kind`` event (or ``undelivered``, or
    ``expired``); which of the three (``DELIVERED``, ``UNDELIVERED``, ``EXPIRED``). Before them,
    a ``session`` event for each proximity session that relayed the message and is not in the
    transcript yet (so the account shows when each session opened and closed).

    ``sent`` overrides the original text (when a mediator reworded it before it left);
    ``arrived_at_hours`` overrides the arrival time (when a timeline held the message).
    ``carries_terms`` False: the message is no package (confided preferences); no terms shown.
    A message that would arrive after ``deadline_hours`` is void (``protocols.deadline``): only
    what happened to it by the deadline is recorded, then ``expired`` at the deadline; so is a
    message that only left after the deadline (a mediator held it), arrived or not.
    """

    delivered = delivery.delivered
    simple = not (delivery.passages or delivery.sessions or details) and delivery.attempts == 1
    when = delivery.arrives_at_hours if arrived_at_hours is None else arrived_at_hours
    if simple and delivered is not None and in_time(when, deadline_hours):
        transcript.record(  # the common case, on every message's path: one event
            new_tuple(  # Event's fields in order, without its keyword layer
                Event,
                (
                    kind,
                    when,
                    round_number,
                    sender,
                    receiver,
                    (delivery.sent if sent is None else sent) if carries_terms else None,
                    delivered if carries_terms else None,
                    delivery.via,
                    {"sent_at_hours": sent_at_hours},
                ),
            )
        )
        return DELIVERED
    departures = delivery.departures or (sent_at_hours,)
    if delivery.sessions:
        _record_sessions(transcript, delivery, round_number, deadline_hours)
    first_passage = len(transcript.events)
    if delivery.passages:
        _record_passages(
            transcript,
            delivery,
            departures,
            round_number,
            sender,
            receiver,
            kind,
            carries_terms,
            deadline_hours,
        )
    details_out: dict[str, Any] = {"sent_at_hours": sent_at_hours}
    if delivery.attempts > 1:
        details_out["attempts"] = delivery.attempts
    if details:
        details_out.update(details)
    arrived = delivery.delivered is not None
    if arrived:
        when = delivery.arrives_at_hours if arrived_at_hours is None else arrived_at_hours
    else:  # given up when the last attempt was lost, after whatever hops it had crossed
        when = max([departures[-1], *(e.time_hours for e in transcript.events[first_passage:])])
    text = delivery.sent if sent is None else sent
    if arrived and when < delivery.arrives_at_hours:
        _no_passage_after(transcript, first_passage, when)
    if not in_time(when, deadline_hours):
        transcript.record(
            Event(
                EXPIRED,
                deadline_hours,
                round_number,
                sender,
                receiver,
                text if carries_terms else None,
                None,
                delivery.via,
                {
                    **details_out,
                    "message": kind,
                    "would_arrive_at_hours": when if arrived and math.isfinite(when) else None,
                },
            )
        )
        return EXPIRED
    transcript.record(
        Event(  # positional: one per message
            kind if arrived else "undelivered",
            when,
            round_number,
            sender,
            receiver,
            text if carries_terms else None,
            delivery.delivered if carries_terms else None,
            delivery.via,
            details_out,
        )
    )
    return DELIVERED if arrived else UNDELIVERED


def _record_sessions(
    transcript: Transcript, delivery: Delivery, round_number: int, deadline_hours: float
) -> None:
    """A ``session`` event at the opening of each session the message used, once a session."""
    shown = {
        (e.details["schedule"], e.details["number"]) for e in transcript.events if e.kind == SESSION
    }
    for used in delivery.sessions:
        if (used.schedule, used.number) in shown or not in_time(
            used.opens_at_hours, deadline_hours
        ):
            continue
        transcript.record(
            Event(
                kind=SESSION,
                time_hours=used.opens_at_hours,
                round=round_number,
                via=delivery.via,
                details={
                    "schedule": used.schedule,
                    "number": used.number,
                    "opens_at_hours": used.opens_at_hours,
                    "closes_at_hours": used.closes_at_hours,
                },
            )
        )


def _record_passages(
    transcript: Transcript,
    delivery: Delivery,
    departures: tuple[float, ...],
    round_number: int,
    sender: str | None,
    receiver: str | None,
    kind: str,
    carries_terms: bool,
    deadline_hours: float,
) -> None:
    """One hop event per passage, with the loss, resend and leak it led to; none after the
    deadline."""

    def shown(text: int | None) -> int | None:
        return text if carries_terms else None

    for passage in delivery.passages:
        when = passage.left_at_hours if not passage.lost else passage.entered_at_hours
        if not in_time(when, deadline_hours):
            continue
        transcript.record(
            Event(
                kind="hop",
                time_hours=when,
                round=round_number,
                sender=sender,
                receiver=receiver,
                outcome=shown(passage.carried),
                delivered=shown(passage.passed_on),
                via=(passage.carrier,) if passage.carrier else (),
                details={
                    "message": kind,
                    "attempt": passage.attempt,
                    "entered_at_hours": passage.entered_at_hours,
                    "lost": passage.lost,
                    "changes": list(passage.changes),
                },
            )
        )
        if passage.lost:
            transcript.record(
                Event(
                    kind="lost",
                    time_hours=when,
                    round=round_number,
                    sender=sender,
                    receiver=receiver,
                    outcome=shown(passage.carried),
                    via=(passage.carrier,) if passage.carrier else (),
                    details={"message": kind, "attempt": passage.attempt},
                )
            )
            if passage.attempt < len(departures) and in_time(
                departures[passage.attempt], deadline_hours
            ):
                transcript.record(
                    Event(
                        kind="resend",
                        time_hours=departures[passage.attempt],
                        round=round_number,
                        sender=sender,
                        receiver=receiver,
                        outcome=shown(delivery.sent),
                        via=delivery.via,
                        details={"message": kind, "attempt": passage.attempt + 1},
                    )
                )
        if passage.leaked:
            transcript.record(
                Event(
                    kind="leak",
                    time_hours=when,
                    round=round_number,
                    via=(passage.carrier,) if passage.carrier else (),
                    details={"message": kind, "carrier": passage.carrier, "public": True},
                )
            )


def record_dispatch(
    transcript: Transcript,
    policy: ShuttlePolicy,
    sender: str,
    receiver: str,
    texts: tuple[int, int],
    times: tuple[float, float],
    round_number: int,
) -> None:
    """What a shuttle mediator did with a message before carrying it: ``hold`` when it leaves
    later than it came in, ``reword`` when the text it carries differs from the one sent."""
    offer, text = texts
    now, leaves = times
    via = (policy.mediator_id,)
    if leaves > now:
        transcript.record(
            Event(
                kind="hold",
                time_hours=now,
                round=round_number,
                sender=sender,
                receiver=receiver,
                outcome=offer,
                via=via,
                details={"policy": policy.name, "until_hours": leaves},
            )
        )
    if text != offer:
        before, after = policy.space.positions([offer, text])
        transcript.record(
            Event(
                kind="reword",
                time_hours=now,
                round=round_number,
                sender=sender,
                receiver=receiver,
                outcome=offer,
                delivered=text,
                via=via,
                details={
                    "policy": policy.name,
                    "changes": [describe_change(policy.space, before, after)],
                },
            )
        )


def _no_passage_after(transcript: Transcript, first: int, arrival: float) -> None:
    """A timeline that sped a hop up (a slowing event in force at the start has ended) makes
    the message arrive before its drawn passage times: its passages end when it arrives."""
    events = transcript.events
    for index in range(first, len(events)):
        if events[index].time_hours > arrival:
            events[index] = events[index]._replace(time_hours=arrival)
