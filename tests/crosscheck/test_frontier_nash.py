"""Backchannel and NegMAS agree on utilities, the Pareto frontier and the Nash point.

Conventions (checked here, described in docs/crosscheck.md): both compute the frontier over
the outcomes every party rates at or above its reservation value; both take the Nash point as
the largest product of gains over the disagreement point. NegMAS's disagreement point is the
reservation value *unless it is below the party's worst utility*, in which case it uses that
worst utility; Backchannel always uses the reservation value. The two agree whenever each
reservation is at least the party's worst utility, and
``test_nash_convention_difference_is_only_the_disagreement_point`` pins the other case.
"""

from __future__ import annotations

import numpy as np
import pytest

from backchannel.analysis.outcome_space import analyze_space
from backchannel.analysis.solutions import agreeable_mask, nash_index

from .pairs import SEEDS, SIZES, make_pair

pytestmark = pytest.mark.crosscheck
TOLERANCE = 1e-9


def negmas_utilities(pair) -> np.ndarray:
    outcomes = list(pair.outcome_space.enumerate())
    return np.array([[float(u(o)) for u in pair.ufuns] for o in outcomes])


def negmas_frontier(pair, negmas) -> np.ndarray:
    from negmas.preferences import pareto_frontier

    points, _ = pareto_frontier(pair.ufuns, outcomes=list(pair.outcome_space.enumerate()))
    return np.array(points, dtype=float).reshape(-1, 2)


def unique_rows(points: np.ndarray) -> np.ndarray:
    """Distinct utility pairs, sorted, so two frontiers compare point by point."""
    rounded = np.round(points, 12)
    _, first = np.unique(rounded, axis=0, return_index=True)
    chosen = points[np.sort(first)]
    return chosen[np.lexsort((chosen[:, 1], chosen[:, 0]))]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_same_utilities_frontier_and_nash(tmp_path, negmas, sizes, seed):
    pair = make_pair(sizes, seed, tmp_path)
    theirs = negmas_utilities(pair)
    assert np.allclose(pair.ours.utilities, theirs, rtol=0, atol=TOLERANCE)
    assert np.allclose(
        pair.ours.reservations, [u.reserved_value for u in pair.ufuns], rtol=0, atol=0
    )

    analysis = analyze_space(pair.ours)
    ours_front = unique_rows(analysis.frontier_utilities)
    their_front = unique_rows(negmas_frontier(pair, negmas))
    assert ours_front.shape == their_front.shape
    assert np.allclose(ours_front, their_front, rtol=0, atol=TOLERANCE)

    from negmas.preferences import nash_points

    front = [tuple(p) for p in negmas_frontier(pair, negmas)]
    nash = nash_points(pair.ufuns, front, outcome_space=pair.outcome_space)
    worst = theirs.min(axis=0)
    if np.all(pair.ours.reservations >= worst):
        assert analysis.nash is not None and nash
        ours_point = pair.ours.utilities[analysis.nash]
        assert any(np.allclose(ours_point, point, atol=TOLERANCE) for point, _ in nash)
    else:
        check_disagreement_point(pair, nash, worst)


def check_disagreement_point(pair, nash, worst) -> None:
    """NegMAS's Nash point is ours with the disagreement point raised to the worst utility."""
    utilities = pair.ours.utilities
    reservations = pair.ours.reservations
    agreeable = agreeable_mask(utilities, reservations, pair.ours.allowed)
    raised = np.maximum(reservations, worst)
    index = nash_index(utilities, raised, agreeable)
    assert index is not None and nash
    assert any(np.allclose(utilities[index], point, atol=TOLERANCE) for point, _ in nash)


def test_nash_convention_difference_is_only_the_disagreement_point(tmp_path, negmas):
    from negmas.preferences import nash_points

    for seed in range(20):
        pair = make_pair((5, 6), seed, tmp_path / str(seed))
        utilities = negmas_utilities(pair)
        worst = utilities.min(axis=0)
        if np.all(pair.ours.reservations >= worst):
            continue
        front = [tuple(p) for p in unique_rows(analyze_space(pair.ours).frontier_utilities)]
        nash = nash_points(pair.ufuns, front, outcome_space=pair.outcome_space)
        check_disagreement_point(pair, nash, worst)
        return
    pytest.fail("no generated scenario had a reservation below a party's worst utility")
