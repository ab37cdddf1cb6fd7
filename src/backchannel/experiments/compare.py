"""Compare protocols (and channels) over many seeded runs: the cost of indirection, measured.

A comparison is a plan of seeded runs (:mod:`~backchannel.experiments.plan`); run ``i`` draws
its scenario once from the declared uncertainty and plays it under *every* arm (protocol, and
route for the mediated ones) with the same seed, so the arms are compared on the same draws.
Each negotiation goes through the batch engine where it applies and the step engine otherwise
(:func:`~backchannel.experiments.batch.run_batch`); each row says which. The executor
(:mod:`~backchannel.experiments.executors`) decides where chunks run; the rows are the same for
every backend and chunk size.

An arm is written ``PROTOCOL[@ROUTE][:VARIANT]``: ``ROUTE`` is an intermediary, a named route,
or a chain joined by ``+`` (``shuttle@qatar+oman``); ``VARIANT`` changes every hop
(:mod:`~backchannel.experiments.variants`: ``lossless``, ``undistorted``, ``faithful``,
``loss=P``, ``noise=P``): ``shuttle`` against ``shuttle:faithful`` isolates what the channel's
loss and distortion cost, ``shuttle:loss=0.1`` asks what one lost message in ten would cost.
``direct`` in a scenario where a party refuses direct talks is simulated as the counterfactual
direct line (``force_direct``): the refusing party pays its domestic price of direct contact.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backchannel.experiments import additive
from backchannel.experiments.batch import run_batch
from backchannel.experiments.executors import execute
from backchannel.experiments.metrics import Summary, agreement_metrics, summarise
from backchannel.experiments.plan import DEFAULT_CHUNK_SIZE, Chunk, Job, plan_runs
from backchannel.experiments.run_space import RunSpace, allowed_by_all, run_space
from backchannel.experiments.uncertainty import DRAW_STREAM as DRAW_STREAM
from backchannel.experiments.uncertainty import draw_run
from backchannel.experiments.variants import VariantError, parse_variant, with_channel_variant
from backchannel.protocols import runner
from backchannel.protocols.breakdown import REASON as COLLAPSE
from backchannel.scenario.model import Scenario

Row = dict[str, Any]


class CompareError(ValueError):
    """A comparison asked for something the scenario or the engine cannot do; says the fix."""


@dataclass(frozen=True)
class Arm:
    """One protocol as compared: its label in the output and how to run it."""

    label: str
    protocol: str
    via: tuple[str, ...] = ()
    force_direct: bool = False
    variant: str = ""


@dataclass(frozen=True)
class CompareSettings:
    arms: tuple[Arm, ...]
    runs: int
    seed: int = 0
    strategies: tuple[tuple[str, str], ...] = ()
    chunk_size: int = DEFAULT_CHUNK_SIZE
    engine: str = "auto"
    load: tuple[str, ...] = ()  # strategy files (--load) every worker imports before playing


@dataclass(frozen=True)
class Comparison:
    scenario: str
    settings: CompareSettings
    rows: list[Row]
    summaries: list[Summary]
    engines: dict[str, list[str]] = field(default_factory=dict)
    # CPU milliseconds a run that playing each arm took (its engine's share of the work; the
    # draws and the zone, frontier and Nash point every arm shares are not counted).
    play_ms: dict[str, float] = field(default_factory=dict)


def parse_arms(text: str, scenario: Scenario, via: Sequence[str] = ()) -> tuple[Arm, ...]:
    """Arms from ``--protocols`` text such as ``"direct,shuttle,shuttle@qatar"``.

    Protocol names are checked against ``runner.PROTOCOLS`` as it is when called.
    """
    known = tuple(runner.PROTOCOLS)
    labels = [item.strip() for item in text.split(",") if item.strip()]
    if not labels:
        raise CompareError(f"--protocols lists no protocol; choose from: {', '.join(known)}")
    arms = []
    for label in labels:
        head, _, variant = label.partition(":")
        protocol, _, route = head.partition("@")
        if protocol not in known:
            raise CompareError(
                f"unknown protocol '{protocol}' in --protocols; choose from: {', '.join(known)} "
                "(optionally PROTOCOL@ROUTE:VARIANT, e.g. shuttle@qatar or shuttle:faithful)"
            )
        if variant:
            try:
                parse_variant(variant)
            except VariantError as error:
                raise CompareError(f"{error} (in '{label}')") from None
        if (route or variant) and protocol == "direct":
            raise CompareError(
                f"'{label}': the direct line has no intermediary, so it takes no route or "
                "variant; write 'direct'"
            )
        chain = tuple(r for r in route.split("+") if r) if route else tuple(via)
        if protocol == "direct":
            chain = ()
        refuses = any(p.refuses_direct_talks for p in scenario.parties)
        forced = protocol == "direct" and refuses
        arms.append(Arm(label, protocol, chain, force_direct=forced, variant=variant))
    repeated = {a.label for a in arms if [b.label for b in arms].count(a.label) > 1}
    if repeated:
        raise CompareError(f"--protocols lists {', '.join(sorted(repeated))} more than once")
    return tuple(arms)


def check_settings(scenario: Scenario, settings: CompareSettings) -> None:
    """Refuse bad settings before any work (``runner.RunRefused`` explains a bad arm)."""
    if settings.runs < 1:
        raise CompareError("--runs must be at least 1")
    if settings.chunk_size < 1:
        raise CompareError("--chunk-size must be at least 1")
    overrides = dict(settings.strategies)
    runner.build_strategies(scenario, overrides, 0)  # unknown party or strategy
    for arm in settings.arms:
        base = with_channel_variant(scenario, arm.variant) if arm.variant else scenario
        run_batch(base, arm.protocol, overrides, [], via=arm.via, force_direct=arm.force_direct)


def run_comparison(
    scenario: Scenario,
    settings: CompareSettings,
    *,
    backend: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Plan, execute and summarise a comparison."""
    check_settings(scenario, settings)
    chunks = plan_runs(settings.seed, settings.runs, settings.chunk_size)
    worker = functools.partial(run_chunk, scenario, settings)
    rows = execute(
        chunks, worker, backend, workers=workers, ray_address=ray_address, progress=progress
    )
    labels = [arm.label for arm in settings.arms]
    engines = {
        label: sorted({str(row["engine"]) for row in rows if row["arm"] == label})
        for label in labels
    }
    spent = dict.fromkeys(labels, 0.0)
    for row in rows:  # what playing each arm cost, measured where it ran
        spent[row["arm"]] += row.pop(PLAY_SECONDS)
    per_run = {label: 1000.0 * spent[label] / max(settings.runs, 1) for label in labels}
    summaries = summarise(rows, labels)
    return Comparison(scenario.name, settings, rows, summaries, engines, per_run)


