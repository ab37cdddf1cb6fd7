"""The outcomes of a linear-additive space worth at least given levels, found without visiting
the others.

A run that draws its own weights needs only a few outcomes of a large space: those in the zone
of agreement (for the frontier and the Nash point) or those worth at least a target (an
opening offer). Utilities are sums over issues, so the outcomes are built issue by issue: a
partial package is dropped as soon as even the best remaining options cannot lift it to the
level (with a margin far above rounding), and only the survivors grow. The partial sums are
added in issue order starting from 0.0, exactly as ``LinearAdditiveUtility.over_space`` adds
them, so every value found is bit-for-bit the one a full pass computes; and packages grow in
index order, so the outcomes come out sorted by index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility

MARGIN = 1e-9  # far above the rounding of a sum of a few dozen terms in [0, 1]


def additive(utilities: Sequence[object]) -> bool:
    """Whether the search applies: every utility linear-additive and over one set of tables
    shapes (the same issues)."""
    return all(type(u) is LinearAdditiveUtility for u in utilities)


def at_least(
    space: OutcomeSpace,
    utilities: Sequence[LinearAdditiveUtility],
    levels: Sequence[float],
    allowed_options: Sequence[np.ndarray] | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The outcomes (ascending indices) whose every utility may reach its level, and their
    utilities per party (each as ``over_space`` computes it).

    Every outcome worth at least ``levels[c] - MARGIN`` to every party ``c`` and using only
    ``allowed_options`` (per issue, a boolean mask; default all) is returned; some a little
    below may be too, so callers apply their own exact test to the values. Red lines are the
    caller's to pass as ``allowed_options``.
    """
    parts = [
        [np.asarray(table, dtype=float)[None, :] for table in u._weighted]  # type: ignore[attr-defined]
        for u in utilities
    ]
    _, index, values = at_least_runs(space, parts, np.array([levels], dtype=float), allowed_options)
    return index, values


