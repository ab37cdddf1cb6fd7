"""Compile the channel: intermediaries (delay, loss, leak, fidelity, bias) and named routes,
some of them run in proximity sessions."""

from __future__ import annotations

from collections.abc import Callable

from backchannel.channel.delays import Delay
from backchannel.channel.fidelity import Bias, FidelityStep
from backchannel.channel.sessions import TRIPS, Sessions
from backchannel.scenario.model import Channel, Intermediary
from backchannel.scenario.schema import (
    DelaySpec,
    FidelitySpec,
    IntermediarySpec,
    PreferencesSpec,
    RouteSpec,
    ScenarioSpec,
    SessionsSpec,
)
from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace

Add = Callable[[str, str, str], None]
UtilityOf = Callable[[str, PreferencesSpec], object | None]


def build_channel(
    add: Add, spec: ScenarioSpec, space: OutcomeSpace, utility_of: UtilityOf
) -> Channel:
    """The compiled channel; ``add(path, message, fix)`` records each problem found."""
    channel = spec.channel
    party_ids = [p.id for p in spec.parties]
    packages = {p.id: p.terms for p in spec.packages}
    seen: set[str] = set()
    for n, item in enumerate(channel.intermediaries):
        if item.id in seen:
            add(
                f"channel.intermediaries[{n}].id",
                f"id '{item.id}' is used twice",
                "give it a new id",
            )
        seen.add(item.id)
    intermediaries = tuple(
        _intermediary(
            add, f"channel.intermediaries[{n}]", item, space, party_ids, packages, utility_of
        )
        for n, item in enumerate(channel.intermediaries)
    )
    ids = [i.id for i in intermediaries]
    routes = []
    schedules = []
    for name, declared in channel.routes.items():
        chain = declared.via if isinstance(declared, RouteSpec) else declared
        if isinstance(declared, RouteSpec) and declared.sessions is not None:
            built = _sessions(add, f"channel.routes.{name}.sessions", name, declared.sessions, spec)
            if built is not None:
                schedules.append((name, built))
        if name in ids:
            add(
                f"channel.routes.{name}", f"'{name}' is also an intermediary id", "rename the route"
            )
        unknown = [i for i in chain if i not in ids]
        if unknown or not chain:
            add(
                f"channel.routes.{name}" + (".via" if isinstance(declared, RouteSpec) else ""),
                f"unknown intermediary '{unknown[0]}'" if unknown else "the route is empty",
                f"list intermediaries in order, from: {', '.join(ids) or '(none declared)'}",
            )
        routes.append((name, tuple(chain)))
    route = channel.default_route or (ids[0] if ids else None)
    if route is not None and route not in ids and route not in channel.routes:
        add(
            "channel.default_route",
            f"'{route}' is not an intermediary or a named route",
            f"use one of: {', '.join(ids + list(channel.routes)) or '(declare intermediaries)'}",
        )
    return Channel(
        direct_delay_hours=channel.direct_delay_hours,
        intermediaries=intermediaries,
        default_route=route,
        routes=tuple(routes),
        sessions=tuple(schedules),
        timeout_hours=channel.timeout_hours,
        max_attempts=channel.max_attempts,
    )


def _sessions(
    add: Add, where: str, name: str, spec: SessionsSpec, scenario: ScenarioSpec
) -> Sessions | None:
    """The compiled schedule in simulated hours, or None (with the problems added)."""
    start = scenario.timeline.start if scenario.timeline is not None else None
    opens, closes = [], []
    for n, item in enumerate(spec.schedule):
        place = f"{where}.schedule[{n}]"
        if item.date is not None:
            if start is None:
                add(
                    f"{place}.date",
                    "a dated session needs the day the clock starts",
                    "declare timeline.start, or give 'day' (days after the start) instead",
                )
                return None
            day = float((item.date - start).days)
            if day < 0:
                add(
                    f"{place}.date",
                    f"{item.date} is before the clock starts ({start})",
                    "give a date on or after timeline.start, or leave the session out",
                )
                return None
        else:
            day = float(item.day or 0.0)
        begins = day * 24.0 + item.hour
        if opens and begins < closes[-1]:
            add(
                place,
                "this session opens before the one listed before it has closed",
                "list sessions in time order, each opening after the last one closes",
            )
            return None
        if item.length_hours < spec.relay_hours:
            add(
                f"{place}.length_hours",
                f"{item.length_hours:g} hours is shorter than one relay ({spec.relay_hours:g})",
                "make the session longer or 'relay_hours' shorter",
            )
            return None
        opens.append(begins)
        closes.append(begins + item.length_hours)
    every = spec.then_every_days * 24.0 if spec.then_every_days is not None else None
    if every is not None and every < closes[-1] - opens[-1]:
        add(
            f"{where}.then_every_days",
            "repeated sessions would overlap: the interval is shorter than the last session",
            "make 'then_every_days' at least the last session's length",
        )
        return None
    return Sessions(
        name=name,
        opens=opens,
        closes=closes,
        relay_hours=spec.relay_hours,
        response_hours=spec.response_hours,
        every_hours=every,
        after_last=spec.after_last or TRIPS,
    )