def draw_for(scenario: Scenario, seed: int) -> Scenario:
    """Run ``seed``'s scenario: the base one drawn with the run's own draw generator."""
    return draw_run(scenario, seed)


HELD_BYTES = 256 * 2**20  # drawn runs' utility matrices held at once, about
PLAY_SECONDS = "_play_seconds"  # carried from the workers, then summed into Comparison.play_ms


def run_chunk(scenario: Scenario, settings: CompareSettings, chunk: Chunk) -> list[Row]:
    """Every arm on every run of ``chunk``: rows ordered by run, then by arm. Runs that draw
    their own utility functions, other than linear-additive ones (measured issue by issue,
    ``experiments.additive``), each hold a utility matrix while they are measured, so a chunk
    over a large space is played a few runs at a time (the rows are the same)."""
    if settings.load:  # a process or Ray worker starts without the user's strategies
        from backchannel.experiments.tournament import load_strategies

        load_strategies(settings.load)
    per_run = scenario.space.size * len(scenario.parties) * 8
    step = max(1, HELD_BYTES // per_run)
    if additive.additive([p.utility for p in scenario.parties]):
        step = len(chunk.jobs)  # no run holds its utilities over the whole space
    jobs = chunk.jobs
    return [
        row
        for start in range(0, len(jobs), step)
        for row in _play(scenario, settings, jobs[start : start + step])
    ]


def _play(scenario: Scenario, settings: CompareSettings, jobs: Sequence[Job]) -> list[Row]:
    seeds = [job.seed for job in jobs]
    runs = [job.index for job in jobs]
    drawn = {seed: draw_for(scenario, seed) for seed in seeds}
    allowed = allowed_by_all(scenario)  # draws keep the red lines
    analyses: dict[int, RunSpace] = {}
    for s in drawn.values():
        if id(s) not in analyses:
            analyses[id(s)] = run_space(s, allowed)
    overrides = dict(settings.strategies)
    by_arm = []
    for arm in settings.arms:
        base, played = scenario, drawn
        if arm.variant:
            base = with_channel_variant(scenario, arm.variant)
            played = {seed: with_channel_variant(s, arm.variant) for seed, s in drawn.items()}
        started = time.process_time()
        rows = run_batch(
            base,
            arm.protocol,
            overrides,
            seeds,
            via=arm.via,
            force_direct=arm.force_direct,
            draw=lambda _base, seed, played=played: played[seed],
            runs=runs,
            engine=settings.engine,
        )
        share = (time.process_time() - started) / max(len(rows), 1)
        by_arm.append([{**_tidy(row, arm), PLAY_SECONDS: share} for row in rows])
    for rows in by_arm:
        _add_metrics(rows, [drawn[seed] for seed in seeds], analyses)
    return [rows[k] for k in range(len(seeds)) for rows in by_arm]


def _tidy(row: Row, arm: Arm) -> Row:
    out: Row = {"arm": arm.label}
    out.update({k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()})
    hours = out.get("time_hours")
    out["time_days"] = None if hours is None else float(hours) / 24.0
    return out


def _add_metrics(
    rows: list[Row], scenarios: list[Scenario], analyses: Mapping[int, RunSpace]
) -> None:
    """Zone of agreement and distances, vectorised over the rows that share a drawn scenario."""
    groups: dict[int, list[int]] = {}
    for k, s in enumerate(scenarios):
        groups.setdefault(id(s), []).append(k)
    for key, members in groups.items():
        s, analysis = scenarios[members[0]], analyses[key]
        agreements = np.array(
            [-1 if rows[k]["agreement"] is None else int(rows[k]["agreement"]) for k in members]
        )
        utilities = _utilities_of(s, np.maximum(agreements, 0))
        metrics = agreement_metrics(analysis, utilities, agreements)
        for position, k in enumerate(members):
            row = rows[k]
            row["zopa"] = analysis.zopa_exists
            row["miscalculation"] = (
                analysis.zopa_exists and not row["agreed"] and row.get("reason") != COLLAPSE
            )
            for name, values in metrics.items():
                value = float(values[position])
                row[name] = None if np.isnan(value) else value
            for party in s.parties:
                row[f"reservation_{party.id}"] = float(party.reservation)


def _utilities_of(scenario: Scenario, outcomes: np.ndarray) -> np.ndarray:
    """Every party's utility of ``outcomes``, ``(outcomes, parties)``: looked up one outcome at
    a time (the same sums ``over_space`` adds) rather than over a drawn run's whole space."""
    functions = [p.utility for p in scenario.parties]
    if "utilities" in scenario.__dict__ or not additive.additive(functions):
        return scenario.utilities[outcomes]
    columns = [additive.values_at(u, scenario.space, outcomes) for u in functions]
    return np.stack(columns, axis=1)
