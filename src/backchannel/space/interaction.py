"""Utilities with interdependent issues: per-issue values plus pairwise interaction terms.

Linear-additive utilities cannot say "this clause is worth something only together with that
one". Klein, Faratin, Sayama and Bar-Yam (2003, "Negotiating complex contracts") study exactly
such contracts: many binary issues whose values interact, which makes the utility landscape
rugged, so that hill climbing on a single text gets stuck where simulated annealing does not.
This module is kept apart from the linear-additive model the scenario files use; it implements
the same methods (``over_space``, ``allowed_over_space``, ``evaluate``, ``allowed``), so a
:class:`~backchannel.scenario.model.Party` can carry it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.space.outcomes import OutcomeSpace


@dataclass(frozen=True)
class PairwiseInteractionUtility:
    """``u(o) = (sum_j v_j(o_j) + sum_(i,k) W_ik(o_i, o_k) - low) / (high - low)``.

    ``low`` and ``high`` rescale the raw sums to [0, 1]; :func:`random_interaction_utility`
    sets them to the raw minimum and maximum over the space. No red lines.
    """

    tables: tuple[np.ndarray, ...]
    pairs: tuple[tuple[int, int, np.ndarray], ...]
    low: float = 0.0
    high: float = 1.0

    has_red_lines = False

    def evaluate(self, positions: np.ndarray) -> np.ndarray:
        positions = np.atleast_2d(np.asarray(positions))
        total = np.zeros(positions.shape[0])
        for column, table in enumerate(self.tables):
            total += table[positions[:, column]]
        for i, k, table in self.pairs:
            total += table[positions[:, i], positions[:, k]]
        return (total - self.low) / (self.high - self.low)

    def allowed(self, positions: np.ndarray) -> np.ndarray:
        return np.ones(np.atleast_2d(positions).shape[0], dtype=bool)

    def over_space(self, space: OutcomeSpace) -> np.ndarray:
        """Every outcome's utility by broadcasting each table over its axes (no outcome loop)."""
        return (_raw_over_space(self.tables, self.pairs, space) - self.low) / (self.high - self.low)

    def allowed_over_space(self, space: OutcomeSpace) -> np.ndarray:
        return np.ones(space.size, dtype=bool)

    def best_value(self) -> float:
        return 1.0


def random_interaction_utility(
    space: OutcomeSpace, rng: np.random.Generator, interaction: float = 1.0
) -> PairwiseInteractionUtility:
    """Random per-issue values and a dense pairwise interaction, rescaled to [0, 1].

    ``interaction`` is the strength of the pairwise terms relative to the per-issue ones; as in
    Klein et al. (2003), stronger interaction makes the landscape more rugged.
    """
    tables = tuple(rng.uniform(-1.0, 1.0, issue.size) for issue in space.issues)
    count = len(space.issues)
    pairs = tuple(
        (
            i,
            k,
            interaction * rng.uniform(-1.0, 1.0, (space.issues[i].size, space.issues[k].size)),
        )
        for i in range(count)
        for k in range(i + 1, count)
    )
    raw = _raw_over_space(tables, pairs, space)
    return PairwiseInteractionUtility(tables, pairs, float(raw.min()), float(raw.max()))


def _raw_over_space(
    tables: tuple[np.ndarray, ...],
    pairs: tuple[tuple[int, int, np.ndarray], ...],
    space: OutcomeSpace,
) -> np.ndarray:
    dims = len(space.shape)
    total = np.zeros(space.shape)
    for column, table in enumerate(tables):
        shape = [1] * dims
        shape[column] = -1
        total = total + table.reshape(shape)
    for i, k, table in pairs:
        shape = [1] * dims
        shape[i], shape[k] = table.shape
        total = total + table.reshape(shape)
    return total.reshape(-1)
