"""The Pareto frontier (skyline) of three or more parties' utilities, by sort-filter-skyline.

A point is on the frontier when no other point is at least as good for every party and better
for one. Sorted by total utility, best first (ties: the lexicographically larger first), a
point can only be dominated by points before it, because a dominating point has a total at
least as large and, when the totals are equal, is larger coordinate by coordinate. So the
points are taken in that order, a block at a time: each is checked against the frontier found
so far (its strongest points first, which remove most candidates at once), then against the
survivors of its own block; what survives is on the frontier. Exact duplicates do not
dominate each other, so every copy of a frontier point is kept. Two parties have their own
sort-and-scan in ``analysis.pareto``.
"""

from __future__ import annotations

import numpy as np

BLOCK = 1024  # candidates checked together
CHUNK = 1024  # frontier points they are checked against at once


def skyline_mask(utilities: np.ndarray) -> np.ndarray:
    """True for rows of ``utilities`` (shape ``(n, parties)``) that no other row dominates."""
    utilities = np.asarray(utilities, dtype=float)
    count, parties = utilities.shape
    keep = np.zeros(count, dtype=bool)
    if count == 0:
        return keep
    keys = [-utilities[:, k] for k in reversed(range(parties))]
    order = np.lexsort([*keys, -utilities.sum(axis=1)])
    frontier = np.zeros((0, parties))
    for start in range(0, count, BLOCK):
        rows = order[start : start + BLOCK]
        block = utilities[rows]
        alive = np.ones(len(rows), dtype=bool)
        for first in range(0, len(frontier), CHUNK):
            live = np.flatnonzero(alive)
            if len(live) == 0:
                break
            alive[live[dominated(block[live], frontier[first : first + CHUNK])]] = False
        live = np.flatnonzero(alive)
        survivors = block[live]
        inside = dominated(survivors, survivors)
        keep[rows[live[~inside]]] = True
        frontier = np.concatenate([frontier, survivors[~inside]])
    return keep


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
