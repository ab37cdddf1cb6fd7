"""Bargaining solutions: closed forms on textbook cases, brute force on random ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backchannel.analysis.pareto import pareto_mask
from backchannel.analysis.solutions import (
    agreeable_mask,
    kalai_smorodinsky_index,
    nash_index,
    utilitarian_index,
)


def split_the_pie(steps: int = 1000) -> np.ndarray:
    share = np.linspace(0.0, 1.0, steps + 1)
    return np.stack([share, 1.0 - share], axis=1)


@pytest.mark.parametrize(("r1", "r2"), [(0.0, 0.0), (0.2, 0.0), (0.1, 0.3), (0.4, 0.4)])
def test_nash_splits_the_surplus_over_the_disagreement_point(r1: float, r2: float) -> None:
    # Linear frontier u2 = 1 - u1: Nash gives u1 = (1 + r1 - r2) / 2 (Nash 1950).
    utilities = split_the_pie()
    reservations = np.array([r1, r2])
    agreeable = agreeable_mask(utilities, reservations)
    index = nash_index(utilities, reservations, agreeable)
    assert index is not None
    assert utilities[index, 0] == pytest.approx((1 + r1 - r2) / 2, abs=1e-3)


def test_nash_with_a_concave_utility_matches_the_calculus_answer() -> None:
    # u1 = x, u2 = sqrt(1 - x): maximise x * sqrt(1 - x)  ->  x = 2/3.
    x = np.linspace(0.0, 1.0, 30001)
    utilities = np.stack([x, np.sqrt(1.0 - x)], axis=1)
    reservations = np.zeros(2)
    index = nash_index(utilities, reservations, agreeable_mask(utilities, reservations))
    assert x[index] == pytest.approx(2 / 3, abs=1e-4)


def test_kalai_smorodinsky_equalises_shares_of_the_ideal_gain() -> None:
    # u1 = x, u2 = sqrt(1 - x), ideal (1, 1): KS on the line u2 = u1, so x = sqrt(1 - x).
    x = np.linspace(0.0, 1.0, 30001)
    utilities = np.stack([x, np.sqrt(1.0 - x)], axis=1)
    index = kalai_smorodinsky_index(utilities, np.zeros(2), np.ones(len(x), dtype=bool))
    golden = (np.sqrt(5) - 1) / 2
    assert x[index] == pytest.approx(golden, abs=1e-4)


def test_kalai_smorodinsky_uses_the_ideal_point_within_the_zone() -> None:
    utilities = split_the_pie()
    reservations = np.array([0.2, 0.0])
    agreeable = agreeable_mask(utilities, reservations)
    index = kalai_smorodinsky_index(utilities, reservations, agreeable)
    # Ideal (1, 0.8): (u1 - 0.2) / 0.8 = u2 / 0.8 and u2 = 1 - u1  ->  u1 = 0.6.
    assert utilities[index, 0] == pytest.approx(0.6, abs=1e-3)


def test_no_agreeable_outcome_gives_no_solution() -> None:
    utilities = split_the_pie(10)
    reservations = np.array([0.7, 0.7])
    agreeable = agreeable_mask(utilities, reservations)
    assert not agreeable.any()
    assert nash_index(utilities, reservations, agreeable) is None
    assert kalai_smorodinsky_index(utilities, reservations, agreeable) is None
    assert utilitarian_index(utilities, agreeable) is None


matrices = arrays(
    np.float64,
    st.tuples(st.integers(1, 40), st.integers(2, 3)),
    elements=st.sampled_from([0.0, 0.2, 0.3, 0.5, 0.6, 0.8, 1.0]),
)


@settings(max_examples=150, deadline=None)
@given(matrices, st.floats(0.0, 0.6))
def test_solutions_match_brute_force_and_lie_on_the_frontier(
    utilities: np.ndarray, reservation: float
) -> None:
    parties = utilities.shape[1]
    reservations = np.full(parties, reservation)
    agreeable = agreeable_mask(utilities, reservations)
    nash = nash_index(utilities, reservations, agreeable)
    ks = kalai_smorodinsky_index(utilities, reservations, agreeable)
    best_sum = utilitarian_index(utilities, agreeable)
    if not agreeable.any():
        assert nash is None and ks is None and best_sum is None
        return
    rows = np.flatnonzero(agreeable)
    products = [np.prod(utilities[i] - reservations) for i in rows]
    assert np.prod(utilities[nash] - reservations) == pytest.approx(max(products))
    assert utilities[best_sum].sum() == pytest.approx(max(utilities[i].sum() for i in rows))
    ideal = utilities[rows].max(axis=0)
    span = np.where(ideal - reservations > 0, ideal - reservations, 1.0)
    shares = [
        np.min(np.where(ideal > reservations, (utilities[i] - reservations) / span, 1.0))
        for i in rows
    ]
    ks_share = np.min(np.where(ideal > reservations, (utilities[ks] - reservations) / span, 1.0))
    assert ks_share == pytest.approx(max(shares))
    frontier = set(rows[pareto_mask(utilities[rows])].tolist())
    assert {nash, ks, best_sum} <= frontier
