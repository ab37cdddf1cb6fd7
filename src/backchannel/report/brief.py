"""The plain-language brief: what happens, why it matters, what to watch.

Every sentence is a template from :mod:`~backchannel.report.brief_templates` filled with numbers
computed here (outcome-space analysis, seeded simulations, the deal window and what-if variants
of the timeline) and chosen by a computed condition. ``numbers`` keeps every figure used, so
tests and machine readers can check the text against the analysis.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from backchannel.analysis.outcome_space import analyze_space, outcome_utilities
from backchannel.analysis.window import zopa_sizes
from backchannel.experiments.rates import clearly_different, interval_text, rate_text, wilson
from backchannel.experiments.whatif import Figures, figures, simulate
from backchannel.protocols.runner import RunOptions
from backchannel.report import brief_templates as t
from backchannel.report.critical import as_of_sentence, critical_opening
from backchannel.scenario.at_time import reservations_over
from backchannel.scenario.model import Scenario
from backchannel.timeline.events import HOURS_PER_DAY

SCAN_POINTS = 33
# Indicators whose unit bounds their values: a scan never reads past these.
UNIT_BOUNDS = {"share": (0.0, 1.0), "%": (0.0, 100.0)}


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Brief:
    title: str
    sections: list[Section]
    images: list[tuple[str, str]] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)

    def markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        for section in self.sections:
            lines += [f"## {section.heading}", ""]
            for paragraph in section.paragraphs:
                lines += [paragraph, ""]
            lines += [f"- {b}" for b in section.bullets]
            if section.bullets:
                lines.append("")
        for caption, name in self.images:
            lines += [f"![{caption}]({name})", ""]
        return "\n".join(lines)

    def html(self) -> str:
        e = html.escape
        body = [f"<h1>{e(self.title)}</h1>"]
        for section in self.sections:
            body.append(f"<h2>{e(section.heading)}</h2>")
            body += [f"<p>{e(p)}</p>" for p in section.paragraphs]
            if section.bullets:
                body.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in section.bullets) + "</ul>")
        for caption, name in self.images:
            body.append(f'<figure><img src="{e(name)}" alt="{e(caption)}" style="max-width:100%">')
            body.append(f"<figcaption>{e(caption)}</figcaption></figure>")
        style = "body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5}"
        return (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{e(self.title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
        )


def terms_text(scenario: Scenario, index: int) -> str:
    units = {issue.id: getattr(issue, "unit", "") for issue in scenario.space.issues}
    names = {issue.id: issue.name for issue in scenario.space.issues}
    parts = []
    for issue, value in scenario.space.outcome(index).items():
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        parts.append(f"{names[issue]} {shown}{(' ' + units[issue]) if units[issue] else ''}")
    return "; ".join(parts)


def _gains(scenario: Scenario, utilities: np.ndarray, reservations: np.ndarray) -> str:
    return ", ".join(
        f"{p.name} {u:.3f} ({u - r:+.3f} over walking away)"
        for p, u, r in zip(scenario.parties, utilities, reservations, strict=True)
    )


def _payoffs(values: dict[str, float]) -> str:
    return ", ".join(f"{pid} {v:.3f}" for pid, v in values.items())


def build_brief(scenario: Scenario, runs: int = 10, seed: int = 0) -> Brief:
    """Compute everything the brief says, then choose and fill its sentences."""
    analysis = analyze_space(scenario)
    numbers: dict[str, Any] = {"zopa_size": analysis.zopa_size, "outcomes": analysis.outcome_count}
    timeline = scenario.timeline
    title = t.TITLE.format(title=scenario.title)
    happens = Section(t.HAPPENS)
    as_of = as_of_sentence(scenario)
    if as_of is not None:
        happens.paragraphs.append(as_of)
    if analysis.zopa_exists:
        share = analysis.zopa_size / analysis.outcome_count
        happens.paragraphs.append(
            t.ZONE_OPEN.format(
                zopa=analysis.zopa_size, outcomes=analysis.outcome_count, share=share
            )
        )
    else:
        happens.paragraphs.append(t.ZONE_CLOSED.format(outcomes=analysis.outcome_count))
    reservations = scenario.reservations
    if analysis.nash is not None:
        nash_u = outcome_utilities(scenario, analysis.nash)
        numbers["nash_utilities"] = dict(zip(scenario.party_ids, map(float, nash_u), strict=True))
        happens.paragraphs.append(
            t.NASH.format(
                gains=_gains(scenario, nash_u, reservations),
                terms=terms_text(scenario, analysis.nash),
            )
        )
    for package in scenario.packages:
        u = outcome_utilities(scenario, package.index)
        allowed = bool(scenario.allowed[package.index].all())
        short = [p for p, v, r in zip(scenario.parties, u, reservations, strict=True) if v < r]
        if allowed and not short:
            happens.bullets.append(
                t.PACKAGE_IN.format(name=package.name, gains=_gains(scenario, u, reservations))
            )
        else:
            worst = short[0] if short else scenario.parties[0]
            column = scenario.party_index(worst.id)
            gap = f"{reservations[column] - u[column]:.3f}" if short else "a red line"
            happens.bullets.append(
                t.PACKAGE_OUT.format(name=package.name, short=worst.name, gap=gap)
            )
    shuttle_options = RunOptions(protocol="shuttle", seed=seed)
    route = scenario.channel.default_route or "the direct line"
    base = figures(scenario, "baseline", runs, shuttle_options, seed)
    numbers["shuttle"] = _runs_numbers(base.runs)
    if base.runs.agreements:
        happens.paragraphs.append(
            t.RUNS_AGREE.format(
                runs=runs,
                route=route,
                rate=rate_text(base.runs.agreements, base.runs.count),
                days=base.runs.median_days,
                payoffs=_payoffs(base.runs.mean_payoffs),
            )
        )
    else:
        happens.paragraphs.append(
            t.RUNS_NONE.format(
                runs=runs,
                route=route,
                deadline=scenario.deadline_days,
                interval=interval_text(0, base.runs.count),
                payoffs=_payoffs(base.runs.mean_payoffs),
            )
        )
    matters = Section(t.MATTERS)
    opening, numbers["critical"] = critical_opening(scenario)
    matters.paragraphs.append(opening)
    _indirection(scenario, base, runs, seed, matters, numbers)
    _window(scenario, base, matters, numbers)
    watch = Section(t.WATCH)
    if timeline is not None:
        _events(scenario, base, runs, seed, matters, watch, numbers)
        _indicators(scenario, watch, numbers)
    sections = [happens, matters, watch]
    if timeline is not None and timeline.illustrative:
        sections[0].paragraphs.insert(
            0,
            t.ILLUSTRATIVE.format(events=len(timeline.events), indicators=len(timeline.indicators)),
        )
    brief = Brief(title, sections, numbers=numbers)
    brief.numbers["_figures"] = base
    return brief


def _runs_numbers(runs) -> dict[str, Any]:
    return {
        "runs": runs.count,
        "agreement_rate": runs.agreement_rate,
        "agreement_rate_interval": list(wilson(runs.agreements, runs.count)),
        "median_days": runs.median_days,
        "mean_payoffs": runs.mean_payoffs,
    }


def _indirection(
    scenario: Scenario, base: Figures, runs: int, seed: int, out: Section, numbers: dict
) -> None:
    if scenario.channel.default_route is None:
        return
    direct = simulate(scenario, RunOptions(protocol="direct", force_direct=True, seed=seed), runs)
    numbers["direct"] = _runs_numbers(direct)
    shuttle = base.runs
    if shuttle.median_days is not None and direct.median_days is not None:
        ratio = shuttle.median_days / max(direct.median_days, 1e-9)
        out.paragraphs.append(
            t.INDIRECTION_SLOWER.format(
                direct_days=direct.median_days, shuttle_days=shuttle.median_days, ratio=ratio
            )
        )
    differ = clearly_different(
        (shuttle.agreements, shuttle.count), (direct.agreements, direct.count)
    )
    numbers["direct_rate_differs"] = differ
    template = t.INDIRECTION_RATE if differ else t.INDIRECTION_UNCLEAR_RATE
    out.paragraphs.append(
        template.format(
            shuttle_rate=rate_text(shuttle.agreements, shuttle.count),
            direct_rate=rate_text(direct.agreements, direct.count),
            runs=runs,
        )
    )
    for party in scenario.parties:
        if party.refuses_direct_talks and party.direct_contact_cost > 0:
            out.bullets.append(
                t.INDIRECTION_PRICE.format(
                    name=party.name,
                    cost=party.direct_contact_cost,
                    direct=direct.mean_payoffs[party.id],
                    shuttle=shuttle.mean_payoffs[party.id],
                )
            )


def _window(scenario: Scenario, base: Figures, out: Section, numbers: dict) -> None:
    window = base.window
    numbers["window_open_share"] = window.open_share
    closes = window.closes_day()
    numbers["window_closes_day"] = closes
    start = scenario.timeline.start if scenario.timeline else None

    def when(day: float) -> str:
        return str(start + dt.timedelta(days=day)) if start else f"day {day:.0f}"

    if not window.open.any():
        out.paragraphs.append(t.WINDOW_NEVER.format(samples=len(window.days)))
    elif closes is None:
        out.paragraphs.append(
            t.WINDOW_ALWAYS.format(
                samples=len(window.days),
                start=when(0.0),
                end=when(float(window.days[-1])),
                deals=_deals(int(window.zopa_sizes.min()), int(window.zopa_sizes.max())),
            )
        )
    else:
        out.paragraphs.append(
            t.WINDOW_CLOSES.format(date=when(closes), day=closes, open=window.open_share)
        )


def _events(
    scenario: Scenario,
    base: Figures,
    runs: int,
    seed: int,
    matters: Section,
    watch: Section,
    numbers: dict,
) -> None:
    timeline = scenario.timeline
    assert timeline is not None
    horizon = scenario.deadline_days * HOURS_PER_DAY
    midpoint = timeline.start + dt.timedelta(days=round(scenario.deadline_days / 3))
    numbers["events"] = {}
    base_end = base.window.zopa_end
    for event in timeline.events:
        if not any(e.target[0] == "party" for e in event.effects):
            continue
        name = event.name.removesuffix(" (possible)")
        hours = None if event.date is None else timeline.hours_of(event.date)
        if hours is not None and not 0 < hours <= horizon:
            continue  # history: already in the scenario's numbers
        if event.date is None:
            variant_timeline = timeline.with_event_date(event.id, midpoint)
            when = f"if it happened on {midpoint}"
            base_zone, without_runs = base_end, base.runs
            variant = replace(scenario, timeline=variant_timeline)
            variant_figures = figures(variant, event.id, runs, RunOptions(seed=seed), seed)
            zone, with_runs = variant_figures.window.zopa_end, variant_figures.runs
        else:
            without = replace(scenario, timeline=timeline.with_event_date(event.id, None))
            other = figures(without, event.id, runs, RunOptions(seed=seed), seed)
            when = f"on {event.date}, against a timeline without it"
            base_zone, without_runs = other.window.zopa_end, other.runs
            zone, with_runs = base_end, base.runs
        change = (zone - base_zone) / base_zone if base_zone else float(zone > 0)
        numbers["events"][event.id] = {
            "zone_without": base_zone,
            "zone_with": zone,
            "rate": with_runs.agreement_rate,
            "rate_interval": list(wilson(with_runs.agreements, with_runs.count)),
        }
        if base_zone > 0 and zone == 0:
            text = t.EVENT_CLOSES.format(name=name, when=when, base=base_zone)
        elif base_zone == 0 and zone > 0:
            text = t.EVENT_OPENS.format(name=name, when=when, variant=zone)
        elif zone == base_zone:
            text = t.EVENT_KEEPS.format(
                name=name, when=when, base=base_zone, rates=_rates(without_runs, with_runs)
            )
        else:
            text = t.EVENT_MOVES.format(
                name=name,
                when=when,
                verb="narrow" if zone < base_zone else "widen",
                base=base_zone,
                variant=zone,
                change=change,
                rates=_rates(without_runs, with_runs),
            )
        matters.bullets.append(text)
        signal = t.EVENT_SIGNAL if zone != base_zone else t.EVENT_SIGNAL_NONE
        watch.bullets.append(signal.format(name=name, change=change))


def _rates(without, with_it) -> str:
    """The event's effect on the agreement rate, claimed only if the intervals support it."""
    template = (
        t.EVENT_RATE_MOVES
        if clearly_different(
            (without.agreements, without.count), (with_it.agreements, with_it.count)
        )
        else t.EVENT_RATE_UNCLEAR
    )
    return template.format(
        base_rate=rate_text(without.agreements, without.count),
        rate=rate_text(with_it.agreements, with_it.count),
    )


