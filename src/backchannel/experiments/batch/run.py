"""Many negotiations of one scenario, on the batch engine where it applies, step by step otherwise.

How to use it (``compare``, tournaments, sweeps)::

    from backchannel.experiments.batch import batch_supported, run_batch

    rows = run_batch(scenario, "shuttle", {"us": "boulware"}, seeds, via=("oman",),
                     draw=draw_scenario)          # one tidy row per seed, in seed order
    rows[0]["engine"]                             # "batch" or "step": which engine played it

``strategies`` overrides the scenario's strategy per party id (as ``--strategy`` does).
``seeds`` are the runs' own seeds (``plan_runs`` job seeds): run ``i`` is exactly
``run_negotiation(draw(scenario, seeds[i]), RunOptions(seed=seeds[i], ...))``, whichever engine
plays it. ``draw(scenario, seed) -> Scenario`` gives a run its uncertain parameters; the batch
engine takes from a drawn scenario the parties' reservation values and time discounts (runs
whose utilities differ are grouped, one group per distinct set of utility functions).

:func:`batch_supported` says whether the batch engine will be used (:func:`why_not_batch` says
why not): two parties, the direct or shuttle protocol, strategies with an array form (boulware,
linear, conceder, tit-for-tat, hardliner), a route with fixed delays and no
distortion. A timeline is followed run by run, as the step engine follows it
(``batch.clock``), ratifiers judge each agreement as ``protocols.ratification`` does
(``batch.ratification``), and losses (with resends), leaks and a breakdown hazard are drawn
from each run's own protocol stream in the step engine's order (``batch.draws``,
``batch.hazard``, ``batch.engine``'s ``transmit``). Everything
else runs on the step engine, and each row says which engine played it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from backchannel.channel.route import Route
from backchannel.experiments.additive import additive
from backchannel.experiments.batch.clock import PartyArrays
from backchannel.experiments.batch.engine import (
    REASONS,
    BatchInputs,
    BatchOutcome,
    simulate,
)
from backchannel.experiments.batch.offers import OfferTable
from backchannel.experiments.batch.ratification import veto_reason
from backchannel.experiments.batch.run_offers import RunsOfferTable
from backchannel.experiments.batch.strategies import batch_strategy
from backchannel.protocols.breakdown import REASON as BREAKDOWN
from backchannel.protocols.runner import RunOptions, route_for, run_negotiation
from backchannel.protocols.transcript import Result
from backchannel.scenario.model import Scenario
from backchannel.space.utility import LinearAdditiveUtility

Row = dict[str, Any]
Draw = Callable[[Scenario, int], Scenario]
BATCH_PROTOCOLS = ("direct", "shuttle")
SLICE_RUNS = 256  # runs drawn and played together when every run draws its own weights
SHARED_TABLE_RUNS = 1000  # one shared offer table pays off from space size / this many runs


def run_batch(
    scenario: Scenario,
    protocol: str,
    strategies: Mapping[str, str],
    seeds: Sequence[int],
    *,
    via: tuple[str, ...] = (),
    force_direct: bool = False,
    draw: Draw | None = None,
    runs: Sequence[int] | None = None,
    engine: str = "auto",
) -> list[Row]:
    """One tidy row per seed (see the module docstring); ``engine`` may force "step"."""
    runs = list(range(len(seeds))) if runs is None else list(runs)
    step = _slice_size(scenario, draw)
    if len(seeds) > step:  # drawn utilities take memory per run: draw and play a slice at a time
        return [
            row
            for start in range(0, len(seeds), step)
            for row in run_batch(
                scenario, protocol, strategies, seeds[start : start + step], via=via,
                force_direct=force_direct, draw=draw, runs=runs[start : start + step],
                engine=engine,
            )
        ]  # fmt: skip
    options = RunOptions(
        protocol=protocol, via=via, strategies=dict(strategies), force_direct=force_direct
    )
    route = route_for(scenario, options)  # refuses a bad protocol/route before any work
    use_batch = engine != "step" and why_not_batch(scenario, protocol, strategies, via=via) is None
    if not use_batch:  # one drawn scenario at a time: a step run may compute its utilities
        return [
            _step_row(draw(scenario, int(seed)) if draw else scenario, options, int(seed), run)
            for seed, run in zip(seeds, runs, strict=True)
        ]
    scenarios = [draw(scenario, int(s)) for s in seeds] if draw else [scenario] * len(seeds)
    routes = _routes(scenarios, options)
    if not all(_batch_route(r) for r in routes.values()):
        scenarios.reverse()  # play and let go of each drawn scenario in turn
        return [
            _step_row(scenarios.pop(), options, int(seed), run)
            for seed, run in zip(seeds, runs, strict=True)
        ]
    names = _strategy_names(scenario, strategies)
    rows: list[Row | None] = [None] * len(seeds)
    for members, base in _groups(scenarios):
        members_ = [scenarios[i] for i in members]
        group_seeds = np.array([int(seeds[i]) for i in members], dtype=np.int64)
        outcome = _simulate(base, members_, names, routes, options, group_seeds)
        played = _batch_rows(base, options, route, names, outcome, group_seeds.tolist())
        for i, row in zip(members, played, strict=True):
            row["run"] = runs[i]
            rows[i] = row
    return rows  # type: ignore[return-value]


def _slice_size(scenario: Scenario, draw: Draw | None) -> int:
    """Runs drawn at once: all, unless each draws its own utilities (a vector per party)."""
    uncertain = scenario.uncertainty is not None and scenario.uncertainty.weights_uncertain
    return SLICE_RUNS if draw is not None and uncertain else 1 << 62


def batch_supported(
    scenario: Scenario,
    protocol: str,
    strategies: Mapping[str, str] | None = None,
    *,
    via: tuple[str, ...] = (),
) -> bool:
    """True when :func:`run_batch` will use the batch engine for these settings."""
    return why_not_batch(scenario, protocol, strategies or {}, via=via) is None


def why_not_batch(
    scenario: Scenario,
    protocol: str,
    strategies: Mapping[str, str] | None = None,
    *,
    via: tuple[str, ...] = (),
) -> str | None:
    """Why these settings need the step engine, or None if the batch engine applies."""
    if protocol not in BATCH_PROTOCOLS:
        return f"the {protocol} protocol runs step by step"
    if len(scenario.parties) != 2:
        return "the batch engine plays two-party negotiations only"
    hazard = scenario.spec.negotiation.breakdown if scenario.spec is not None else None
    if hazard is not None and hazard.resume is not None:
        return "the scenario's talks resume after a collapse, which the step engine plays"
    for party_id, name in _strategy_names(scenario, strategies or {}).items():
        if batch_strategy(name) is None:
            return f"strategy '{name}' ({party_id}) has no array form"
    try:
        route = route_for(scenario, RunOptions(protocol=protocol, via=via, force_direct=True))
    except ValueError as error:
        return str(error)
    if route.sessions is not None:
        return "the route runs in proximity sessions, which the step engine times"
    if not _batch_route(route):
        return "the channel draws randomness (stochastic delay or distortion)"
    return None


def _batch_route(route: Route) -> bool:
    """A route the batch engine's clock can replay: fixed delays, nothing reworded (leaks and
    losses change no message, and the engine draws them, and resends, as the step engine
    does), no proximity sessions."""
    if getattr(route, "sessions", None) is not None:
        return False
    for hop in route.hops:
        delay = getattr(hop, "delay", None)
        if getattr(hop, "fidelity", ()) or (delay is not None and delay.stochastic):
            return False
    return True


def _strategy_names(scenario: Scenario, overrides: Mapping[str, str]) -> dict[str, str]:
    return {p.id: overrides.get(p.id, p.strategy) for p in scenario.parties}


def _routes(scenarios: list[Scenario], options: RunOptions) -> dict[int, Route]:
    """Each distinct channel's route (drawn delays give a run its own channel)."""
    routes: dict[int, Route] = {}
    for s in scenarios:
        if id(s.channel) not in routes:
            routes[id(s.channel)] = route_for(s, options)
    return routes


