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

Utilities are compared as whole multiples of ``analysis.resolution.RESOLUTION`` (64-bit
integers): sums of integers are exact, so "at least as good everywhere and better somewhere"
is "at least as good everywhere and a larger total", one comparison instead of one per party.
"""

from __future__ import annotations

import random

import numpy as np

from backchannel.analysis.resolution import grid_units

BLOCK = 1024  # candidates checked together
CHUNK = 1024  # frontier points they are checked against at once
PIVOTS = 48  # frontier points that first remove what they dominate from the whole set
PIVOTS_2D = 24  # two parties need fewer: the rest of the frontier is a sorted scan
SAMPLE_2D = 17  # two parties' pivots are the best of every 17th row (a prime: no issue's size
# lines up with it), a sixteenth of the arithmetic, and nearly as strong
ROWS = 8192  # rows checked against the pivots at once
ROWS_2D = 1 << 16  # two parties: rows checked against the pivots' staircase at once (the
# buffers of a block are reused; the whole column at once took 26 MB of fresh memory at 10^6)
PRUNE_FROM = 50_000  # fewer rows than this: no pruning first (it would cost more)


def skyline_mask(utilities: np.ndarray) -> np.ndarray:
    """True for rows of ``utilities`` (shape ``(n, parties)``) that no other row dominates,
    comparing utilities at ``RESOLUTION``."""
    utilities = np.asarray(utilities, dtype=float)
    count, parties = utilities.shape
    keep = np.zeros(count, dtype=bool)
    if count == 0:
        return keep
    grid = grid_units(utilities)
    totals = grid.sum(axis=1)
    candidates = np.flatnonzero(~_dominated_by_pivots(grid, totals))
    keys = [-grid[candidates, k] for k in reversed(range(parties))]
    order = candidates[np.lexsort([*keys, -totals[candidates]])]
    frontier = np.zeros((0, parties), dtype=grid.dtype)
    frontier_totals = np.zeros(0, dtype=totals.dtype)
    for start in range(0, count, BLOCK):
        rows = order[start : start + BLOCK]
        block, block_totals = grid[rows], totals[rows]
        alive = np.ones(len(rows), dtype=bool)
        first, size = 0, 64  # a few of the strongest first: they remove most of a block
        while first < len(frontier) and alive.any():
            live = np.flatnonzero(alive)
            ahead = slice(first, first + size)
            beaten = dominated(
                block[live], block_totals[live], frontier[ahead], frontier_totals[ahead]
            )
            alive[live[beaten]] = False
            first, size = first + size, min(4 * size, CHUNK)
        live = np.flatnonzero(alive)
        survivors, survivor_totals = block[live], block_totals[live]
        inside = dominated(survivors, survivor_totals, survivors, survivor_totals)
        keep[rows[live[~inside]]] = True
        frontier = np.concatenate([frontier, survivors[~inside]])
        frontier_totals = np.concatenate([frontier_totals, survivor_totals[~inside]])
    return keep


def without_dominated(utilities: np.ndarray, frontier_of) -> np.ndarray:
    """``frontier_of(utilities)`` (a frontier mask) computed on the rows that a few frontier
    points do not dominate: removing dominated rows never changes a frontier."""
    utilities = np.asarray(utilities, dtype=float)
    if len(utilities) < PRUNE_FROM:
        return frontier_of(utilities)
    if utilities.shape[1] == 2:
        dominated_rows = dominated_by_pivots_2d(
            np.ascontiguousarray(utilities[:, 0]), np.ascontiguousarray(utilities[:, 1])
        )
    else:
        grid = grid_units(utilities)
        dominated_rows = _dominated_by_pivots(grid, grid.sum(axis=1))
    rows = np.flatnonzero(~dominated_rows)
    mask = np.zeros(len(utilities), dtype=bool)
    mask[rows] = frontier_of(utilities[rows])
    return mask


def pivot_rows(utilities: np.ndarray, count: int) -> list[int]:
    """The best rows for the equal weighting and ``count - 1`` random positive weightings of
    the parties (each on the frontier; which ones only changes the speed), in row order."""
    columns = [
        np.ascontiguousarray(utilities[:, k], dtype=float) for k in range(utilities.shape[1])
    ]
    return best_rows(columns, count)


def best_rows(columns: list[np.ndarray], count: int) -> list[int]:
    """:func:`pivot_rows` from the parties' utilities as contiguous columns: a weighted sum of a
    few columns is several times faster than a matrix product with a handful of columns."""
    parties = len(columns)
    draw = random.Random(0)  # fixed: the same pivots every run
    weightings = [[1.0] * parties]
    for _ in range(count - 1):
        raw = [draw.expovariate(1.0) for _ in range(parties)]  # a uniform point of the simplex
        weightings.append([value / sum(raw) for value in raw])
    score = np.empty(len(columns[0]))
    best = set()
    for weights in weightings:
        np.multiply(columns[0], weights[0], out=score)
        for column, weight in zip(columns[1:], weights[1:], strict=True):
            score += column * weight
        best.add(int(score.argmax()))
    return sorted(best)


def dominated_by_pivots_2d(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Two parties: along the pivots sorted by the first utility the second falls, so the
    pivot that could dominate a row is the first one at least as good for the first party.

    The pivots are the best rows of a sample (every ``SAMPLE_2D``-th row): any row of the set
    may remove the rows it dominates, and the best of a sample is close enough to the frontier
    to remove nearly as many as the frontier's own points, at a sixteenth of the cost. The
    parties' utilities come as two contiguous columns: 1-D gathers and tests are the fast ones.
    """
    sampled = [
        row * SAMPLE_2D for row in best_rows([first[::SAMPLE_2D], second[::SAMPLE_2D]], PIVOTS_2D)
    ]
    pivots = np.column_stack((first[sampled], second[sampled]))
    pivots = pivots[np.lexsort((-pivots[:, 1], pivots[:, 0]))]
    keep = np.ones(len(pivots), dtype=bool)  # the pivots' own staircase, second utility falling
    best = -np.inf
    for k in range(len(pivots) - 1, -1, -1):
        keep[k] = pivots[k, 1] > best
        best = max(best, pivots[k, 1])
    first_pivot, second_pivot = pivots[keep, 0], pivots[keep, 1]
    out = np.empty(len(first), dtype=bool)
    for start in range(0, len(first), ROWS_2D):  # a block at a time: small, reused buffers
        part = slice(start, start + ROWS_2D)
        mine, theirs = first[part], second[part]
        after = np.searchsorted(first_pivot, mine, side="left")
        inside = after < len(first_pivot)
        q_first = first_pivot.take(after, mode="clip")
        q_second = second_pivot.take(after, mode="clip")
        out[part] = inside & (q_second >= theirs) & ((q_first > mine) | (q_second > theirs))
    return out


