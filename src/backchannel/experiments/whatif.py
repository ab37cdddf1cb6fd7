"""What-if: change events, party numbers or an indicator's path, and measure what moves.

A what-if compares *figures* of two versions of a scenario: the deal window (on which days a
zone of agreement exists, :mod:`~backchannel.analysis.window`) and many seeded negotiations.
Runs take their seeds from an experiments plan and draw the scenario's declared uncertainty
with the same stream as ``backchannel compare`` (versions that differ only in their timeline
share those draws); they run on the batch engine where it applies, which follows the timeline's
clock run by run exactly as the step-by-step engine does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from backchannel.analysis.window import DealWindow, deal_window
from backchannel.experiments.batch import run_batch
from backchannel.experiments.plan import run_seeds
from backchannel.experiments.uncertainty import draw_run
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario

SETTABLE = ("reservation", "deadline_days", "time_discount", "direct_contact_cost")
SWITCHABLE = ("refuses_direct_talks",)
NEVER = ("never", "none", "off")
DRAW_STREAM = 0  # the stream ``backchannel compare`` draws a run's uncertain scenario from


class WhatIfError(ValueError):
    """A what-if asked for something malformed or unknown; the message names the flag and fix."""


@dataclass(frozen=True)
class EventMove:
    event: str
    date: dt.date | None


@dataclass(frozen=True)
class PartySetting:
    party: str
    field: str
    value: float | bool


@dataclass(frozen=True)
class Sweep:
    indicator: str
    values: np.ndarray


@dataclass(frozen=True)
class Runs:
    """Seeded negotiations of one version of a scenario, summarised."""

    count: int
    agreements: int
    median_days: float | None
    mean_payoffs: dict[str, float]
    mean_utilities: dict[str, float]

    @property
    def agreement_rate(self) -> float:
        return self.agreements / self.count if self.count else 0.0


@dataclass(frozen=True)
class Figures:
    """What one version of a scenario gives: its deal window and its simulated runs."""

    label: str
    scenario: Scenario
    window: DealWindow
    runs: Runs
    transcript: Transcript


def parse_event(text: str) -> EventMove:
    """``"snapback@2026-03-01"`` (or ``"snapback@never"`` to cancel an event)."""
    name, sep, when = text.partition("@")
    if not sep or not name.strip() or not when.strip():
        raise WhatIfError(
            f"--event expects EVENT@YYYY-MM-DD (or EVENT@never), e.g. --event snapback@2026-03-01;"
            f" got '{text}'"
        )
    when = when.strip()
    if when.lower() in NEVER:
        return EventMove(name.strip(), None)
    try:
        return EventMove(name.strip(), dt.date.fromisoformat(when))
    except ValueError:
        raise WhatIfError(
            f"--event '{text}': '{when}' is not a date; write it as YYYY-MM-DD (or 'never')"
        ) from None


def parse_setting(text: str) -> PartySetting:
    """``"iran.reservation=0.3"``: a party's number (or ``refuses_direct_talks=false``)."""
    target, sep, value = text.partition("=")
    party, dot, field = target.strip().partition(".")
    fields = ", ".join(SETTABLE + SWITCHABLE)
    if not sep or not dot or not party or not value.strip():
        raise WhatIfError(
            f"--set expects PARTY.FIELD=VALUE, e.g. --set iran.reservation=0.3; got '{text}'"
        )
    if field not in SETTABLE + SWITCHABLE:
        raise WhatIfError(f"--set '{text}': '{field}' cannot be set; use one of: {fields}")
    value = value.strip()
    if field in SWITCHABLE:
        if value.lower() not in ("true", "false"):
            raise WhatIfError(f"--set '{text}': {field} takes true or false")
        return PartySetting(party, field, value.lower() == "true")
    try:
        number = float(value)
    except ValueError:
        raise WhatIfError(f"--set '{text}': '{value}' is not a number") from None
    return PartySetting(party, field, number)


def parse_sweep(text: str) -> Sweep:
    """``"rial_depreciation=0:0.8:9"`` (start:stop:count) or ``"id=0.1,0.5,0.9"``."""
    name, sep, spec = text.partition("=")
    usage = (
        "--sweep expects INDICATOR=START:STOP:COUNT (e.g. --sweep rial_depreciation=0:0.8:9) "
        f"or INDICATOR=V1,V2,...; got '{text}'"
    )
    if not sep or not name.strip() or not spec.strip():
        raise WhatIfError(usage)
    try:
        if ":" in spec:
            start, stop, count = spec.split(":")
            values = np.linspace(float(start), float(stop), max(int(count), 0))
        else:
            values = np.array([float(v) for v in spec.split(",")])
    except ValueError:
        raise WhatIfError(usage) from None
    if len(values) < 2:
        raise WhatIfError(f"--sweep '{text}': give at least 2 values (COUNT must be at least 2)")
    return Sweep(name.strip(), values)


