"""The timeline for many runs at once: where each run's parties stand at its own simulated hour.

Restates :func:`backchannel.scenario.at_time.party_at` and :meth:`TimelineClock.arrival` over
arrays of runs. The moves come from the timeline's own ``number_change`` evaluated at every
run's hour (elementwise, so each float is the one the step engine computes for that run), and
the clipping and deadline rules are the same operations in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.scenario.at_time import number_change, switch_at
from backchannel.scenario.model import Scenario
from backchannel.timeline.effects import BOUNDS, DIRECT_LINE
from backchannel.timeline.events import HOURS_PER_DAY, in_force
from backchannel.timeline.model import Timeline


@dataclass(frozen=True)
class PartyArrays:
    """Every run's parties, shape ``(runs, parties)`` per field (the scenario's ``Party``
    fields that a timeline moves, plus the deadline in hours as ``Side.move_to`` takes it, and
    the price of a leak, which no timeline moves)."""

    reservation: np.ndarray
    deadline_days: np.ndarray  # the party's own deadline, NaN when it has none
    time_discount: np.ndarray
    direct_contact_cost: np.ndarray
    refuses_direct_talks: np.ndarray
    leak_cost: np.ndarray

    @classmethod
    def of(cls, scenarios: list[Scenario]) -> PartyArrays:
        """Read once per distinct scenario object (runs without draws share one), then
        spread to every run."""
        first: dict[int, int] = {}
        for s in scenarios:
            first.setdefault(id(s), len(first))
        distinct = list({id(s): s for s in scenarios}.values())
        spread = np.array([first[id(s)] for s in scenarios], dtype=np.int64)

        def column(name: str, dtype: type = float) -> np.ndarray:
            rows = [[getattr(p, name) for p in s.parties] for s in distinct]
            return np.array(rows, dtype=dtype)[spread]

        deadlines = [
            [np.nan if p.deadline_days is None else p.deadline_days for p in s.parties]
            for s in distinct
        ]
        return cls(
            reservation=column("reservation"),
            deadline_days=np.array(deadlines, dtype=float)[spread],
            time_discount=column("time_discount"),
            direct_contact_cost=column("direct_contact_cost"),
            refuses_direct_talks=column("refuses_direct_talks", bool),
            leak_cost=column("leak_cost"),
        )

    def take(self, rows: np.ndarray) -> PartyArrays:
        return PartyArrays(
            *(getattr(self, name)[rows] for name in self.__dataclass_fields__)  # type: ignore[arg-type]
        )


class BatchClock:
    """The scenario's timeline (or none) seen from inside every run at once."""

    def __init__(self, timeline: Timeline | None, scenario: Scenario) -> None:
        self.timeline = timeline
        self.scenario = scenario
        self.ids = [p.id for p in scenario.parties]
        self.horizon_hours = scenario.deadline_days * HOURS_PER_DAY
        self._bounds, self._flat = _pieces(timeline)
        self._kept: dict[tuple[object, ...], np.ndarray] = {}

    def _number(self, target: tuple[str, str], name: str, hours: np.ndarray) -> np.ndarray:
        """``number_change`` per run, computed once per stretch of time in which nothing
        moves (the timeline's effects precomputed, not re-evaluated every round)."""
        assert self.timeline is not None
        piece = np.searchsorted(self._bounds, hours, side="right")
        flat = self._flat[piece]
        if not flat.any():
            return number_change(self.timeline, target, name, hours)
        result = np.empty(len(hours))
        moving = ~flat
        if moving.any():
            result[moving] = number_change(self.timeline, target, name, hours[moving])
        for p in np.unique(piece[flat]).tolist():
            where = piece == p
            key = ("number", target, name, p)
            if key not in self._kept:  # the same float at every hour of the piece
                self._kept[key] = number_change(self.timeline, target, name, hours[where][:1])
            result[where] = self._kept[key][0]
        return result

    def parties_at(self, base: PartyArrays, hours: np.ndarray) -> PartyArrays:
        """Each run's parties at its ``hours`` (``party_at`` per run; no timeline: ``base``)."""
        if self.timeline is None:
            return base
        columns: dict[str, list[np.ndarray]] = {n: [] for n in base.__dataclass_fields__}
        for c, pid in enumerate(self.ids):
            target = ("party", pid)

            def moved(name: str, values: np.ndarray, target=target) -> np.ndarray:
                return _clip(name, values + self._number(target, name, hours))

            columns["reservation"].append(moved("reservation", base.reservation[:, c]))
            columns["time_discount"].append(moved("time_discount", base.time_discount[:, c]))
            columns["direct_contact_cost"].append(
                moved("direct_contact_cost", base.direct_contact_cost[:, c])
            )
            own = base.deadline_days[:, c]
            shift = self._number(target, "deadline_days", hours)
            shifted = _clip(
                "deadline_days", np.where(np.isnan(own), self.scenario.deadline_days, own) + shift
            )
            columns["deadline_days"].append(np.where(shift != 0.0, shifted, own))
            columns["refuses_direct_talks"].append(
                self._switch(target, "refuses_direct_talks", hours, base.refuses_direct_talks[:, c])
            )
        columns["leak_cost"] = [base.leak_cost[:, c] for c in range(len(self.ids))]
        return PartyArrays(**{n: np.stack(v, axis=1) for n, v in columns.items()})

    def deadline_hours(self, parties: PartyArrays) -> np.ndarray:
        """``Side.deadline_hours`` per run and party: the earlier of the two deadlines."""
        days = self.scenario.deadline_days
        own = np.where(np.isnan(parties.deadline_days), days, parties.deadline_days)
        return HOURS_PER_DAY * np.minimum(days, own)

    def arrival(
        self, via: tuple[str, ...], sent_at: np.ndarray, arrives_at: np.ndarray
    ) -> np.ndarray:
        """``TimelineClock.arrival`` per run: slower hops add hours, a suspended hop holds the
        message until it resumes (the situation is the one at ``sent_at``, the round start)."""
        if self.timeline is None:
            return arrives_at
        hops = via or (DIRECT_LINE,)
        extra = np.zeros(len(sent_at))
        for hop in hops:
            extra = extra + self._number(("hop", hop), "delay_hours", sent_at)
        release = np.full(len(sent_at), -np.inf)
        for hop in hops:
            release = np.maximum(release, self._held_until(hop, sent_at))
        arrival = arrives_at + np.maximum(extra, sent_at - arrives_at) + (release - sent_at)
        return arrival  # possibly after the deadline: then void (protocols.deadline)

    def moves_leaks(self, hops: tuple[str, ...]) -> bool:
        """Whether an event or an indicator of the timeline changes the leak chance of one of
        the intermediaries ``hops`` (then the runs draw for it even if it starts at zero)."""
        if self.timeline is None:
            return False
        targets = {("hop", h) for h in hops}
        sources = [*self.timeline.events, *self.timeline.indicators]
        return any(
            effect.number("leak") and effect.target in targets
            for source in sources
            for effect in source.effects
        )

    def hop_leak(self, hop: str, base: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Each run's leak chance of ``hop`` at its ``hours``: ``route_in_force`` per run."""
        if self.timeline is None:
            return base
        return _clip("leak", base + self._number(("hop", hop), "leak", hours))

    def _switch(
        self, target: tuple[str, str], name: str, hours: np.ndarray, default: np.ndarray
    ) -> np.ndarray:
        """``switch_at`` per run: the latest event in force sets it, else ``default``
        (which events are in force changes only at event edges: looked up once a piece)."""
        assert self.timeline is not None
        piece = np.searchsorted(self._bounds, hours, side="right")
        value = np.asarray(default, dtype=bool).copy()
        for p in np.unique(piece).tolist():
            key = ("switch", target, name, p)
            if key not in self._kept:
                self._kept[key] = self._switch_setting(target, name, hours[piece == p][:1])
            setting = self._kept[key]
            if setting[0]:
                value[piece == p] = setting[1]
        return value

    def _switch_setting(self, target: tuple[str, str], name: str, hours: np.ndarray) -> np.ndarray:
        """Whether an event in force at ``hours`` (one hour) sets the switch, and to what."""
        assert self.timeline is not None
        found = np.array([False, False])
        for event, _begins in self.timeline.scheduled_hours():
            active = in_force(event, self.timeline.start, hours)[0] > 0
            for effect in event.effects:
                if active and effect.target == target and name in dict(effect.switches):
                    found = np.array([True, bool(dict(effect.switches)[name])])
        return found

    def _held_until(self, hop: str, hours: np.ndarray) -> np.ndarray:
        """``held_until`` per run: the first event edge after ``hours`` at which ``hop`` is
        not suspended (``inf``: never); ``hours`` itself where it is not suspended."""
        assert self.timeline is not None
        target = ("hop", hop)
        suspended = self._switch(target, "suspended", hours, np.zeros(len(hours), dtype=bool))
        if not suspended.any():
            return hours
        open_edges = np.array(
            [
                edge
                for edge in self.timeline.edge_hours()
                if not switch_at(self.timeline, target, "suspended", edge, False)
            ],
            dtype=float,
        )
        after = np.searchsorted(open_edges, hours, side="right")
        padded = np.append(open_edges, np.inf)
        return np.where(suspended, padded[after], hours)


def _pieces(timeline: Timeline | None) -> tuple[np.ndarray, np.ndarray]:
    """The hours at which anything on the timeline may change (event edges, the first and
    last dates of every series), and for each stretch between two of them whether every
    number stays put there (no series moving): piece ``p`` is ``[bounds[p-1], bounds[p])``."""
    if timeline is None:
        return np.zeros(0), np.zeros(1, dtype=bool)
    spans = [
        (float(days.min()) * HOURS_PER_DAY, float(days.max()) * HOURS_PER_DAY)
        for days in (i.days_from(timeline.start) for i in timeline.indicators)
        if len(days)
    ]
    bounds = np.unique(
        np.array(timeline.edge_hours() + [h for span in spans for h in span], dtype=float)
    )
    low = np.concatenate(([-np.inf], bounds))
    high = np.concatenate((bounds, [np.inf]))
    flat = np.ones(len(low), dtype=bool)
    for first, last in spans:
        flat &= ~((low < last) & (high > first))
    return bounds, flat


def _clip(name: str, values: np.ndarray) -> np.ndarray:
    """``effects.clip`` elementwise: ``min(max(value, low), high)``."""
    low, high = BOUNDS[name]
    return np.minimum(np.maximum(values, low), high)
