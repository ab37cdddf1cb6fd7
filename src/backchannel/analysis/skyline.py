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
PIVOTS_2D = 12  # two parties need fewer: the rest of the frontier is a sorted scan
ROWS = 8192  # rows checked against the pivots at once
PRUNE_FROM = 50_000  # fewer rows than this: no pruning first (it would cost more)


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


def without_dominated(utilities: np.ndarray, frontier_of) -> np.ndarray:
    """``frontier_of(utilities)`` (a frontier mask) computed on the rows that a few frontier
    points do not dominate: removing dominated rows never changes a frontier."""
    utilities = np.asarray(utilities, dtype=float)
    if len(utilities) < PRUNE_FROM:
        return frontier_of(utilities)
    dominated_rows = (
        _dominated_by_pivots_2d(utilities)
        if utilities.shape[1] == 2
        else _dominated_by_pivots(utilities)
    )
    rows = np.flatnonzero(~dominated_rows)
    mask = np.zeros(len(utilities), dtype=bool)
    mask[rows] = frontier_of(utilities[rows])
    return mask


def _pivots(utilities: np.ndarray, count: int) -> np.ndarray:
    """The best rows for the equal weighting and ``count - 1`` random positive weightings of
    the parties: each is on the frontier (which ones only changes the speed)."""
    rng = np.random.default_rng(0)
    parties = utilities.shape[1]
    weights = np.vstack([np.ones(parties), rng.dirichlet(np.ones(parties), count - 1)])
    best = [int(np.argmax(utilities @ w)) for w in weights]  # one pass each, contiguous
    return utilities[np.unique(best)]


def _dominated_by_pivots_2d(utilities: np.ndarray) -> np.ndarray:
    """Two parties: along the pivots sorted by the first utility the second falls, so the
    pivot that could dominate a row is the first one at least as good for the first party."""
    pivots = _pivots(utilities, PIVOTS_2D)
    pivots = pivots[np.lexsort((-pivots[:, 1], pivots[:, 0]))]
    keep = np.ones(len(pivots), dtype=bool)  # the pivots' own staircase, second utility falling
    best = -np.inf
    for k in range(len(pivots) - 1, -1, -1):
        keep[k] = pivots[k, 1] > best
        best = max(best, pivots[k, 1])
    pivots = pivots[keep]
    after = np.searchsorted(pivots[:, 0], utilities[:, 0], side="left")
    inside = after < len(pivots)
    q = pivots[np.minimum(after, len(pivots) - 1)]
    return (
        inside
        & (q[:, 1] >= utilities[:, 1])
        & ((q[:, 0] > utilities[:, 0]) | (q[:, 1] > utilities[:, 1]))
    )


def _dominated_by_pivots(utilities: np.ndarray) -> np.ndarray:
    """Rows dominated by one of a few frontier points: the best outcome for random positive
    weightings of the parties (each is on the frontier), so the sorted filter sees fewer."""
    pivots = _pivots(utilities, PIVOTS)
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
