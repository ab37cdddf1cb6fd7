"""Tournaments: every pairing of strategies, in both roles, on every scenario and protocol.

Plan → play → results, as in the other experiments. A *match* is one assignment of strategies
to a scenario's two parties under one protocol; every ordered pair of strategies is a match, so
each strategy plays each role against each opponent (itself included). Repetition ``r`` of
every match draws the same scenario from the declared uncertainty and uses the same seed
(common random numbers: pairings are compared on the same draws). Runs are planned with
:func:`~backchannel.experiments.plan.plan_runs` and played chunk by chunk on any executor
backend, through the batch engine where it applies, so rows do not depend on the backend.

The ranking scores a strategy on every run it played, once per seat it held: its own payoff
(utility after time discounting and any price of direct contact; a breakdown pays the
reservation value), whether the run agreed, and the run's welfare (sum of payoffs), each with a
95 % confidence interval (mean ± 1.96 standard errors).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from backchannel.agents.registry import strategy_names
from backchannel.experiments.batch import run_batch
from backchannel.experiments.executors import execute
from backchannel.experiments.plan import Chunk, job_rng, plan_runs, run_seeds
from backchannel.experiments.uncertainty import draw_scenario
from backchannel.scenario.model import Scenario

Row = dict[str, Any]
Z95 = 1.959963984540054  # two-sided 95 % normal quantile
DRAW_STREAM = 0  # the job_rng stream a run's scenario is drawn from (as in compare)


class TournamentError(ValueError):
    """A tournament asked for something that cannot be played; the message says the fix."""


@dataclass(frozen=True)
class Match:
    scenario: int  # position in the plan's scenarios
    protocol: str
    strategies: tuple[str, str]  # by party column
    force_direct: bool = False


@dataclass(frozen=True)
class TournamentPlan:
    """Everything a worker needs (picklable: scenarios travel with it)."""

    scenarios: tuple[Scenario, ...]
    matches: tuple[Match, ...]
    repetitions: int
    seed: int = 0
    load: tuple[str, ...] = ()

    @property
    def runs(self) -> int:
        return len(self.matches) * self.repetitions


@dataclass(frozen=True)
class Standing:
    strategy: str
    seats: int
    utility: float
    utility_ci: float
    agreement_rate: float
    agreement_ci: float
    welfare: float
    welfare_ci: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Tournament:
    plan: TournamentPlan
    rows: list[Row]
    standings: list[Standing]
    engines: list[str]
    notes: list[str]


def plan_tournament(
    scenarios: Sequence[Scenario],
    strategies: Sequence[str],
    protocols: Sequence[str],
    repetitions: int,
    seed: int = 0,
    load: Sequence[str] = (),
) -> TournamentPlan:
    """The matches to play: every ordered pair of strategies, per scenario and protocol."""
    if repetitions < 1:
        raise TournamentError("--repetitions must be at least 1")
    known = strategy_names()
    unknown = [s for s in strategies if s not in known]
    if unknown:
        raise TournamentError(
            f"unknown strategy '{unknown[0]}' in --strategies; known: {', '.join(known)} "
            "(add your own with --load FILE.py)"
        )
    if len(strategies) < 1:
        raise TournamentError("--strategies lists no strategy")
    matches = []
    for index, scenario in enumerate(scenarios):
        if len(scenario.parties) != 2:
            raise TournamentError(
                f"scenario '{scenario.name}' has {len(scenario.parties)} parties; tournaments "
                "pair strategies in two-party scenarios only"
            )
        for protocol in protocols:
            refusing = any(p.refuses_direct_talks for p in scenario.parties)
            force = protocol == "direct" and refusing
            for pair in product(strategies, repeat=2):
                matches.append(Match(index, protocol, pair, force))
    return TournamentPlan(tuple(scenarios), tuple(matches), repetitions, seed, tuple(load))


def run_tournament(
    plan: TournamentPlan,
    *,
    backend: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Tournament:
    """Play every match ``plan.repetitions`` times and rank the strategies."""
    for scenario in plan.scenarios:  # refuse a bad protocol or route before any work
        for protocol in {m.protocol for m in plan.matches}:
            run_batch(scenario, protocol, {}, [], force_direct=True)
    chunks = plan_runs(plan.seed, plan.runs, chunk_size=plan.repetitions)
    worker = functools.partial(play_chunk, plan)
    rows = execute(
        chunks, worker, backend, workers=workers, ray_address=ray_address, progress=progress
    )
    strategies = list(dict.fromkeys(s for m in plan.matches for s in m.strategies))
    engines = sorted({str(row["engine"]) for row in rows})
    notes = sorted({_note(plan, m) for m in plan.matches if m.force_direct})
    return Tournament(plan, rows, rank(rows, strategies), engines, notes)


def play_chunk(plan: TournamentPlan, chunk: Chunk) -> list[Row]:
    """The runs of one chunk, grouped by match so the batch engine plays each group at once."""
    load_strategies(plan.load)
    seeds = run_seeds(plan.seed, plan.repetitions)
    rows: list[Row] = []
    by_match: dict[int, list[int]] = {}
    for job in chunk.jobs:
        by_match.setdefault(job.index // plan.repetitions, []).append(job.index)
    for number, indices in by_match.items():
        match = plan.matches[number]
        scenario = plan.scenarios[match.scenario]
        ids = scenario.party_ids
        repetitions = [i % plan.repetitions for i in indices]
        played = run_batch(
            scenario,
            match.protocol,
            dict(zip(ids, match.strategies, strict=True)),
            [int(seeds[r]) for r in repetitions],
            force_direct=match.force_direct,
            draw=_draw,
            runs=indices,
        )
        for row, repetition in zip(played, repetitions, strict=True):
            rows.append(_tidy(row, number, repetition, ids, match))
    return rows


def _draw(scenario: Scenario, seed: int) -> Scenario:
    return draw_scenario(scenario, job_rng(seed, DRAW_STREAM))


def _tidy(row: Row, number: int, repetition: int, ids: tuple[str, ...], match: Match) -> Row:
    out: Row = {"match": number, "repetition": repetition}
    out.update({k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()})
    for seat, pid in enumerate(ids):  # role-free columns for the ranking
        out[f"seat{seat}_party"] = pid
        out[f"seat{seat}_strategy"] = match.strategies[seat]
        out[f"seat{seat}_payoff"] = row[f"payoff_{pid}"]
    return out


def rank(rows: Sequence[Row], strategies: Sequence[str]) -> list[Standing]:
    """Standings, best mean payoff first (array arithmetic over the seats played)."""
    names, payoff, agreed, welfare = [], [], [], []
    for seat in (0, 1):
        names += [row[f"seat{seat}_strategy"] for row in rows]
        payoff += [row[f"seat{seat}_payoff"] for row in rows]
        agreed += [row["agreed"] for row in rows]
        welfare += [row["welfare"] for row in rows]
    names_a = np.array(names, dtype=object)
    columns = [np.array(x, dtype=float) for x in (payoff, agreed, welfare)]
    standings = []
    for strategy in strategies:
        mine = names_a == strategy
        stats = [_mean_ci(c[mine]) for c in columns]
        standings.append(Standing(strategy, int(mine.sum()), *(v for s in stats for v in s)))
    return sorted(standings, key=lambda s: (-s.utility, s.strategy))


def _mean_ci(values: np.ndarray) -> tuple[float, float]:
    if len(values) == 0:
        return float("nan"), float("nan")
    if len(values) == 1:
        return float(values[0]), 0.0
    return float(values.mean()), float(Z95 * values.std(ddof=1) / np.sqrt(len(values)))


def _note(plan: TournamentPlan, match: Match) -> str:
    scenario = plan.scenarios[match.scenario]
    refusing = next(p.name for p in scenario.parties if p.refuses_direct_talks)
    return (
        f"direct in '{scenario.name}': {refusing} refuses direct talks, so direct talks are "
        "simulated as if forced (force_direct) and it pays its domestic price"
    )


_LOADED: dict[str, frozenset[str]] = {}  # source -> the strategy names it registered


def load_strategies(sources: Sequence[str]) -> list[str]:
    """Import strategy files (``path/to/file.py``) or modules (``package.module``) so that
    their ``@register``-ed strategies join the registry; returns the names they define.

    Safe to call again in the same process: each source is imported once and answers, every
    time, with the names it added the first time. That is how process-pool and Ray workers pick
    up the same strategies as the command that started them, and why ``strategies --load``
    marks them "(loaded)" even after another command in the process imported the file.
    """
    added: set[str] = set()
    for source in sources:
        key = str(Path(source).resolve()) if source.endswith(".py") else source
        if key not in _LOADED:
            before = set(strategy_names())
            if source.endswith(".py"):
                _import_file(Path(source))
            else:
                _import_module(source)
            _LOADED[key] = frozenset(set(strategy_names()) - before)
        added |= _LOADED[key]
    return sorted(added)


def _import_file(path: Path) -> None:
    if not path.is_file():
        raise TournamentError(
            f"--load {path}: no such file; give the path to a .py file that defines and "
            "@register-s a strategy (see examples/my_strategy.py)"
        )
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    name = f"backchannel_user_strategies.{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's code: report it, do not crash
        del sys.modules[name]
        raise TournamentError(
            f"--load {path}: importing it failed ({type(error).__name__}: {error}); fix the "
            "file and run again"
        ) from None


def _import_module(name: str) -> None:
    try:
        importlib.import_module(name)
    except ImportError as error:
        raise TournamentError(
            f"--load {name}: cannot import it ({error}); give a .py file path or an "
            "importable module name"
        ) from None
