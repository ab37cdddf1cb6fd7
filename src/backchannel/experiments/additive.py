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
    weighted = [u._weighted for u in utilities]  # type: ignore[attr-defined]
    sizes = [issue.size for issue in space.issues]
    masks = allowed_options or [np.ones(size, dtype=bool) for size in sizes]
    options = [np.flatnonzero(mask) for mask in masks]
    if any(len(o) == 0 for o in options):
        return np.zeros(0, dtype=np.int64), [np.zeros(0) for _ in utilities]
    parts = [
        [np.asarray(table, dtype=float)[o] for table, o in zip(w, options, strict=True)]
        for w in weighted
    ]
    # Per party and issue, the most the issues after it can add (an upper bound, as floats).
    rest = []
    for party in parts:
        best = np.array([float(p.max()) for p in party])
        after = np.concatenate((np.cumsum(best[::-1])[::-1][1:], [0.0]))
        rest.append(after)
    index = np.zeros(1, dtype=np.int64)
    values = [np.zeros(1) for _ in utilities]
    for k, size in enumerate(sizes):
        index = (index[:, None] * size + options[k][None, :]).reshape(-1)
        values = [
            (v[:, None] + p[k][None, :]).reshape(-1) for v, p in zip(values, parts, strict=True)
        ]
        keep = np.ones(len(index), dtype=bool)
        for v, after, level in zip(values, rest, levels, strict=True):
            keep &= v >= (level - MARGIN) - after[k]
        if not keep.all():
            index = index[keep]
            values = [v[keep] for v in values]
    return index, values


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
