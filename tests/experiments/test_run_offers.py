"""The offer choice for runs with their own utilities answers exactly as a scan of the space.

The reference is ``components.offer_for_target`` written out plainly over every outcome; the
table under test answers for many runs at once from per-issue tables (the dynamic programme of
``batch.run_offers``), including ties between equal utilities, red lines, reservation values
above every outcome and spaces whose distances are not whole numbers (then it scans).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.agents.distances import distance_to
from backchannel.experiments.batch import run_offers
from backchannel.experiments.batch.run_offers import RunsOfferTable
from backchannel.space.issues import DiscreteIssue, NumericIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility

TOLERANCE = 1e-12


def reference(utilities, allowed, space, target, reservation, latest) -> int:
    """``offer_for_target`` over every outcome, as its docstring states it."""
    acceptable = allowed & (utilities >= reservation)
    rows = np.flatnonzero(acceptable)
    if len(rows) == 0:
        return int(np.argmax(utilities))
    best = int(rows[np.argmax(utilities[rows])])
    candidates = rows[utilities[rows] >= target - TOLERANCE]
    if len(candidates) <= 1:
        return best
    if latest < 0:
        return int(candidates[np.argmin(utilities[candidates])])
    distances = distance_to(space, latest, candidates)
    return int(candidates[np.lexsort((candidates, -utilities[candidates], distances))[0]])


@st.composite
def problems(draw: st.DrawFn):
    issues = []
    for k in range(draw(st.integers(1, 4))):
        size = draw(st.integers(2, 5))
        if draw(st.booleans()):
            issues.append(NumericIssue(f"n{k}", f"n{k}", tuple(float(j) for j in range(size))))
        else:
            issues.append(DiscreteIssue(f"d{k}", f"d{k}", tuple(f"o{j}" for j in range(size))))
    space = OutcomeSpace(tuple(issues))
    levels = st.sampled_from([0.0, 0.25, 0.5, 1.0, 0.3, 0.7])  # equal values make ties
    tables = tuple(
        np.array(draw(st.lists(levels, min_size=i.size, max_size=i.size))) for i in issues
    )
    forbidden = tuple(
        np.array([j == 0 and draw(st.integers(0, 3)) == 0 for j in range(i.size)]) for i in issues
    )
    runs = draw(st.integers(1, 6))
    functions = []
    for _ in range(runs):
        raw = np.array(
            draw(st.lists(st.integers(0, 6), min_size=len(issues), max_size=len(issues)))
        )
        weights = raw / raw.sum() if raw.sum() else np.full(len(issues), 1 / len(issues))
        functions.append(LinearAdditiveUtility(weights=weights, tables=tables, forbidden=forbidden))
    return space, functions


def ask(table, functions, space, data) -> None:
    runs = len(functions)
    rows = [f.over_space(space) for f in functions]
    allowed = functions[0].allowed_over_space(space)
    for _round in range(4):
        target = np.array([data.draw(st.floats(0.0, 1.1)) for _ in range(runs)])
        reservation = np.array(
            [data.draw(st.sampled_from([0.0, 0.2, 0.5, 1.5])) for _ in range(runs)]
        )
        latest = np.array([data.draw(st.integers(-1, space.size - 1)) for _ in range(runs)])
        got = table.offer(target, reservation, latest)
        want = [
            reference(rows[r], allowed, space, target[r], reservation[r], latest[r])
            for r in range(runs)
        ]
        assert got.tolist() == want
        outcome = np.array([data.draw(st.integers(0, space.size - 1)) for _ in range(runs)])
        assert table.value(outcome).tolist() == [rows[r][outcome[r]] for r in range(runs)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), data=st.data())
def test_offers_equal_a_scan_of_every_outcome(problem, data) -> None:
    space, functions = problem
    table = RunsOfferTable(space, functions[0].allowed_over_space(space), functions)
    assert table.levels is not None
    ask(table, functions, space, data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), data=st.data())
def test_doubtful_answers_and_the_scanning_table_agree_too(problem, data) -> None:
    space, functions = problem
    allowed = functions[0].allowed_over_space(space)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_offers, "NEAR", 10.0)  # every answer doubtful: looked up by a scan
        ask(RunsOfferTable(space, allowed, functions), functions, space, data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_offers, "MAX_LEVELS", 0)  # no programme at all
        table = RunsOfferTable(space, allowed, functions)
        assert table.levels is None
        ask(table, functions, space, data)


def test_runs_leave_and_the_rest_still_answer() -> None:
    space = OutcomeSpace(
        (
            NumericIssue("x", "x", (0.0, 1.0, 2.0, 3.0, 4.0)),
            DiscreteIssue("y", "y", ("a", "b", "c")),
        )
    )
    tables = (np.array([0.0, 0.2, 0.5, 0.9, 1.0]), np.array([1.0, 0.5, 0.5]))
    functions = [
        LinearAdditiveUtility(weights=np.array([w, 1 - w]), tables=tables) for w in (0.2, 0.6, 0.9)
    ]
    table = RunsOfferTable(space, np.ones(space.size, dtype=bool), functions)
    table.offer(np.full(3, 0.5), np.zeros(3), np.array([0, 1, 2]))
    table.keep(np.array([True, False, True]))
    got = table.offer(np.full(2, 0.6), np.zeros(2), np.array([3, 4]))
    rows = [functions[r].over_space(space) for r in (0, 2)]
    allowed = np.ones(space.size, dtype=bool)
    assert got.tolist() == [
        reference(rows[0], allowed, space, 0.6, 0.0, 3),
        reference(rows[1], allowed, space, 0.6, 0.0, 4),
    ]
    assert table.utility_at(np.array([1]), np.array([7])).tolist() == [
        functions[1].over_space(space)[7]
    ]


@pytest.mark.parametrize("only_allowed", [True, False])
def test_best_outcome_is_the_lowest_index_among_the_best(only_allowed) -> None:
    space = OutcomeSpace(tuple(DiscreteIssue(f"d{k}", f"d{k}", ("a", "b", "c")) for k in range(3)))
    tables = tuple(np.array([0.5, 1.0, 1.0]) for _ in range(3))
    forbidden = (np.array([False, True, False]), np.zeros(3, bool), np.zeros(3, bool))
    function = LinearAdditiveUtility(weights=np.full(3, 1 / 3), tables=tables, forbidden=forbidden)
    table = RunsOfferTable(space, function.allowed_over_space(space), [function])
    values = function.over_space(space)
    if only_allowed:
        values = np.where(function.allowed_over_space(space), values, -np.inf)
        assert table.best_index.tolist() == [int(np.argmax(values))]
    else:
        assert table.global_argmax.tolist() == [int(np.argmax(values))]
