"""Compile a scenario's ``timeline:`` block, checking every reference and every data file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backchannel.scenario.errors import Problem
from backchannel.scenario.schema import EffectSpec, TimelineSpec
from backchannel.timeline.effects import DIRECT_LINE, HOP_NUMBERS, PARTY_NUMBERS, Effect
from backchannel.timeline.events import TimedEvent
from backchannel.timeline.indicators import Indicator, SeriesError, check_points, read_csv_series
from backchannel.timeline.model import Timeline


def build_timeline(
    spec: TimelineSpec,
    party_ids: list[str],
    hop_ids: list[str],
    base_dir: Path | None = None,
) -> tuple[Timeline | None, list[Problem]]:
    """The :class:`Timeline`, or every problem that prevents it (paths start at ``timeline``)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    events = []
    for number, event in enumerate(spec.events):
        where = f"timeline.events[{number}]"
        _unique(problems, where, event.id, seen)
        effects = _effects(problems, where, event.effects, party_ids, hop_ids, per_unit=False)
        events.append(
            TimedEvent(
                id=event.id,
                name=event.name or event.id,
                date=event.date,
                effects=effects,
                lasts_days=event.lasts_days,
                note=_note(event.assumption, event.source),
            )
        )
    indicators = []
    for number, spec_indicator in enumerate(spec.indicators):
        where = f"timeline.indicators[{number}]"
        _unique(problems, where, spec_indicator.id, seen)
        effects = _effects(
            problems, where, spec_indicator.effects, party_ids, hop_ids, per_unit=True
        )
        series = _series(problems, where, spec_indicator, base_dir)
        if series is None:
            continue
        dates, values = series
        indicators.append(
            Indicator(
                id=spec_indicator.id,
                name=spec_indicator.name or spec_indicator.id,
                unit=spec_indicator.unit,
                dates=tuple(dates),
                values=np.array(values, dtype=float),
                effects=effects,
                watch=spec_indicator.watch or "",
                note=_note(spec_indicator.assumption, spec_indicator.source),
            )
        )
    if problems:
        return None, problems
    timeline = Timeline(
        start=spec.start,
        events=tuple(events),
        indicators=tuple(indicators),
        illustrative=spec.illustrative,
    )
    return timeline, []


def _unique(problems: list[Problem], where: str, item: str, seen: set[str]) -> None:
    if item in seen:
        problems.append(
            Problem(f"{where}.id", f"id '{item}' is used twice in the timeline", "give it a new id")
        )
    seen.add(item)


def _effects(
    problems: list[Problem],
    where: str,
    specs: list[EffectSpec],
    party_ids: list[str],
    hop_ids: list[str],
    per_unit: bool,
) -> tuple[Effect, ...]:
    effects = []
    for number, spec in enumerate(specs):
        path = f"{where}.effects[{number}]"
        if spec.party is not None and spec.party not in party_ids:
            problems.append(
                Problem(
                    f"{path}.party",
                    f"'{spec.party}' is not a party",
                    f"use one of the party ids: {', '.join(party_ids)}",
                )
            )
            continue
        hops = [DIRECT_LINE, *hop_ids]
        if spec.intermediary is not None and spec.intermediary not in hops:
            problems.append(
                Problem(
                    f"{path}.intermediary",
                    f"'{spec.intermediary}' is not an intermediary",
                    f"use one of: {', '.join(hops)} ('direct' is the direct line)",
                )
            )
            continue
        if spec.intermediary == DIRECT_LINE and spec.leak is not None:
            problems.append(
                Problem(
                    f"{path}.leak",
                    "the direct line does not leak: leaks come from the intermediaries who carry "
                    "the messages",
                    "name an intermediary to make its channel leakier, or remove 'leak'",
                )
            )
            continue
        numbers_allowed = PARTY_NUMBERS if spec.party else HOP_NUMBERS
        numbers = tuple(
            (name, float(getattr(spec, name)))
            for name in numbers_allowed
            if getattr(spec, name) is not None
        )
        switch_names = ("refuses_direct_talks",) if spec.party else ("suspended",)
        switches = tuple(
            (name, bool(getattr(spec, name)))
            for name in switch_names
            if getattr(spec, name) is not None
        )
        if per_unit and switches:
            problems.append(
                Problem(
                    path,
                    f"an indicator cannot switch {switches[0][0]} on or off",
                    "declare a dated event for it; indicators change numbers in proportion",
                )
            )
            continue
        target = ("party", spec.party) if spec.party else ("hop", str(spec.intermediary))
        effects.append(Effect(target, numbers, switches, _note(spec.assumption, spec.source)))
    return tuple(effects)


def _series(
    problems: list[Problem], where: str, spec, base_dir: Path | None
) -> tuple[list, list[float]] | None:
    if spec.points is not None:
        dates = [p[0] for p in spec.points]
        values = [float(p[1]) for p in spec.points]
        found = check_points(f"{where}.points", dates, values)
        problems.extend(found)
        return None if found else (dates, values)
    path = Path(spec.csv)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        return read_csv_series(path, f"{where}.csv")
    except SeriesError as error:
        problems.extend(error.problems)
        return None


def _note(assumption: str | None, source: str | None) -> str:
    parts = []
    if assumption:
        parts.append(f"assumption: {' '.join(assumption.split())}")
    if source:
        parts.append(f"source: {' '.join(source.split())}")
    return "; ".join(parts)
