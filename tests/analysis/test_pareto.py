"""The Pareto frontier against brute force, on random utility sets."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backchannel.analysis.pareto import pareto_indices, pareto_mask
from backchannel.analysis.resolution import snap, snap_in_place


def brute_force_mask(utilities: np.ndarray) -> np.ndarray:
    """Compare every pair: row i is kept unless some row j is >= everywhere and > somewhere
    (at the stated resolution)."""
    utilities = snap(utilities)
    at_least = (utilities[None, :, :] >= utilities[:, None, :]).all(axis=2)
    better = (utilities[None, :, :] > utilities[:, None, :]).any(axis=2)
    return ~(at_least & better).any(axis=1)


# Coarse values make ties and exact duplicates common, the cases sweeps get wrong.
utility_sets = st.integers(2, 4).flatmap(
    lambda parties: arrays(
        np.float64,
        st.tuples(st.integers(1, 60), st.just(parties)),
        elements=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]),
    )
)


@settings(max_examples=200, deadline=None)
@given(utility_sets)
def test_mask_matches_brute_force(utilities: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(utilities), brute_force_mask(utilities))


@settings(max_examples=100, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 300), st.just(2)),
        elements=st.floats(0, 1, allow_nan=False),
    )
)
def test_two_party_sweep_matches_brute_force_on_continuous_values(utilities: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(utilities), brute_force_mask(utilities))


def test_duplicates_of_a_frontier_point_are_all_kept() -> None:
    utilities = np.array([[1.0, 0.0], [0.5, 0.5], [0.5, 0.5], [0.4, 0.4], [0.0, 1.0]])
    assert pareto_mask(utilities).tolist() == [True, True, True, False, True]


def test_indices_are_ordered_by_first_party_best_first() -> None:
    utilities = np.array([[0.2, 0.9], [0.9, 0.2], [0.5, 0.6], [0.1, 0.1]])
    assert pareto_indices(utilities).tolist() == [1, 2, 0]


def test_blocked_filter_handles_more_rows_than_a_block() -> None:
    rng = np.random.default_rng(3)
    utilities = rng.random((5000, 3)).round(2)
    mask = pareto_mask(utilities)
    # A point is on the frontier iff nothing in the whole set dominates it.
    sample = rng.choice(len(utilities), 200, replace=False)
    for i in sample:
        u = utilities[i]
        dominated = np.any(np.all(utilities >= u, axis=1) & np.any(utilities > u, axis=1))
        assert mask[i] == (not dominated)


def test_float_noise_does_not_make_a_frontier_point() -> None:
    """0.75 summed in two orders differs in the last place: the same utility, so the package
    worth (0.624, 0.75) is dominated by (0.627, 0.75) whatever the order."""
    high, low = 0.1 + 0.2 + 0.3 + 0.15, 0.15 + 0.3 + 0.2 + 0.1
    assert low < high
    for first, second in ((low, high), (high, low)):
        utilities = np.array([[0.627, first], [0.624, second]])
        assert pareto_mask(utilities).tolist() == [True, False]


def test_snapping_in_place_gives_the_same_floats() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.random(1000), [0.6349999999999999, 0.635, 1.0, 0.0, 1e-13]])
    expected = snap(values)
    mine = values.copy()
    assert snap_in_place(mine) is mine
    assert mine.tobytes() == expected.tobytes()
