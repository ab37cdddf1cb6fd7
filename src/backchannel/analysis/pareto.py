"""The Pareto frontier of a set of utility vectors: one implementation, pure numpy.

Two parties take an ``O(n log n)`` sweep; more parties take the sort-filter-skyline of
``analysis.skyline``. Exact duplicates never dominate each other, so every copy of a frontier
point is kept. Utilities are compared at ``analysis.resolution.RESOLUTION``: float noise from
the order of summation neither makes nor breaks dominance.
"""

from __future__ import annotations

import numpy as np

from backchannel.analysis import skyline
from backchannel.analysis.resolution import snap
from backchannel.analysis.skyline import dominated_by_pivots_2d, skyline_mask, without_dominated


def pareto_mask(utilities: np.ndarray) -> np.ndarray:
    """True for rows of ``utilities`` (shape ``(n, parties)``) that no other row dominates."""
    utilities = snap(utilities)
    if utilities.ndim != 2:
        raise ValueError("utilities must have shape (outcomes, parties)")
    if utilities.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    if utilities.shape[1] == 1:
        return utilities[:, 0] == utilities[:, 0].max()
    if utilities.shape[1] == 2:  # a few frontier points first remove what they dominate
        return without_dominated(utilities, _pareto_mask_2d)
    return _pareto_mask_nd(utilities)


def pareto_mask_of_columns(columns: list[np.ndarray]) -> np.ndarray:
    """:func:`pareto_mask` of the matrix whose columns (one per party) are ``columns``, already
    snapped to the resolution. Two parties are pruned and scanned column by column, without
    building the matrix (at 10^6 outcomes its copies cost more than the scan)."""
    if len(columns) != 2 or len(columns[0]) < max(skyline.PRUNE_FROM, 1):
        return pareto_mask(np.column_stack(columns) if columns else np.zeros((0, 0)))
    first, second = (np.asarray(column, dtype=float) for column in columns)
    rows = np.flatnonzero(~dominated_by_pivots_2d(first, second))
    mask = np.zeros(len(first), dtype=bool)
    mask[rows] = _pareto_mask_2d(np.column_stack((first[rows], second[rows])))
    return mask


def pareto_indices(utilities: np.ndarray) -> np.ndarray:
    """Row indices of the frontier, sorted by the first party's utility, best first."""
    utilities = snap(utilities)
    indices = np.flatnonzero(pareto_mask(utilities))
    return indices[frontier_order(utilities[indices])]


def frontier_order(utilities: np.ndarray) -> np.ndarray:
    """The order :func:`pareto_indices` lists frontier rows in (first party's utility, best
    first; ties by the others' total), for rows already known to be the frontier."""
    utilities = snap(utilities)
    return np.lexsort((-utilities[:, 1:].sum(axis=1), -utilities[:, 0]))


def _pareto_mask_2d(utilities: np.ndarray) -> np.ndarray:
    first, second = utilities[:, 0], utilities[:, 1]
    order = np.lexsort((-second, -first))
    a, b = first[order], second[order]
    n = len(order)
    # Rows equal to their predecessor belong to the same group of exact duplicates.
    starts = np.ones(n, dtype=bool)
    starts[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    # Best second utility among rows strictly before each group (all have >= first utility).
    best_before = np.concatenate(([-np.inf], np.maximum.accumulate(b)[:-1]))
    dominated_sorted = best_before[group_start] >= b
    mask = np.empty(n, dtype=bool)
    mask[order] = ~dominated_sorted
    return mask


def _pareto_mask_nd(utilities: np.ndarray) -> np.ndarray:
    """Three or more parties: sort-filter-skyline (``analysis.skyline``)."""
    return skyline_mask(utilities)