def _deals(low: int, high: int) -> str:
    """``3,099 deals`` or ``1,697 to 4,222 deals``."""
    return f"{low:,} deals" if low == high else f"{low:,} to {high:,} deals"


def _indicators(scenario: Scenario, watch: Section, numbers: dict) -> None:
    timeline = scenario.timeline
    assert timeline is not None
    horizon = np.array([scenario.deadline_days * HOURS_PER_DAY])
    numbers["indicators"] = {}
    for indicator in timeline.indicators:
        if not any(e.target[0] == "party" for e in indicator.effects):
            continue
        now = float(indicator.value_at(timeline.start, 0.0))
        span = max(float(np.ptp(indicator.values)), abs(now) * 0.5, 1e-6)
        low = now - span if indicator.values.min() < 0 or now - span >= 0 else 0.0
        high = now + span
        if indicator.unit in UNIT_BOUNDS:  # a share lost cannot pass 1
            floor, ceiling = UNIT_BOUNDS[indicator.unit]
            low, high = max(low, floor), min(high, ceiling)
        values = np.linspace(low, high, SCAN_POINTS)
        rows = [
            reservations_over(
                timeline.with_indicator_reaching(indicator.id, float(v), scenario.deadline_days),
                scenario,
                horizon,
            )[0]
            for v in values
        ]
        zones = zopa_sizes(scenario, np.array(rows))
        open_now = bool(zones[np.argmin(np.abs(values - now))] > 0)
        flips = np.flatnonzero((zones > 0) != open_now)
        watch_text = indicator.watch or indicator.name
        record: dict[str, Any] = {"now": now, "values": values.tolist(), "zones": zones.tolist()}
        if len(flips):
            nearest = flips[np.argmin(np.abs(values[flips] - now))]
            record["threshold"] = float(values[nearest])
            watch.bullets.append(
                t.INDICATOR_THRESHOLD.format(
                    name=indicator.name,
                    now=now,
                    unit=indicator.unit,
                    threshold=float(values[nearest]),
                    what="close" if open_now else "open",
                    watch=watch_text,
                )
            )
        else:
            watch.bullets.append(
                t.INDICATOR_NO_THRESHOLD.format(
                    name=indicator.name,
                    now=now,
                    unit=indicator.unit,
                    low=float(values[0]),
                    high=float(values[-1]),
                    state="open" if open_now else "shut",
                    deals=_deals(int(zones.min()), int(zones.max())),
                    watch=watch_text,
                )
            )
        numbers["indicators"][indicator.id] = record


def write_brief(scenario: Scenario, out_dir: str | Path, runs: int = 10, seed: int = 0) -> Brief:
    """Compute the brief and write ``brief.md``, ``brief.html`` and its PNG plots to ``out_dir``."""
    from backchannel.report.space_plot import plot_outcome_space
    from backchannel.report.timeline_plot import plot_pressure

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    brief = build_brief(scenario, runs, seed)
    base = brief.numbers.pop("_figures")
    plot_outcome_space(scenario, analyze_space(scenario), folder / "outcome-space.png")
    brief.images.append(("Which deals exist and who gains: the outcome space", "outcome-space.png"))
    plot_pressure([base], folder / "pressure.png")
    brief.images.append(
        ("Reservation values, concessions and the deal window over time", "pressure.png")
    )
    (folder / "brief.md").write_text(brief.markdown(), encoding="utf-8")
    (folder / "brief.html").write_text(brief.html(), encoding="utf-8")
    return brief