def apply_changes(
    scenario: Scenario, events: list[EventMove], settings: list[PartySetting]
) -> Scenario:
    """``scenario`` with events moved and party numbers set; unknown names say the fix."""
    timeline = scenario.timeline
    if events and timeline is None:
        raise WhatIfError(
            f"--event: scenario '{scenario.name}' has no timeline; add a 'timeline:' block "
            "(see docs/how-to/timelines.md) or leave out --event"
        )
    for move in events:
        assert timeline is not None
        try:
            timeline = timeline.with_event_date(move.event, move.date)
        except KeyError as error:
            raise WhatIfError(f"--event: {error.args[0]}") from None
    changed = replace(scenario, timeline=timeline)
    for setting in settings:
        if setting.party not in changed.party_ids:
            raise WhatIfError(
                f"--set: no party '{setting.party}'; parties are: {', '.join(changed.party_ids)}"
            )
        value = setting.value
        if setting.field == "reservation" and not 0.0 <= float(value) <= 1.0:
            raise WhatIfError("--set: a reservation value lies between 0 and 1")
        changed = changed.with_party(setting.party, **{setting.field: value})
    return changed


def with_sweep_value(scenario: Scenario, indicator: str, value: float) -> Scenario:
    """``scenario`` in which ``indicator`` moves in a straight line to ``value`` by the deadline."""
    if scenario.timeline is None:
        raise WhatIfError(
            f"--sweep: scenario '{scenario.name}' has no timeline, so no indicator to sweep"
        )
    try:
        timeline = scenario.timeline.with_indicator_reaching(
            indicator, value, scenario.deadline_days
        )
    except KeyError as error:
        raise WhatIfError(f"--sweep: {error.args[0]}") from None
    return replace(scenario, timeline=timeline)


def simulate(scenario: Scenario, options: RunOptions, runs: int, seed: int = 0) -> Runs:
    """``runs`` negotiations with per-run seeds from one plan seed (uncertainty drawn per run,
    the same draws for every version that changes only the timeline). They play on the batch
    engine where it applies (equal to the step engine run by run), else step by step."""
    if runs < 1:
        raise WhatIfError("--runs must be at least 1")
    seeds = [int(s) for s in run_seeds(seed, runs)]
    if options.mediator is None and options.post_settlement:
        rows = run_batch(
            scenario, options.protocol, options.strategies, seeds, via=options.via,
            force_direct=options.force_direct, draw=draw_run,
        )  # fmt: skip
        results = [
            (
                row["agreed"], row["time_hours"],
                [row[f"payoff_{pid}"] for pid in scenario.party_ids],
                [row[f"utility_{pid}"] for pid in scenario.party_ids],
            )
            for row in rows
        ]  # fmt: skip
    else:
        results = []
        for run_seed in seeds:
            result = run_negotiation(
                draw_run(scenario, run_seed), replace(options, seed=run_seed)
            ).result
            assert result is not None
            results.append(
                (
                    result.agreed, result.time_hours,
                    [result.payoffs[pid] for pid in scenario.party_ids],
                    [result.utilities[pid] for pid in scenario.party_ids],
                )
            )  # fmt: skip
    agreed_days = [hours / 24.0 for agreed, hours, _, _ in results if agreed]
    payoffs = [p for _, _, p, _ in results]
    utilities = [u for _, _, _, u in results]
    mean_payoffs, mean_utilities = np.mean(payoffs, axis=0), np.mean(utilities, axis=0)
    return Runs(
        count=runs,
        agreements=len(agreed_days),
        median_days=float(np.median(agreed_days)) if agreed_days else None,
        mean_payoffs=dict(zip(scenario.party_ids, map(float, mean_payoffs), strict=True)),
        mean_utilities=dict(zip(scenario.party_ids, map(float, mean_utilities), strict=True)),
    )


def figures(
    scenario: Scenario, label: str, runs: int, options: RunOptions, seed: int = 0
) -> Figures:
    """The deal window and ``runs`` seeded negotiations of ``scenario``."""
    return Figures(
        label=label,
        scenario=scenario,
        window=deal_window(scenario),
        runs=simulate(scenario, options, runs, seed),
        transcript=run_negotiation(scenario, replace(options, seed=seed)),
    )
