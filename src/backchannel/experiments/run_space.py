"""What ``compare`` needs of each run's drawn outcome space, computed once per drawn scenario.

``analysis.outcome_space.analyze_space`` finds the frontier and every bargaining solution; a
comparison of many runs needs per run only whether a zone of agreement exists, the frontier's
utilities (distance of an agreement from it) and the Nash solution's. This computes exactly
those, with the same functions and in the same order as ``analyze_space`` (so every figure is
equal), but compares one column at a time and takes the red-line mask, which draws never
change, from the base scenario once instead of once per run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.analysis.outcome_space import IN_MEMORY_LIMIT, analyze_space
from backchannel.analysis.pareto import pareto_indices, pareto_mask
from backchannel.analysis.resolution import RESOLUTION, snap
from backchannel.analysis.solutions import nash_index
from backchannel.experiments import additive
from backchannel.scenario.model import Scenario


@dataclass(frozen=True)
class RunSpace:
    """A drawn scenario's zone of agreement, frontier utilities and Nash point (None: no
    zone of agreement)."""

    zopa_exists: bool
    frontier_utilities: np.ndarray
    nash_utilities: np.ndarray | None


def allowed_by_all(scenario: Scenario) -> np.ndarray:
    """Outcomes no party's red line excludes (shared by every draw of ``scenario``)."""
    allowed = scenario.allowed
    mask = allowed[:, 0].copy()
    for column in range(1, allowed.shape[1]):
        mask &= allowed[:, column]
    return mask


def _at_least(values: np.ndarray, level: float) -> np.ndarray:
    """``snap(values) >= level`` for a ``level`` on the grid, snapping only the values near it
    (a value farther than a grid step from ``level`` is on the same side once snapped)."""
    mask = values >= level - 2 * RESOLUTION
    edge = np.flatnonzero(mask & (values < level + 2 * RESOLUTION))
    mask[edge] = snap(values[edge]) >= level
    return mask


def run_space(scenario: Scenario, allowed: np.ndarray) -> RunSpace:
    """The figures of :class:`RunSpace` for one drawn scenario; ``allowed`` from
    :func:`allowed_by_all` of the scenario it was drawn from."""
    if scenario.space.size > IN_MEMORY_LIMIT:  # the chunked walk: as analyze_space does it
        analysis = analyze_space(scenario)
        nash = None if analysis.nash is None else analysis.utilities_of(analysis.nash)
        return RunSpace(analysis.zopa_exists, analysis.frontier_utilities, nash)
    reservations = scenario.reservations
    functions = [p.utility for p in scenario.parties]
    if additive.additive(functions) and "utilities" not in scenario.__dict__:
        rows, utilities = _agreeable_by_issue(scenario, functions, snap(reservations))
    else:
        utilities = scenario.utilities
        agreeable = allowed.copy()  # solutions.agreeable_mask, one column at a time
        for column, reservation in enumerate(snap(reservations)):
            agreeable &= _at_least(utilities[:, column], reservation)
        rows = np.flatnonzero(agreeable)
        utilities = utilities[rows]
    values = utilities[pareto_mask(utilities)]
    order = pareto_indices(values) if len(values) else np.zeros(0, dtype=np.int64)
    frontier = values[order]
    nash = nash_index(frontier, reservations, np.ones(len(frontier), dtype=bool))
    return RunSpace(len(rows) > 0, frontier, None if nash is None else frontier[nash])


def _agreeable_by_issue(
    scenario: Scenario, functions: list, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Agreeable outcomes and their utilities, ``(rows, parties)``, found issue by issue
    (``experiments.additive``) instead of over the whole space, with bit-for-bit the values
    the full pass finds: all of them for three or more parties; for two, those near the
    frontier, which hold the whole frontier (a zone of agreement exists exactly when one of
    them is agreeable: a frontier point dominates every other agreeable outcome, and is
    agreeable too)."""
    allowed = additive.allowed_options(functions)
    search = additive.near_frontier if len(functions) == 2 else additive.at_least
    rows, columns = search(
        scenario.space, functions, [level - 2 * RESOLUTION for level in levels], allowed
    )
    keep = np.ones(len(rows), dtype=bool)
    for values, level in zip(columns, levels, strict=True):
        keep &= _at_least(values, level)
    return rows[keep], np.stack([values[keep] for values in columns], axis=1)