def _dominated_by_pivots(grid: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Rows dominated by one of a few frontier points: the best outcome for random positive
    weightings of the parties (each is on the frontier), so the sorted filter sees fewer."""
    rows = pivot_rows(grid, PIVOTS)
    pivots, pivot_totals = grid[rows], totals[rows]
    out = np.zeros(len(grid), dtype=bool)
    for start in range(0, len(grid), ROWS):
        part = slice(start, start + ROWS)
        out[part] = dominated(grid[part], totals[part], pivots, pivot_totals)
    return out


def dominated(
    points: np.ndarray, point_totals: np.ndarray, others: np.ndarray, other_totals: np.ndarray
) -> np.ndarray:
    """For each row of ``points``, whether some row of ``others`` dominates it: at least as good
    for every party and a larger total (exact on the integer grid of ``grid_units``)."""
    if len(points) == 0 or len(others) == 0:
        return np.zeros(len(points), dtype=bool)
    if points.dtype.kind == "f":  # off the grid: a larger total may round away, so compare all
        return _dominated_by_comparing_all(points, others)
    beats = other_totals[None, :] > point_totals[:, None]
    step = np.empty_like(beats)
    for k in range(points.shape[1]):
        np.greater_equal(others[:, k][None, :], points[:, k][:, None], out=step)
        beats &= step
    return beats.any(axis=1)


def _dominated_by_comparing_all(points: np.ndarray, others: np.ndarray) -> np.ndarray:
    at_least = np.ones((len(points), len(others)), dtype=bool)
    better = np.zeros((len(points), len(others)), dtype=bool)
    for k in range(points.shape[1]):
        mine, theirs = points[:, k][:, None], others[:, k][None, :]
        at_least &= theirs >= mine
        better |= theirs > mine
    return (at_least & better).any(axis=1)
