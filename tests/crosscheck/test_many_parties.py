"""Three to six parties: Backchannel's frontier (the skyline) equals NegMAS's, point for point.

The scenarios are made by NegMAS (random linear-additive utility functions, one per party),
written by NegMAS as GENIUS XML and read by Backchannel. The Nash point is checked against the
definition (the largest product of gains over the reservation values, over NegMAS's frontier):
NegMAS 0.16's ``nash_points`` does not always return that point for more than two parties.
"""

from __future__ import annotations

import numpy as np
import pytest

from backchannel.analysis.outcome_space import analyze_space
from backchannel.scenario.genius import ImportOptions, read_genius_path
from backchannel.scenario.loader import compile_spec

from .pairs import negmas_module
from .test_frontier_nash import TOLERANCE

pytestmark = pytest.mark.crosscheck


def many(sizes: tuple[int, ...], parties: int, seed: int, folder):
    negmas_module()
    from negmas.inout import Scenario as NegmasScenario
    from negmas.outcomes import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction

    rng = np.random.default_rng(seed)
    issues = [make_issue([f"v{k}" for k in range(n)], f"i{j}") for j, n in enumerate(sizes)]
    space = make_os(issues)
    ufuns = []
    for p in range(parties):
        values = {}
        for issue in issues:
            raw = np.round(rng.random(len(issue.values)), 1)  # repeated values: ties
            raw[rng.integers(len(raw))] = 1.0
            values[issue.name] = dict(zip(issue.values, raw.tolist(), strict=True))
        weights = rng.dirichlet(np.ones(len(sizes)))
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=values,
                weights=dict(zip([i.name for i in issues], weights.tolist(), strict=True)),
                outcome_space=space,
                reserved_value=float(rng.uniform(0.0, 0.3)),
                name=f"p{p}",
            )
        )
    NegmasScenario(outcome_space=space, ufuns=tuple(ufuns)).to_genius_folder(folder)
    return ufuns, space, compile_spec(read_genius_path(folder, ImportOptions(rounds=100)))


def distinct(points: np.ndarray) -> np.ndarray:
    rounded = np.unique(np.round(np.asarray(points, dtype=float), 9), axis=0)
    return rounded[np.lexsort(rounded.T[::-1])]


@pytest.mark.parametrize("parties", [3, 4, 5, 6])
@pytest.mark.parametrize("seed", [1, 2])
def test_frontier_equals_negmas_and_nash_maximises_the_product(tmp_path, parties, seed):
    from negmas.preferences import pareto_frontier

    ufuns, space, ours = many((4, 5, 3, 4), parties, seed, tmp_path)
    outcomes = list(space.enumerate())
    theirs = np.array([[float(u(o)) for u in ufuns] for o in outcomes])
    assert np.allclose(ours.utilities, theirs, rtol=0, atol=TOLERANCE)
    points, _ = pareto_frontier(ufuns, outcomes=outcomes)
    analysis = analyze_space(ours)
    their_front = distinct(np.array(points, dtype=float).reshape(-1, parties))
    our_front = distinct(analysis.frontier_utilities)
    assert our_front.shape == their_front.shape
    assert np.allclose(our_front, their_front, rtol=0, atol=TOLERANCE)
    gains = np.prod(their_front - ours.reservations[None, :], axis=1)
    rational = (their_front >= ours.reservations[None, :] - TOLERANCE).all(axis=1)
    assert analysis.nash is not None
    ours_gain = np.prod(ours.utilities[analysis.nash] - ours.reservations)
    assert ours_gain == pytest.approx(gains[rational].max(), abs=1e-9)