def _intermediary(
    add: Add,
    where: str,
    item: IntermediarySpec,
    space: OutcomeSpace,
    party_ids: list[str],
    packages: dict[str, dict[str, str | float]],
    utility_of: UtilityOf,
) -> Intermediary:
    delay = _delay(item.delay) if item.delay is not None else None
    bias = None
    if item.bias is not None:
        if item.bias.favours is not None and item.bias.favours not in party_ids:
            add(
                f"{where}.bias.favours",
                f"'{item.bias.favours}' is not a party",
                f"use one of the party ids: {', '.join(party_ids)}",
            )
        utility = None
        if item.bias.preferences is not None:
            utility = utility_of(f"{where}.bias.preferences", item.bias.preferences)
        bias = Bias(favours=item.bias.favours, strength=item.bias.strength, utility=utility)
    steps = []
    for n, step in enumerate(item.fidelity):
        built = _step(add, f"{where}.fidelity[{n}]", step, space, packages, bias is not None)
        if built is not None:
            steps.append(built)
    return Intermediary(
        id=item.id,
        name=item.name or item.id,
        delay_hours=delay.mean if delay is not None else item.delay_hours,
        delay=delay,
        loss=item.loss,
        leak=item.leak,
        fidelity=tuple(steps),
        bias=bias,
    )


def _delay(spec: DelaySpec) -> Delay:
    return Delay(
        distribution=spec.distribution,
        hours=spec.hours or 0.0,
        low=spec.low or 0.0,
        high=spec.high or 0.0,
        mode=spec.mode or 0.0,
        median=spec.median or 0.0,
        sigma=spec.sigma or 0.0,
    )


def _step(
    add: Add,
    where: str,
    spec: FidelitySpec,
    space: OutcomeSpace,
    packages: dict[str, dict[str, str | float]],
    biased: bool,
) -> FidelityStep | None:
    column = None
    if spec.issue is not None:
        if spec.issue not in space.issue_ids:
            add(f"{where}.issue", f"'{spec.issue}' is not an issue", _issues(space))
            return None
        column = space.issue_ids.index(spec.issue)
    if spec.kind == "round" and not isinstance(space.issues[column or 0], NumericIssue):
        add(f"{where}.issue", f"'{spec.issue}' has named options", "round only a numeric issue")
        return None
    default = None
    if spec.kind == "drop":
        default = _position(add, f"{where}.default", space, spec.issue or "", spec.default)
        if default is None:
            return None
    toward: list[tuple[int, int]] = []
    if spec.kind == "lean":
        terms = spec.toward
        if isinstance(terms, str):
            if terms not in packages:
                add(f"{where}.toward", f"no package '{terms}'", "name a package or give terms")
                return None
            terms = packages[terms]
        if terms is None and not biased:
            add(
                where,
                "a 'lean' step needs a direction",
                "give 'toward' (terms or a package id) or a 'bias' on the intermediary",
            )
            return None
        for key, value in (terms or {}).items():
            if spec.issue is not None and key != spec.issue:
                continue
            position = _position(add, f"{where}.toward.{key}", space, key, value)
            if position is None:
                return None
            toward.append((space.issue_ids.index(key), position))
    return FidelityStep(
        kind=spec.kind,
        issue=column,
        probability=spec.probability,
        step=spec.step,
        default=default,
        toward=tuple(toward),
        steps=spec.steps,
    )


def _position(
    add: Add, where: str, space: OutcomeSpace, issue_id: str, value: object
) -> int | None:
    if issue_id not in space.issue_ids:
        add(where, f"'{issue_id}' is not an issue", _issues(space))
        return None
    issue = space.issue(issue_id)
    try:
        return issue.index_of(value)
    except (KeyError, ValueError):
        add(
            where,
            f"'{value}' is not a value of issue '{issue_id}'",
            f"use one of: {', '.join(issue.labels)}",
        )
        return None


def _issues(space: OutcomeSpace) -> str:
    return f"use one of the issue ids: {', '.join(space.issue_ids)}"