def near_frontier(
    space: OutcomeSpace,
    utilities: Sequence[LinearAdditiveUtility],
    levels: Sequence[float],
    allowed_options: Sequence[np.ndarray] | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Two parties: a subset of :func:`at_least`'s outcomes that holds every outcome on the
    Pareto frontier of those worth at least the levels (and, for each of the others, one that
    dominates it). A partial package is dropped when another is better by ``DOMINANCE`` for
    both parties: whatever options complete the two, the other's completion stays better by
    far more than the resolution at which frontiers compare utilities, so the dropped one is
    never on the frontier. Only a thin band along the frontier grows issue by issue."""
    parts = [
        [np.asarray(table, dtype=float) for table in u._weighted]  # type: ignore[attr-defined]
        for u in utilities
    ]
    sizes = [issue.size for issue in space.issues]
    masks = allowed_options or [np.ones(size, dtype=bool) for size in sizes]
    options = [np.flatnonzero(mask) for mask in masks]
    if any(len(o) == 0 for o in options):
        return np.zeros(0, dtype=np.int64), [np.zeros(0), np.zeros(0)]
    kept = [[p[o] for p, o in zip(party, options, strict=True)] for party in parts]
    rest = []
    for party in kept:
        best = np.array([float(p.max()) for p in party])
        rest.append(np.concatenate((np.cumsum(best[::-1])[::-1][1:], [0.0])))
    index = np.zeros(1, dtype=np.int64)
    values = [np.zeros(1), np.zeros(1)]
    for k, size in enumerate(sizes):
        index = (index[:, None] * size + options[k][None, :]).reshape(-1)
        values = [
            (v[:, None] + party[k][None, :]).reshape(-1)
            for v, party in zip(values, kept, strict=True)
        ]
        keep = ~_far_dominated(values[0], values[1])
        for v, after, level in zip(values, rest, levels, strict=True):
            keep &= v >= (level - MARGIN) - after[k]
        if not keep.all():
            index = index[keep]
            values = [v[keep] for v in values]
    return index, values


DOMINANCE = 1e-9  # a partial package this much worse for both parties is never on the frontier


def _far_dominated(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Whether another point is better by ``DOMINANCE`` for both parties, per point."""
    count = len(first)
    if count < 2:
        return np.zeros(count, dtype=bool)
    order = np.argsort(first, kind="stable")
    ranked_first = first[order]
    best_second_from = np.maximum.accumulate(second[order][::-1])[::-1]
    above = np.searchsorted(ranked_first, first + DOMINANCE, side="left")
    found = above < count
    best = best_second_from[np.minimum(above, count - 1)]
    return found & (best >= second + DOMINANCE)


def weighted_parts(
    utilities: Sequence[LinearAdditiveUtility],
) -> list[np.ndarray] | None:
    """Per issue, every run's weighted table ``(runs, options)``, bit-for-bit the products
    ``LinearAdditiveUtility`` adds, when the runs share their value tables and red lines (drawn
    weights); None otherwise."""
    first = utilities[0]
    if not additive(utilities) or any(
        u.tables is not first.tables or u.forbidden is not first.forbidden for u in utilities
    ):
        return None
    weights = np.array([np.asarray(u.weights, dtype=float) for u in utilities])
    return [
        weights[:, k, None] * np.asarray(table, dtype=float)[None, :]
        for k, table in enumerate(first.tables)
    ]


def at_least_runs(
    space: OutcomeSpace,
    parts: Sequence[Sequence[np.ndarray]],
    levels: np.ndarray,
    allowed_options: Sequence[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """:func:`at_least` for many runs at once: ``parts[c][k]`` is party ``c``'s weighted table
    of issue ``k`` per run ``(runs, options)`` and ``levels`` ``(runs, parties)``. Returns the
    run, outcome index and utilities per party of every outcome found, sorted by run, then by
    index."""
    sizes = [issue.size for issue in space.issues]
    runs = len(levels)
    masks = allowed_options or [np.ones(size, dtype=bool) for size in sizes]
    options = [np.flatnonzero(mask) for mask in masks]
    if any(len(o) == 0 for o in options):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, [np.zeros(0) for _ in parts]
    kept = [[np.asarray(p, dtype=float)[:, o] for p, o in zip(party, options, strict=True)]
            for party in parts]  # fmt: skip
    kept = [[np.broadcast_to(p, (runs, p.shape[1])) for p in party] for party in kept]
    # Per party, run and issue: the most the issues after it can add (an upper bound).
    rest = []
    for party in kept:
        best = np.stack([p.max(axis=1) for p in party], axis=1)
        after = np.cumsum(best[:, ::-1], axis=1)[:, ::-1]
        rest.append(np.concatenate((after[:, 1:], np.zeros((runs, 1))), axis=1))
    floor = [levels[:, c] - MARGIN for c in range(len(parts))]
    run = np.arange(runs)
    index = np.zeros(runs, dtype=np.int64)
    values = [np.zeros(runs) for _ in parts]
    for k, size in enumerate(sizes):
        width = len(options[k])
        index = (index[:, None] * size + options[k][None, :]).reshape(-1)
        values = [
            (v[:, None] + party[k][run]).reshape(-1) for v, party in zip(values, kept, strict=True)
        ]
        run = np.repeat(run, width)
        keep = np.ones(len(index), dtype=bool)
        for v, after, low in zip(values, rest, floor, strict=True):
            keep &= v >= low[run] - after[run, k]
        if not keep.all():
            run, index = run[keep], index[keep]
            values = [v[keep] for v in values]
    return run, index, values


def allowed_options(utilities: Sequence[LinearAdditiveUtility]) -> list[np.ndarray]:
    """Per issue, the options no party's red line forbids."""
    masks = [~np.asarray(m, dtype=bool) for m in utilities[0].forbidden]
    for u in utilities[1:]:
        masks = [
            mask & ~np.asarray(m, dtype=bool) for mask, m in zip(masks, u.forbidden, strict=True)
        ]
    return masks


def values_at(
    utility: LinearAdditiveUtility, space: OutcomeSpace, outcomes: np.ndarray
) -> np.ndarray:
    """Utilities of single outcomes, bit-for-bit as ``over_space`` computes them (the same
    additions in the same order)."""
    return utility.evaluate(space.positions(np.asarray(outcomes, dtype=np.int64)))
