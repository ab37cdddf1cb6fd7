"""Linear-additive utility functions and red lines, evaluated over arrays of outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backchannel.space.outcomes import OutcomeSpace


@dataclass(frozen=True)
class LinearAdditiveUtility:
    """``u(o) = sum_j w_j * v_j(o_j)`` with weights summing to 1 and values in [0, 1].

    ``forbidden[j][k]`` marks option ``k`` of issue ``j`` as a red line: an outcome that uses it
    is never acceptable to this party, whatever its utility.
    """

    weights: np.ndarray
    tables: tuple[np.ndarray, ...]
    forbidden: tuple[np.ndarray, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.forbidden:
            masks = tuple(np.zeros(len(table), dtype=bool) for table in self.tables)
            object.__setattr__(self, "forbidden", masks)
        # Weighted tables let evaluation be one gather and one sum per issue.
        weighted = tuple(
            float(w) * np.asarray(t, dtype=float)
            for w, t in zip(self.weights, self.tables, strict=True)
        )
        object.__setattr__(self, "_weighted", weighted)

    @property
    def has_red_lines(self) -> bool:
        return any(mask.any() for mask in self.forbidden)

    def evaluate(self, positions: np.ndarray) -> np.ndarray:
        """Utilities of outcomes given as per-issue positions, shape ``(n, issues)``."""
        positions = np.asarray(positions)
        if positions.ndim == 1:
            positions = positions[None, :]
        total = np.zeros(positions.shape[0], dtype=float)
        for column, table in enumerate(self._weighted):  # type: ignore[attr-defined]
            total += table[positions[:, column]]
        return total

    def allowed(self, positions: np.ndarray) -> np.ndarray:
        """True where an outcome crosses none of this party's red lines."""
        positions = np.asarray(positions)
        if positions.ndim == 1:
            positions = positions[None, :]
        ok = np.ones(positions.shape[0], dtype=bool)
        for column, mask in enumerate(self.forbidden):
            if mask.any():
                ok &= ~mask[positions[:, column]]
        return ok

    def over_space(self, space: OutcomeSpace) -> np.ndarray:
        """Utility of every outcome in index order.

        The sum grows one issue at a time (an outer sum with the next issue's table), so only
        the last step is as large as the space: one pass over it instead of one per issue.
        Each outcome's sum is taken in the same order as before (0, then issue by issue), so
        the floats are the same."""
        total = np.zeros((), dtype=float)
        for table in self._weighted:  # type: ignore[attr-defined]
            total = np.add.outer(total, table)
        return total.reshape(space.size)

    def allowed_over_space(self, space: OutcomeSpace) -> np.ndarray:
        """Red-line mask of every outcome in index order."""
        ok = np.ones(space.shape, dtype=bool)
        for column, mask in enumerate(self.forbidden):
            if mask.any():
                ok &= ~mask.reshape(_axis_shape(len(space.shape), column))
        return ok.reshape(-1)

    def best_value(self) -> float:
        """Highest utility any outcome can reach, ignoring red lines."""
        return float(sum(table.max() for table in self._weighted))  # type: ignore[attr-defined]


def _axis_shape(dimensions: int, axis: int) -> tuple[int, ...]:
    """Shape that lays a 1-D table along ``axis`` of a ``dimensions``-D grid."""
    shape = [1] * dimensions
    shape[axis] = -1
    return tuple(shape)


def utility_matrix(space: OutcomeSpace, utilities: list[LinearAdditiveUtility]) -> np.ndarray:
    """Utilities of every outcome for every party, shape ``(outcomes, parties)``."""
    return np.stack([u.over_space(space) for u in utilities], axis=1)