def _groups(scenarios: list[Scenario]) -> list[tuple[list[int], Scenario]]:
    """Runs that one simulation can play together: the same timeline and space and, party by
    party, the same utility function or linear-additive utilities over the same value tables
    and red lines (drawn weights: each run then chooses its offers from its own utilities)."""
    groups: dict[tuple[object, ...], list[int]] = {}
    keys: dict[int, tuple[object, ...]] = {}  # runs without draws share one scenario object
    for i, s in enumerate(scenarios):
        key = keys.get(id(s))
        if key is None:
            key = (id(s.timeline), id(s.space), *(_family(p.utility) for p in s.parties))
            keys[id(s)] = key
        groups.setdefault(key, []).append(i)
    return [(members, scenarios[members[0]]) for members in groups.values()]


def _family(utility: object) -> tuple[object, ...]:
    if type(utility) is LinearAdditiveUtility:
        return ("linear", id(utility.tables), id(utility.forbidden))
    return ("own", id(utility))


def _tables(base: Scenario, members: list[Scenario]) -> tuple[OfferTable | RunsOfferTable, ...]:
    """Per party, one offer table every run shares, or one row of utilities per run. A shared
    table sorts the whole space once; for few runs over a large linear-additive space (one
    drawn run, say) answering run by run from the issue tables is far cheaper, and exact too."""
    tables: list[OfferTable | RunsOfferTable] = []
    for column in range(len(base.parties)):
        utilities = [s.parties[column].utility for s in members]
        allowed = base.allowed[:, column]
        few = len(members) * SHARED_TABLE_RUNS < base.space.size
        if all(u is utilities[0] for u in utilities) and not (few and additive(utilities)):
            tables.append(OfferTable(base.space, base.utilities[:, column], allowed))
            continue
        known = [  # a run's utilities, where something (compare's metrics) computed them already
            s.__dict__["utilities"][:, column] if "utilities" in s.__dict__ else None
            for s in members
        ]
        tables.append(RunsOfferTable(base.space, allowed, utilities, rows=known))  # type: ignore[arg-type]
    return tuple(tables)


