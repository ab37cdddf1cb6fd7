"""The skyline of three to six parties equals the brute-force definition of the frontier."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backchannel.analysis import skyline
from backchannel.analysis.pareto import pareto_mask, pareto_mask_of_columns
from backchannel.analysis.resolution import snap
from backchannel.analysis.skyline import skyline_mask


def brute_force(utilities: np.ndarray) -> np.ndarray:
    at_least = (utilities[None, :, :] >= utilities[:, None, :]).all(axis=2)
    better = (utilities[None, :, :] > utilities[:, None, :]).any(axis=2)
    return ~(at_least & better).any(axis=1)


@settings(max_examples=200, deadline=None)
@given(
    parties=st.integers(3, 6),
    data=st.data(),
)
def test_equals_the_definition(parties, data) -> None:
    count = data.draw(st.integers(0, 60))
    levels = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0])  # many ties and duplicates
    utilities = data.draw(arrays(float, (count, parties), elements=levels))
    assert skyline_mask(utilities).tolist() == brute_force(utilities).tolist()


@pytest.mark.parametrize("parties", [3, 5])
def test_small_blocks_on_random_points(parties, monkeypatch) -> None:
    monkeypatch.setattr(skyline, "BLOCK", 7)  # many blocks and frontier chunks
    monkeypatch.setattr(skyline, "CHUNK", 5)
    rng = np.random.default_rng(parties)
    utilities = np.round(rng.random((400, parties)), 2)
    assert skyline_mask(utilities).tolist() == brute_force(utilities).tolist()


def test_pareto_mask_uses_it_for_more_than_two_parties() -> None:
    rng = np.random.default_rng(0)
    utilities = rng.random((3000, 4))
    assert pareto_mask(utilities).tolist() == brute_force(utilities).tolist()


@pytest.mark.parametrize("parties", [2, 3])
def test_pruning_by_pivots_keeps_the_frontier(parties, monkeypatch) -> None:
    monkeypatch.setattr(skyline, "PRUNE_FROM", 0)  # prune even small sets
    rng = np.random.default_rng(7)
    for utilities in (rng.random((500, parties)), np.round(rng.random((500, parties)), 1)):
        assert pareto_mask(utilities).tolist() == brute_force(utilities).tolist()


def test_utilities_too_large_for_the_integer_grid_keep_the_full_comparison() -> None:
    rng = np.random.default_rng(11)
    utilities = np.round(rng.random((300, 4)), 1) * 1e7  # past GRID_LIMIT: compared as floats
    assert skyline_mask(utilities).tolist() == brute_force(utilities).tolist()


def test_a_larger_total_on_the_grid_is_a_strict_gain() -> None:
    """One party better by a single grid step, the others equal: dominated; an exact copy is
    not."""
    base = np.array([0.3, 0.6, 0.9])
    step = np.array([0.0, 1e-12, 0.0])
    utilities = np.vstack([base, base + step, base])
    assert skyline_mask(utilities).tolist() == [False, True, False]
    assert skyline_mask(np.vstack([base, base])).tolist() == [True, True]


@pytest.mark.parametrize("parties", [2, 3])
def test_the_frontier_of_snapped_columns_is_the_frontier_of_the_matrix(
    parties, monkeypatch
) -> None:
    monkeypatch.setattr(skyline, "PRUNE_FROM", 0)  # the pruned two-party path even when small
    rng = np.random.default_rng(parties)
    for utilities in (
        rng.random((700, parties)),
        np.round(rng.random((700, parties)), 1),  # ties and exact copies
        np.zeros((0, parties)),
    ):
        columns = [snap(utilities[:, k]) for k in range(parties)]
        assert pareto_mask_of_columns(columns).tolist() == brute_force(utilities).tolist()
