"""Follow a running negotiation along its timeline: what changed since the last look.

A protocol keeps one :class:`TimelineClock` per negotiation and calls :meth:`advance` before
each round; it updates its seats from :attr:`TimelineClock.situation` and records every returned
:class:`Change` as a ``timeline`` event, so the transcript shows when someone's position moved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from backchannel.channel.route import Delivery, Route
from backchannel.protocols.transcript import Event
from backchannel.scenario.at_time import Situation, held_until, state_at
from backchannel.scenario.model import Scenario
from backchannel.timeline.effects import DIRECT_LINE, clip
from backchannel.timeline.events import HOURS_PER_DAY, fired_between
from backchannel.timeline.model import Timeline

# A drift driven by indicators is reported once it is at least this large (events always are).
NOTABLE = {
    "reservation": 0.01,
    "deadline_days": 1.0,
    "time_discount": 1e-4,
    "direct_contact_cost": 0.01,
    "extra_delay_hours": 1.0,
    "leak": 0.01,
}


@dataclass(frozen=True)
class Change:
    """A moved position: ``fields`` maps each changed field to ``(before, after)``;
    ``at_hours`` is when it happened (a dated event's own hour), if known, else when seen."""

    target: tuple[str, str]
    fields: dict[str, tuple[object, object]]
    causes: tuple[str, ...]
    at_hours: float | None = None


class TimelineClock:
    """The timeline as seen from inside one negotiation."""

    def __init__(self, timeline: Timeline, scenario: Scenario) -> None:
        self.timeline = timeline
        self.scenario = scenario
        self.situation = state_at(timeline, scenario, 0.0)
        self._reported = _snapshot(self.situation)
        self._last = 0.0
        self.horizon_hours = scenario.deadline_days * HOURS_PER_DAY
        self._edges = timeline.edge_hours()
        self._series_spans = [
            (float(days.min()) * HOURS_PER_DAY, float(days.max()) * HOURS_PER_DAY)
            for days in (i.days_from(timeline.start) for i in timeline.indicators)
        ]

    def use(self, timeline: Timeline) -> None:
        """Follow ``timeline`` from now on (talks resumed after a collapse put events in
        force); the next :meth:`advance` reports what it changes."""
        self.timeline = timeline
        self._edges = timeline.edge_hours()

    def advance(self, hours: float) -> list[Change]:
        """Move the clock to ``hours``; the changes worth telling since the last report."""
        if self._still_between(self._last, hours):  # the same situation, without recomputing it
            self.situation, self._last = replace(self.situation, hours=hours), hours
            return []
        situation = state_at(self.timeline, self.scenario, hours)
        start = self.timeline.start
        fired = [e for e in self.timeline.events if fired_between(e, start, self._last, hours)]
        moved = [
            i
            for i in self.timeline.indicators
            if i.value_at(start, hours) != i.value_at(start, self._last)
        ]
        changes = []
        for target, values in _snapshot(situation).items():
            before = self._reported[target]
            diff = {k: (before[k], v) for k, v in values.items() if _differs(before[k], v)}
            events = [e.id for e in fired if e.touches(target)]
            notable = any(_notable(k, b, a) for k, (b, a) in diff.items())
            if diff and (events or notable):
                drifts = [i.id for i in moved if any(e.target == target for e in i.effects)]
                at = None if drifts else self._fired_at(events, hours)
                changes.append(Change(target, diff, tuple(events + drifts), at))
                self._reported[target] = values
        self.situation, self._last = situation, hours
        return changes

    def _fired_at(self, event_ids: list[str], hours: float) -> float:
        """The latest hour in ``(last look, hours]`` at which one of the events began or ended:
        when the change they caused happened."""
        edges = []
        for event, begins in self.timeline.scheduled_hours():
            if event.id in event_ids:
                ends = begins + (event.lasts_days or 0.0) * HOURS_PER_DAY
                edges += [e for e in (begins, ends) if self._last < e <= hours]
        return max(edges, default=hours)

    def _still_between(self, before: float, after: float) -> bool:
        """Nothing the timeline holds moves between the two hours: no event begins or ends
        and every indicator is flat (both hours before its first date, or both after its last).
        """
        low, high = min(before, after), max(before, after)
        if any(low < edge <= high for edge in self._edges):
            return False
        return all(high <= first or low >= last for first, last in self._series_spans)

    def arrival(self, via: tuple[str, ...], sent_at: float, arrives_at: float) -> float:
        """When a message sent at ``sent_at`` really arrives, given suspended or slower hops.

        A message held past the negotiation's deadline is void when it arrives
        (``protocols.deadline``); a hop that never resumes holds it for ever (infinity).
        """
        hops = via or (DIRECT_LINE,)
        extra = sum(self.situation.extra_delay.get(h, 0.0) for h in hops)
        release = max(held_until(self.timeline, h, sent_at) for h in hops)
        arrival = arrives_at + max(extra, sent_at - arrives_at) + (release - sent_at)
        return arrival


def arrival_time(clock: TimelineClock | None, delivery: Delivery, sent_at_hours: float) -> float:
    """When ``delivery`` really arrives: a hop the timeline suspends or slows holds it."""
    if clock is None or not delivery.arrived:
        return delivery.arrives_at_hours
    return clock.arrival(delivery.via, sent_at_hours, delivery.arrives_at_hours)


def route_in_force(clock: TimelineClock | None, route: Route) -> Route:
    """``route`` with each hop's leak chance as the timeline has it now (the situation of the
    clock's last look, as for the extra delay in :meth:`TimelineClock.arrival`): an event that
    makes a channel leakier changes the draws, not only the transcript's report."""
    if clock is None:
        return route
    changes = clock.situation.leak
    moves = [changes.get(hop.carrier, 0.0) if hop.carrier else 0.0 for hop in route.hops]
    if not any(moves):  # the direct line (no carrier) never leaks
        return route
    hops = tuple(
        replace(hop, leak=clip("leak", hop.leak + move)) if move else hop
        for hop, move in zip(route.hops, moves, strict=True)
    )
    return replace(route, hops=hops)


def timeline_event(change: Change, hours: float, round_number: int) -> Event:
    """The transcript entry for a change of position."""
    kind, target = change.target
    return Event(
        kind="timeline",
        time_hours=hours if change.at_hours is None else change.at_hours,
        round=round_number,
        sender=target if kind == "party" else None,
        via=(target,) if kind == "hop" else (),
        details={
            "target": kind,
            "id": target,
            "changes": {k: {"before": b, "after": a} for k, (b, a) in change.fields.items()},
            "causes": list(change.causes),
        },
    )


def _snapshot(situation: Situation) -> dict[tuple[str, str], dict[str, object]]:
    shot: dict[tuple[str, str], dict[str, object]] = {}
    for p in situation.parties:
        shot[("party", p.id)] = {
            "reservation": p.reservation,
            "deadline_days": p.deadline_days,
            "time_discount": p.time_discount,
            "direct_contact_cost": p.direct_contact_cost,
            "refuses_direct_talks": p.refuses_direct_talks,
        }
    for hop, extra in situation.extra_delay.items():
        shot[("hop", hop)] = {
            "extra_delay_hours": extra,
            "leak": _leak_chance(situation, hop),
            "suspended": hop in situation.suspended,
        }
    return shot


def _leak_chance(situation: Situation, hop: str) -> float:
    """The hop's leak chance in force (the scenario's, moved by the timeline), as a change of
    it is reported: "leak 0.05 → 0.25", not the size of the move. The direct line never
    leaks."""
    if hop == DIRECT_LINE:
        return 0.0
    return float(situation.channel.intermediary(hop).leak)


def _differs(before: object, after: object) -> bool:
    if isinstance(before, bool) or isinstance(after, bool) or before is None or after is None:
        return before != after
    return not np.isclose(float(before), float(after), rtol=0.0, atol=1e-9)  # type: ignore[arg-type]


def _notable(key: str, before: object, after: object) -> bool:
    """A change worth a transcript line: any change of a number that had no value before."""
    if key not in NOTABLE or before is None or after is None:
        return True
    return abs(float(after) - float(before)) >= NOTABLE[key]  # type: ignore[arg-type]
