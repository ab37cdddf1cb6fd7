"""The Pareto frontier (skyline) of three or more parties' utilities, by sort-filter-skyline.

A point is on the frontier when no other point is at least as good for every party and better
for one. Sorted by total utility, best first (ties: the lexicographically larger first), a
point can only be dominated by points before it, because a dominating point has a total at
least as large and, when the totals are equal, is larger coordinate by coordinate. So the
points are taken in that order, a block at a time: each is checked against the frontier found
so far (its strongest points first, which remove most candidates at once), then against the
survivors of its own block; what survives is on the frontier. Before that, a few frontier
points (the best outcomes for random weightings of the parties) remove every point they
dominate, which is most of a large space. Exact duplicates do not
dominate each other, so every copy of a frontier point is kept. Two parties have their own
sort-and-scan in ``analysis.pareto``.
"""

from __future__ import annotations

import numpy as np

BLOCK = 1024  # candidates checked together
CHUNK = 1024  # frontier points they are checked against at once
PIVOTS = 48  # frontier points that first remove what they dominate from the whole set
ROWS = 8192  # rows checked against the pivots at once


def skyline_mask(utilities: np.ndarray) -> np.ndarray:
    """True for rows of ``utilities`` (shape ``(n, parties)``) that no other row dominates."""
    utilities = np.asarray(utilities, dtype=float)
    count, parties = utilities.shape
    keep = np.zeros(count, dtype=bool)
    if count == 0:
        return keep
    candidates = np.flatnonzero(~_dominated_by_pivots(utilities))
    keys = [-utilities[candidates, k] for k in reversed(range(parties))]
    order = candidates[np.lexsort([*keys, -utilities[candidates].sum(axis=1)])]
    frontier = np.zeros((0, parties))
    for start in range(0, count, BLOCK):
        rows = order[start : start + BLOCK]
        block = utilities[rows]
        alive = np.ones(len(rows), dtype=bool)
        first, size = 0, 64  # a few of the strongest first: they remove most of a block
        while first < len(frontier) and alive.any():
            live = np.flatnonzero(alive)
            alive[live[dominated(block[live], frontier[first : first + size])]] = False
            first, size = first + size, min(4 * size, CHUNK)
        live = np.flatnonzero(alive)
        survivors = block[live]
        inside = dominated(survivors, survivors)
        keep[rows[live[~inside]]] = True
        frontier = np.concatenate([frontier, survivors[~inside]])
    return keep


def _dominated_by_pivots(utilities: np.ndarray) -> np.ndarray:
    """Rows dominated by one of a few frontier points: the best outcome for random positive
    weightings of the parties (each is on the frontier), so the sorted filter sees fewer."""
    rng = np.random.default_rng(0)  # which pivots only changes the speed, never the result
    weights = np.vstack([np.ones(utilities.shape[1]), rng.dirichlet(
        np.ones(utilities.shape[1]), PIVOTS - 1)])  # fmt: skip
    pivots = utilities[np.unique((utilities @ weights.T).argmax(axis=0))]
    out = np.zeros(len(utilities), dtype=bool)
    for start in range(0, len(utilities), ROWS):
        out[start : start + ROWS] = dominated(utilities[start : start + ROWS], pivots)
    return out


def dominated(points: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each row of ``points``, whether some row of ``others`` dominates it."""
    if len(points) == 0 or len(others) == 0:
        return np.zeros(len(points), dtype=bool)
    at_least = np.ones((len(points), len(others)), dtype=bool)
    better = np.zeros((len(points), len(others)), dtype=bool)
    for k in range(points.shape[1]):
        mine, theirs = points[:, k][:, None], others[:, k][None, :]
        at_least &= theirs >= mine
        better |= theirs > mine
    return (at_least & better).any(axis=1)