def _simulate(
    base: Scenario,
    members: list[Scenario],
    names: Mapping[str, str],
    routes: Mapping[int, Route],
    options: RunOptions,
    seeds: np.ndarray,
) -> BatchOutcome:
    keys = list(routes)  # each run's route: read once per route, then spread to the runs
    where = {key: k for k, key in enumerate(keys)}
    spread = np.array([where[id(s.channel)] for s in members], dtype=np.int64)

    def per_run(values: list[object], dtype: type | None = float) -> np.ndarray:
        return np.array(values, dtype=dtype)[spread]

    hops = [routes[key].hops for key in keys]
    inputs = BatchInputs(
        parties=PartyArrays.of(members),
        hop_delays=per_run([[h.delay_hours for h in route] for route in hops]),
        hop_leaks=per_run([[h.leak for h in route] for route in hops]),
        seeds=seeds,
        hop_losses=per_run([[h.loss for h in route] for route in hops]),
        timeouts=per_run([routes[key].timeout for key in keys]),
        max_attempts=per_run([routes[key].max_attempts for key in keys], None),
    )
    via = routes[id(base.channel)].via
    strategies = tuple(batch_strategy(names[p.id]) for p in base.parties)
    direct = options.protocol == "direct"
    return simulate(
        base,
        strategies,  # type: ignore[arg-type]
        inputs,
        direct,
        _tables(base, members),  # type: ignore[arg-type]
        via,
    )


def _common(scenario: Scenario, options: RunOptions, via: tuple[str, ...], names, seed, run):
    row: Row = {
        "run": run,
        "seed": seed,
        "scenario": scenario.name,
        "protocol": options.protocol,
        "via": ">".join(via),
        "force_direct": options.force_direct,
    }
    row.update({f"strategy_{pid}": name for pid, name in names.items()})
    return row


def _batch_rows(
    scenario: Scenario,
    options: RunOptions,
    route: Route,
    names: Mapping[str, str],
    out: BatchOutcome,
    seeds: list[int],
) -> list[Row]:
    """The group's rows, in its runs' order, with the columns (and their order) of
    :func:`result_columns` (run: filled in by the caller). Built from whole columns at once
    (``tolist`` gives the same Python numbers as converting entry by entry), a run costs a dict
    and no ``Result``."""
    utility_keys = [f"utility_{p.id}" for p in scenario.parties]
    payoff_keys = [f"payoff_{p.id}" for p in scenario.parties]
    common = _common(scenario, options, route.via, names, 0, 0)
    common["engine"] = "batch"
    reasons: dict[int, str] = {}
    for code in set(out.reason.tolist()):
        reasons[code] = veto_reason(scenario, code) or REASONS[code]
    utilities, payoffs = out.utilities.tolist(), out.payoffs.tolist()
    columns = zip(
        seeds,
        out.agreement.tolist(),
        out.reason.tolist(),
        out.rounds.tolist(),
        out.time_hours.tolist(),
        utilities,
        payoffs,
        strict=True,
    )
    rows = []
    for seed, agreement, code, rounds, hours, utility, payoff in columns:
        row = common.copy()
        row["seed"] = seed
        reason = reasons[code]
        row["agreed"] = agreement >= 0
        row["agreement"] = agreement if agreement >= 0 else None
        row["reason"] = reason
        row["rounds"] = rounds
        row["time_hours"] = hours
        row.update(zip(utility_keys, utility, strict=True))
        row.update(zip(payoff_keys, payoff, strict=True))
        row["welfare"] = float(sum(payoff))
        row["collapses"] = 1 if reason == BREAKDOWN else 0  # resumed talks play step by step
        rows.append(row)
    return rows


def _step_row(scenario: Scenario, options: RunOptions, seed: int, run: int) -> Row:
    transcript = run_negotiation(scenario, _with_seed(options, seed))
    assert transcript.result is not None
    names = _strategy_names(scenario, options.strategies)
    row = _common(scenario, options, tuple(transcript.settings["via"]), names, seed, run)
    row["engine"] = "step"
    row.update(result_columns(transcript.result))
    return row


def _with_seed(options: RunOptions, seed: int) -> RunOptions:
    return replace(options, seed=seed)  # keeps every option (mediator, post_settlement, ...)


def result_columns(result: Result) -> Row:
    """The outcome columns of a tidy row, the same for both engines."""
    row: Row = {
        "agreed": result.agreement is not None,
        "agreement": result.agreement,
        "reason": result.reason,
        "rounds": result.rounds,
        "time_hours": result.time_hours,
    }
    row.update({f"utility_{pid}": value for pid, value in result.utilities.items()})
    row.update({f"payoff_{pid}": value for pid, value in result.payoffs.items()})
    row["welfare"] = float(sum(result.payoffs.values()))
    row["collapses"] = result.collapses  # times the breakdown hazard struck
    return row
