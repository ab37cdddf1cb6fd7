"""How alike two outcomes are: the distance strategies use to move toward the other side.

Distance is summed over issues: on a numeric issue the number of steps apart divided by the
issue's span (``size - 1``), on named options 0 when equal and 1 when not. Strategies only
compare distances, so they are computed exactly, as whole numbers of ``1 / L`` where ``L`` is
the least common multiple of the numeric spans: every sum is then exact whatever the order of
the issues, and equal distances are really equal (the tie-breaks of the offer choice apply as
written). A space whose ``L`` is too large for 32-bit whole numbers (many long, coprime spans)
falls back to fractions of a step, summed issue by issue.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.read_only import read_only

WHOLE_LIMIT = 2**31  # distances in whole units up to this are kept as 32-bit integers
TABLE_BYTES = 16 * 2**20  # distance tables up to this size, per ranking and per whole space


@lru_cache(maxsize=16)
def issue_positions(space: OutcomeSpace) -> np.ndarray:
    """Position of every outcome on every issue, shape ``(outcomes, issues)``, cached per space."""
    return read_only(space.positions(np.arange(space.size, dtype=np.int64)).astype(np.int32))


@lru_cache(maxsize=16)
def _unit_weights(space: OutcomeSpace) -> tuple[tuple[int | float, ...], type]:
    """Per issue, the distance of one step: ``L / span`` on numeric issues and ``L`` on named
    options (whole units of ``1 / L``, as 32-bit integers), or plain fractions of a step as
    floats when ``L`` is too large; and the number type."""
    spans = [max(issue.size - 1, 1) for issue in space.issues]
    numeric = [isinstance(issue, NumericIssue) for issue in space.issues]
    pairs = list(zip(spans, numeric, strict=True))
    common = math.lcm(*(span for span, ordered in pairs if ordered))
    if common * len(spans) < WHOLE_LIMIT:
        return tuple(common // span if ordered else common for span, ordered in pairs), np.int32
    return tuple(1.0 / span if ordered else 1.0 for span, ordered in pairs), np.float64


def distance_type(space: OutcomeSpace) -> type:
    """The number type of this space's distances: integers when they can be exact."""
    return _unit_weights(space)[1]


def distance_units(space: OutcomeSpace) -> tuple[int, ...] | None:
    """Per issue, the whole units one step (numeric) or one change (named options) adds to
    the distance; None when distances are not whole numbers in this space."""
    weights, kind = _unit_weights(space)
    return tuple(int(w) for w in weights) if kind is np.int32 else None


def issue_part(space: OutcomeSpace, issue: int, steps: np.ndarray) -> np.ndarray:
    """One issue's share of the distance for outcomes ``steps`` positions apart (integers)."""
    weights, kind = _unit_weights(space)
    if isinstance(space.issues[issue], NumericIssue):
        return (steps * weights[issue]).astype(kind)
    return ((steps != 0) * weights[issue]).astype(kind)


def distance_to(space: OutcomeSpace, outcome: int, candidates: np.ndarray) -> np.ndarray:
    """Distance from ``outcome`` to each candidate (definition: module docstring)."""
    positions = issue_positions(space)
    here = positions[outcome]
    rows = positions[candidates]
    total = np.zeros(len(rows), dtype=distance_type(space))
    for issue in range(len(space.issues)):
        steps = np.abs(rows[:, issue] - here[issue])
        total = total + issue_part(space, issue, steps)
    return total


@lru_cache(maxsize=16)
def half_split(space: OutcomeSpace) -> int | None:
    """Where to cut the issues in two so that each half has about ``sqrt(size)`` combinations
    (outcome ``i`` is then combination ``i // rest`` of the first half and ``i % rest`` of the
    second); None when distances are not whole numbers (float sums depend on their order)."""
    if distance_units(space) is None or len(space.issues) < 2:
        return None
    shape = space.shape
    return min(
        range(1, len(shape)), key=lambda cut: max(math.prod(shape[:cut]), math.prod(shape[cut:]))
    )


def half_distances(space: OutcomeSpace, outcome: int, cut: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances from ``outcome`` to every combination of the issues before ``cut`` and of the
    issues from ``cut`` on, in flat-index order: the distance to outcome ``a * rest + b`` is
    ``first[a] + second[b]``, exactly (whole units), at the cost of two small outer sums."""
    here = space.positions([outcome])[0]
    halves = []
    for issues in (range(cut), range(cut, len(space.issues))):
        total = np.zeros(1, dtype=np.int32)
        for issue in issues:
            steps = np.abs(np.arange(space.issues[issue].size) - int(here[issue]))
            part = issue_part(space, issue, steps)
            total = (total[:, None] + part[None, :]).ravel()
        halves.append(total)
    return halves[0], halves[1]


def tables_fit(space: OutcomeSpace, outcomes: int) -> bool:
    """Whether distance tables over ``outcomes`` outcomes of ``space`` fit the size limit."""
    per_outcome = (
        sum(issue.size for issue in space.issues) * np.dtype(distance_type(space)).itemsize
    )
    return outcomes * per_outcome <= TABLE_BYTES


def distance_tables(space: OutcomeSpace, outcomes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per issue, a table whose row ``v`` is that issue's distance part from value ``v`` to
    each of ``outcomes``: the distance from any outcome is then a sum of one row per issue."""
    whole = _whole_space_tables(space)
    if whole is not None:
        return tuple(read_only(np.take(table, outcomes, axis=1)) for table in whole)
    return _tables_for(space, outcomes)


@lru_cache(maxsize=4)
def _whole_space_tables(space: OutcomeSpace) -> tuple[np.ndarray, ...] | None:
    """Tables over every outcome of a space that fits, kept: rankings then pick columns."""
    if not tables_fit(space, space.size):
        return None
    return _tables_for(space, np.arange(space.size))


def _tables_for(space: OutcomeSpace, outcomes: np.ndarray) -> tuple[np.ndarray, ...]:
    positions = issue_positions(space)
    rows = positions[outcomes]
    tables = []
    for issue, item in enumerate(space.issues):
        values = np.arange(item.size, dtype=np.int32)[:, None]
        steps = np.abs(rows[:, issue][None, :] - values)
        tables.append(read_only(issue_part(space, issue, steps)))
    return tuple(tables)


def distance_from_tables(tables: tuple[np.ndarray, ...], position: np.ndarray) -> np.ndarray:
    """The distance from the outcome at ``position`` to the tables' outcomes."""
    total = np.zeros(tables[0].shape[1], dtype=tables[0].dtype)
    for table, value in zip(tables, position, strict=True):
        total = total + table[value]
    return total
