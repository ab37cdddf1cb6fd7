"""Talks resumed after a collapse: what a scenario's ``negotiation.breakdown.resume`` declares.

When the breakdown hazard strikes (``protocols.breakdown``) and the scenario says the talks
resume, they do not end: the collapse is recorded (with the event it sets off, put in force on
the timeline from the next midnight), nothing happens for ``after_days``, then a ``resume``
event opens the talks again with the declared walk-away values and timeline event in force
(from the day they resume: timeline events are dated to the day). Each party's
new walk-away value is set by a made-up timeline event (``resumed_talks-N``) so that the
timeline, which moves positions as the clock runs, keeps it. Talks resume at most ``times``
times, and only when the resumption comes before the deadline as it stands then (an event that
shortens the horizon counts); otherwise the collapse ends them as usual. Nothing is drawn here,
so the order of random draws is that of the hazard alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from backchannel.protocols.breakdown import REASON, RESUMED, Hazard
from backchannel.protocols.clock import TimelineClock
from backchannel.protocols.deadline import in_time
from backchannel.protocols.events import EventKind
from backchannel.protocols.transcript import Event, Transcript
from backchannel.scenario.at_time import state_at
from backchannel.scenario.model import Party, Scenario
from backchannel.timeline.effects import Effect
from backchannel.timeline.events import HOURS_PER_DAY, TimedEvent
from backchannel.timeline.model import Timeline


class Seated(Protocol):
    """A party's seat at the table, as the protocols keep it."""

    party: Party

    def move_to(self, party: Party) -> None: ...


def resume_talks(
    scenario: Scenario,
    transcript: Transcript,
    hazard: Hazard,
    time_hours: float,
    rounds: int,
    clock: TimelineClock | None,
    seats: Sequence[Seated],
    deadline_hours: float,
) -> float | None:
    """After a collapse at ``time_hours``: the hour the talks resume (collapse and resumption
    recorded, positions moved), or None when they do not (the caller ends them)."""
    resume = hazard.resume
    collapses = len(transcript.of_kind(EventKind.RESUME))
    if resume is None or collapses >= resume.times:
        return None
    resumes_at = time_hours + resume.after_hours
    if not in_time(resumes_at, deadline_hours):
        return None
    timeline = None
    if clock is not None:
        timeline = _in_force(clock.timeline, scenario, hazard, time_hours, resumes_at, collapses)
        if not in_time(resumes_at, _deadline(timeline, scenario, resumes_at)):
            return None
        clock.use(timeline)
    else:
        for seat in seats:
            if seat.party.id in resume.reservations:
                seat.move_to(replace(seat.party, reservation=resume.reservations[seat.party.id]))
    if hazard.event is not None:
        transcript.record(
            Event(
                kind=EventKind.TIMELINE,
                time_hours=time_hours,
                round=rounds,
                details={"event": hazard.event, "cause": REASON},
            )
        )
    details: dict[str, object] = {
        "collapsed_at_hours": time_hours,
        "collapse": collapses + 1,
        "reservations": dict(resume.reservations),
    }
    if resume.event is not None:
        details["event"] = resume.event
    transcript.record(
        Event(kind=EventKind.RESUME, time_hours=resumes_at, round=rounds, details=details)
    )
    return resumes_at


def _in_force(
    timeline: Timeline,
    scenario: Scenario,
    hazard: Hazard,
    collapsed_at: float,
    resumes_at: float,
    collapses: int,
) -> Timeline:
    """The timeline with the collapse's event from the day of the collapse, the resumption's
    event and the new walk-away values from the day the talks resume."""
    resume = hazard.resume
    assert resume is not None
    if hazard.event is not None:  # a consequence: from the first midnight after the collapse
        struck_on = timeline.start + dt.timedelta(days=math.floor(collapsed_at / HOURS_PER_DAY) + 1)
        timeline = timeline.with_event_date(hazard.event, struck_on)
    # from the day the talks resume; not the clock's first day, whose numbers are the scenario's
    resumed_on = max(timeline.date_at(resumes_at), timeline.start + dt.timedelta(days=1))
    if resume.event is not None:
        timeline = timeline.with_event_date(resume.event, resumed_on)
    if resume.reservations:
        standing = {p.id: p.reservation for p in state_at(timeline, scenario, resumes_at).parties}
        effects = tuple(
            Effect(("party", pid), (("reservation", value - standing[pid]),))
            for pid, value in resume.reservations.items()
        )
        made_up = TimedEvent(
            f"{RESUMED}-{collapses + 1}", "talks resumed", resumed_on, effects=effects
        )
        timeline = replace(timeline, events=(*timeline.events, made_up))
    return timeline


def _deadline(timeline: Timeline, scenario: Scenario, hours: float) -> float:
    """The negotiation's deadline in hours as the timeline stands at ``hours``."""
    days = [
        min(scenario.deadline_days, p.deadline_days or math.inf)
        for p in state_at(timeline, scenario, hours).parties
    ]
    return HOURS_PER_DAY * min(days)
