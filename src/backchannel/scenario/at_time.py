"""Pure functions: where every party and every hop stands at a simulated hour.

``state_at(timeline, scenario, hours)`` is what every protocol asks. Numbers move by the sum of
the effects in force (events) and of the indicators' moves since the clock started; switches
take the value set by the latest event in force, else the scenario's own value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from backchannel.scenario.model import Channel, Intermediary, Party, Scenario
from backchannel.timeline.effects import DIRECT_LINE, clip
from backchannel.timeline.events import HOURS_PER_DAY, in_force
from backchannel.timeline.model import Timeline


@dataclass(frozen=True)
class Situation:
    """The scenario as it stands at ``hours``: adjusted parties and channel."""

    hours: float
    parties: tuple[Party, ...]
    channel: Channel
    suspended: frozenset[str]
    extra_delay: dict[str, float]
    leak: dict[str, float]
    in_force: tuple[str, ...]

    def party(self, party_id: str) -> Party:
        for party in self.parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    @property
    def reservations(self) -> np.ndarray:
        return np.array([p.reservation for p in self.parties], dtype=float)


def number_change(
    timeline: Timeline, target: tuple[str, str], name: str, hours: np.ndarray | float
) -> np.ndarray:
    """How far the number ``name`` of ``target`` has moved at each hour since the clock started."""
    hours = np.atleast_1d(np.asarray(hours, dtype=float))
    total = np.zeros(len(hours))
    origin = np.zeros(1)
    for event in timeline.events:
        size = sum(e.number(name) for e in event.effects if e.target == target)
        if size:
            start = timeline.start
            total += size * (in_force(event, start, hours) - in_force(event, start, origin)[0])
    for indicator in timeline.indicators:
        size = sum(e.number(name) for e in indicator.effects if e.target == target)
        if size:
            moved = indicator.value_at(timeline.start, hours)
            total += size * (moved - indicator.value_at(timeline.start, 0.0))
    return total


def switch_at(
    timeline: Timeline, target: tuple[str, str], name: str, hours: float, default: bool
) -> bool:
    """The switch as set by the latest event in force at ``hours``, else ``default``."""
    settings = {
        id(event): values
        for event in timeline.events
        if (
            values := [
                dict(effect.switches)[name]
                for effect in event.effects
                if effect.target == target and name in dict(effect.switches)
            ]
        )
    }
    if not settings:  # no event sets it: no dates to look at
        return default
    value = default
    for event, _begins in timeline.scheduled_hours():
        found = settings.get(id(event))
        if found and in_force(event, timeline.start, np.array([hours]))[0]:
            value = found[-1]
    return value


def party_at(timeline: Timeline, party: Party, deadline_days: float, hours: float) -> Party:
    """``party`` as it stands at ``hours``; ``deadline_days`` is the negotiation's own deadline."""
    target = ("party", party.id)

    def moved(name: str, base: float) -> float:
        return clip(name, base + float(number_change(timeline, target, name, hours)[0]))

    deadline = party.deadline_days
    shift = float(number_change(timeline, target, "deadline_days", hours)[0])
    if shift:
        deadline = clip("deadline_days", (deadline or deadline_days) + shift)
    return replace(
        party,
        reservation=moved("reservation", party.reservation),
        deadline_days=deadline,
        time_discount=moved("time_discount", party.time_discount),
        direct_contact_cost=moved("direct_contact_cost", party.direct_contact_cost),
        refuses_direct_talks=switch_at(
            timeline, target, "refuses_direct_talks", hours, party.refuses_direct_talks
        ),
    )


def state_at(timeline: Timeline, scenario: Scenario, hours: float) -> Situation:
    """Every party and hop of ``scenario`` at simulated ``hours`` under ``timeline``."""
    parties = tuple(party_at(timeline, p, scenario.deadline_days, hours) for p in scenario.parties)
    hops = [DIRECT_LINE, *(i.id for i in scenario.channel.intermediaries)]
    extra = {h: float(number_change(timeline, ("hop", h), "delay_hours", hours)[0]) for h in hops}
    leak = {h: float(number_change(timeline, ("hop", h), "leak", hours)[0]) for h in hops}
    suspended = frozenset(
        h for h in hops if switch_at(timeline, ("hop", h), "suspended", hours, False)
    )
    channel = replace(
        scenario.channel,
        direct_delay_hours=clip(
            "delay_hours", scenario.channel.direct_delay_hours + extra[DIRECT_LINE]
        ),
        intermediaries=tuple(
            _hop_at(item, extra[item.id], leak[item.id]) for item in scenario.channel.intermediaries
        ),
    )
    active = tuple(
        e.id for e in timeline.events if in_force(e, timeline.start, np.array([hours]))[0]
    )
    return Situation(hours, parties, channel, suspended, extra, leak, active)


def reservations_over(timeline: Timeline, scenario: Scenario, hours: np.ndarray) -> np.ndarray:
    """Each party's reservation value at each hour, shape ``(hours, parties)``."""
    columns = [
        p.reservation + number_change(timeline, ("party", p.id), "reservation", hours)
        for p in scenario.parties
    ]
    return np.clip(np.stack(columns, axis=1), 0.0, 1.0)


def held_until(timeline: Timeline, hop: str, hours: float) -> float:
    """When a message handed to a suspended ``hop`` at ``hours`` can move (``inf``: never)."""
    if not switch_at(timeline, ("hop", hop), "suspended", hours, False):
        return hours
    for edge in (e for e in timeline.edge_hours() if e > hours):
        if not switch_at(timeline, ("hop", hop), "suspended", edge, False):
            return edge
    return float("inf")


def _hop_at(item: Intermediary, extra_delay: float, leak: float) -> Intermediary:
    changes: dict[str, float] = {"delay_hours": clip("delay_hours", item.delay_hours + extra_delay)}
    names = {f.name for f in fields(item)}
    for field_name in ("leak_probability", "leak"):
        if leak and field_name in names:
            changes[field_name] = clip("leak", getattr(item, field_name) + leak)
    return replace(item, **changes)


def moves_during(timeline: Timeline, scenario: Scenario) -> bool:
    """Whether the timeline changes anything between the start and the deadline.

    If not, a negotiation runs exactly as it would without the timeline, so engines that do not
    follow the clock (the batch engine) may still run it.
    """
    horizon = scenario.deadline_days * HOURS_PER_DAY
    origin = np.zeros(1)
    for event, begins in timeline.scheduled_hours():
        if not event.effects:
            continue
        edges = [begins]
        if event.lasts_days:
            edges.append(begins + event.lasts_days * HOURS_PER_DAY)
        if any(0 < edge <= horizon for edge in edges):
            return True
        switches = any(effect.switches for effect in event.effects)
        if switches and in_force(event, timeline.start, origin)[0]:
            return True
    for indicator in timeline.indicators:
        if not indicator.effects:
            continue
        hours = indicator.days_from(timeline.start) * HOURS_PER_DAY
        probe = np.concatenate([[horizon], hours[(hours > 0) & (hours < horizon)]])
        if np.any(
            indicator.value_at(timeline.start, probe) != indicator.value_at(timeline.start, 0)
        ):
            return True
    return False
