"""Analyse a scenario's outcome space: zone of agreement, frontier and bargaining solutions.

Every bargaining solution used here lies on the Pareto frontier of the agreeable outcomes, so
large spaces are walked in chunks: each chunk contributes its own frontier, the frontier of those
frontiers is the frontier of the whole, and the solutions are then found on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from backchannel.analysis.pareto import frontier_order, pareto_indices, pareto_mask_of_columns
from backchannel.analysis.resolution import snap, snap_in_place
from backchannel.analysis.solutions import (
    agreeable_of_columns,
    every_column,
    ideal_point,
    kalai_smorodinsky_index,
    nash_index,
    utilitarian_index,
)
from backchannel.scenario.model import Scenario

IN_MEMORY_LIMIT = 1 << 22


@dataclass(frozen=True)
class SpaceAnalysis:
    """What a scenario's outcome space offers, in utility terms (one column per party)."""

    outcome_count: int
    reservations: np.ndarray
    zopa_size: int
    frontier: np.ndarray
    frontier_utilities: np.ndarray
    nash: int | None
    kalai_smorodinsky: int | None
    utilitarian: int | None
    ideal: np.ndarray | None

    @property
    def zopa_exists(self) -> bool:
        return self.zopa_size > 0

    def utilities_of(self, index: int) -> np.ndarray:
        where = np.flatnonzero(self.frontier == index)
        if len(where) == 0:
            raise KeyError(index)
        return self.frontier_utilities[where[0]]


def analyze_space(scenario: Scenario, chunk_size: int = IN_MEMORY_LIMIT) -> SpaceAnalysis:
    """Frontier, zone of agreement and solutions of ``scenario``, under the agreeable convention."""
    reservations = scenario.reservations
    zopa_size = 0
    kept_indices: list[np.ndarray] = []
    kept_utilities: list[np.ndarray] = []
    for start, utilities, allowed in column_chunks(scenario, chunk_size):
        # Each party's agreeable utilities then as one contiguous column, snapped in place
        # (snapping is per value: the rows' snapped values are the snapped rows), for the
        # frontier. No copy of the whole utility matrix is made.
        agreeable = agreeable_of_columns(utilities, reservations, len(allowed))
        agreeable &= allowed
        zopa_size += int(agreeable.sum())
        rows = np.flatnonzero(agreeable)
        local = rows[pareto_mask_of_columns([snap_in_place(c.take(rows)) for c in utilities])]
        kept_indices.append(start + local)
        kept_utilities.append(np.column_stack([column.take(local) for column in utilities]))
    candidates = np.concatenate(kept_indices)
    values = np.concatenate(kept_utilities) if kept_utilities else np.zeros((0, len(reservations)))
    if len(kept_indices) == 1:  # one chunk: its frontier is the whole frontier, only order it
        order = frontier_order(values)
    else:  # the frontier of the chunks' frontiers
        order = pareto_indices(values) if len(values) else np.zeros(0, dtype=np.int64)
    frontier, frontier_utilities = candidates[order], values[order]
    everywhere = np.ones(len(frontier), dtype=bool)

    def pick(index: int | None) -> int | None:
        return (
            None
            if index is None
            else _first_of_equals(scenario, frontier, frontier_utilities, index)
        )

    return SpaceAnalysis(
        outcome_count=scenario.space.size,
        reservations=reservations,
        zopa_size=zopa_size,
        frontier=frontier,
        frontier_utilities=frontier_utilities,
        nash=pick(nash_index(frontier_utilities, reservations, everywhere)),
        kalai_smorodinsky=pick(
            kalai_smorodinsky_index(frontier_utilities, reservations, everywhere)
        ),
        utilitarian=pick(utilitarian_index(frontier_utilities, everywhere)),
        ideal=ideal_point(frontier_utilities, everywhere),
    )


def _first_of_equals(
    scenario: Scenario, frontier: np.ndarray, utilities: np.ndarray, index: int
) -> int:
    """The outcome at ``frontier[index]``, or, when other frontier packages give every party the
    same utilities, the first of them with the issues taken in the order of their ids: the
    frontier lists equal packages in outcome order, which follows the order the scenario file
    lists its issues in, and the answer should not."""
    snapped = snap(utilities)
    equal = np.flatnonzero((snapped == snapped[index]).all(axis=1))
    if len(equal) == 1:
        return int(frontier[index])
    positions = scenario.space.positions(frontier[equal])
    by_id = sorted(range(positions.shape[1]), key=lambda k: scenario.space.issues[k].id)
    first = np.lexsort(positions[:, by_id].T[::-1])[0]  # the first listed column sorts first
    return int(frontier[equal[first]])


def utility_chunks(
    scenario: Scenario, chunk_size: int = IN_MEMORY_LIMIT
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield ``(first index, utilities, allowed-by-all)`` blocks covering the whole space (a
    block's outcomes are numbered from its first index on)."""
    space = scenario.space
    if space.size <= chunk_size:
        yield 0, scenario.utilities, every_column(scenario.allowed)
        return
    for start, positions in space.chunks(chunk_size):
        utilities = np.stack([p.utility.evaluate(positions) for p in scenario.parties], axis=1)
        allowed = np.ones(len(positions), dtype=bool)
        for party in scenario.parties:
            allowed &= party.utility.allowed(positions)
        yield start, utilities, allowed


def column_chunks(
    scenario: Scenario, chunk_size: int = IN_MEMORY_LIMIT
) -> Iterator[tuple[int, list[np.ndarray], np.ndarray]]:
    """:func:`utility_chunks` with each party's utilities as a column of its own. A space in
    one chunk takes them from the scenario's utility matrix when it is already built, and
    otherwise from each party's utility function, without building the matrix (at 10^6
    outcomes, 16 MB that nothing else in an analysis reads)."""
    space = scenario.space
    if space.size > chunk_size or "utilities" in vars(scenario):  # the cached matrix
        for start, utilities, allowed in utility_chunks(scenario, chunk_size):
            yield start, [utilities[:, k] for k in range(utilities.shape[1])], allowed
        return
    allowed = np.ones(space.size, dtype=bool)
    for party in scenario.parties:
        allowed &= party.utility.allowed_over_space(space)
    yield 0, [party.utility.over_space(space) for party in scenario.parties], allowed


def outcome_utilities(scenario: Scenario, index: int) -> np.ndarray:
    """Each party's utility for one outcome."""
    positions = scenario.space.positions([index])
    return np.array([float(p.utility.evaluate(positions)[0]) for p in scenario.parties])


def distance_to_frontier(analysis: SpaceAnalysis, utilities: np.ndarray) -> float:
    """Euclidean distance in utility space from a point to the nearest frontier point (NaN
    when the frontier is empty); the one-point case of :func:`nearest_distances`."""
    point = np.asarray(utilities, dtype=float)[None, :]
    return float(nearest_distances(point, analysis.frontier_utilities)[0])


def nearest_distances(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each row of ``points`` (n, k), the distance to the nearest row of ``targets`` (m, k).

    NaN for every point when there is no target.
    """
    points = np.asarray(points, dtype=float).reshape(len(points), -1)
    targets = np.asarray(targets, dtype=float)
    if len(targets) == 0:
        return np.full(len(points), np.nan)
    gaps = points[:, None, :] - targets[None, :, :]
    return np.sqrt((gaps**2).sum(axis=2)).min(axis=1)
