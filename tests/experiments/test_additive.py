"""Outcomes worth at least given levels, found issue by issue, equal a full pass over the space:
the same outcomes (those clearly above every level; none clearly below) with bit-for-bit the
same utilities; and a run's zone, frontier and Nash point on the 2026 flagship's two million
outcomes equal ``analyze_space``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.experiments.test_batch_exact import scenarios
from tests.experiments.test_run_space import assert_same_analysis

from backchannel.analysis.outcome_space import analyze_space
from backchannel.analysis.pareto import pareto_mask
from backchannel.experiments import additive
from backchannel.experiments.compare import draw_for
from backchannel.experiments.plan import job_rng
from backchannel.experiments.run_space import allowed_by_all, run_space
from backchannel.experiments.uncertainty import draw_scenario
from backchannel.scenario.loader import load_scenario
from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility


@st.composite
def problems(draw: st.DrawFn):
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=5))
    space = OutcomeSpace(
        tuple(
            NumericIssue(f"i{k}", f"i{k}", tuple(float(v) for v in range(size)))
            for k, size in enumerate(sizes)
        )
    )
    functions = []
    for _ in range(draw(st.integers(1, 3))):
        raw = np.array([draw(st.integers(1, 9)) for _ in sizes], dtype=float)
        tables = tuple(
            np.array(draw(st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0]), min_size=s, max_size=s)))
            for s in sizes
        )
        forbidden = tuple(np.array([draw(st.integers(0, 5)) == 0 for _ in range(s)]) for s in sizes)
        functions.append(LinearAdditiveUtility(raw / raw.sum(), tables, forbidden))
    levels = [draw(st.sampled_from([-1.0, 0.0, 0.2, 0.45, 0.7, 1.0])) for _ in functions]
    return space, functions, levels


@settings(max_examples=200, deadline=None)
@given(problems())
def test_outcomes_at_least_equal_a_full_pass(problem) -> None:
    space, functions, levels = problem
    allowed = additive.allowed_options(functions)
    rows, values = additive.at_least(space, functions, levels, allowed)
    full = [u.over_space(space) for u in functions]
    ok = np.ones(space.size, dtype=bool)
    for u in functions:
        ok &= u.allowed_over_space(space)
    clearly = ok.copy()
    for column, level in zip(full, levels, strict=True):
        clearly &= column >= level
        ok &= column >= level - additive.MARGIN
    assert np.all(np.diff(rows) > 0)  # ascending, no repeats
    assert set(np.flatnonzero(clearly)) <= set(rows.tolist()) <= set(np.flatnonzero(ok))
    for column, found in zip(full, values, strict=True):
        assert np.array_equal(column[rows].view(np.int64), found.view(np.int64))
        assert np.array_equal(additive.values_at(functions[0], space, rows), full[0][rows])


@pytest.mark.parametrize("seed", [1, 7])
def test_flagship_zone_frontier_and_nash_equal_the_full_analysis(seed) -> None:
    base = load_scenario("iran-us")
    drawn = draw_for(base, seed)
    fast = run_space(drawn, allowed_by_all(base))
    full = analyze_space(drawn)
    assert fast.zopa_exists == full.zopa_exists
    assert np.array_equal(fast.frontier_utilities, full.frontier_utilities)
    assert np.array_equal(fast.nash_utilities, full.utilities_of(full.nash))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_zone_frontier_and_nash_equal_the_full_analysis_on_random_scenarios(data, seed) -> None:
    """Small random scenarios with many exact ties (values on a coarse grid) and red lines:
    the frontier found near the frontier only, the zone and the Nash point equal the full
    analysis of every outcome."""
    base = data.draw(scenarios(uncertain=True))
    drawn = draw_scenario(base, job_rng(seed, 0))
    assert_same_analysis(run_space(drawn, allowed_by_all(base)), analyze_space(drawn))


@settings(max_examples=100, deadline=None)
@given(problems())
def test_near_frontier_keeps_every_frontier_outcome(problem) -> None:
    space, functions, levels = problem
    if len(functions) != 2:
        return
    allowed = additive.allowed_options(functions)
    rows, values = additive.near_frontier(space, functions, levels, allowed)
    every, _ = additive.at_least(space, functions, levels, allowed)
    assert set(rows.tolist()) <= set(every.tolist())
    full = np.stack([u.over_space(space) for u in functions], axis=1)[every]
    frontier = set(every[pareto_mask(full)].tolist())
    assert frontier <= set(rows.tolist())
    for column, found in zip(functions, values, strict=True):
        assert np.array_equal(column.over_space(space)[rows], found)
