"""``offer_for_target`` for thousands of runs at once, answering exactly as the step engine does.

:func:`backchannel.agents.components.offer_for_target` picks, among the acceptable outcomes worth
at least the target, the one nearest the other side's latest offer (ties toward its own utility,
then the lower index). Two facts make that a table look-up:

* With a party's allowed outcomes sorted by utility (high first, ties by index), the candidates
  for any target and reservation value are a *prefix* of that order, so a run needs only the
  prefix length ``k`` (one ``searchsorted``).
* For a fixed latest offer ``o``, the best candidate of a prefix changes only where a strictly
  nearer outcome appears. Those few change points (a strictly falling running minimum of the
  distance to ``o``) are computed once per distinct ``o`` and shared by every run.
"""

from __future__ import annotations

import numpy as np

from backchannel.agents.distances import distance_to
from backchannel.space.outcomes import OutcomeSpace

TOLERANCE = 1e-12  # the slack components.offer_for_target and acceptable_at allow
_PAD = np.iinfo(np.int32).max


class OfferTable:
    """One party's offer choice, for a fixed utility vector and red-line mask."""

    def __init__(self, space: OutcomeSpace, utilities: np.ndarray, allowed: np.ndarray) -> None:
        self.space = space
        self.utilities = utilities
        self.allowed = allowed
        allowed_idx = np.flatnonzero(allowed)
        order = np.argsort(-utilities[allowed_idx], kind="stable")
        self.sorted_outcomes = allowed_idx[order]
        self.sorted_utilities = utilities[self.sorted_outcomes]
        self._descending_keys = -self.sorted_utilities  # ascending, for searchsorted
        self.max_allowed = float(self.sorted_utilities[0]) if len(order) else -np.inf
        self.global_argmax = int(np.argmax(utilities))
        # First position of each tie group: the lowest-index outcome of the least-valued tie.
        starts = np.ones(len(order), dtype=bool)
        starts[1:] = self.sorted_utilities[1:] != self.sorted_utilities[:-1]
        self._group_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
        self._slot_of = np.full(space.size, -1, dtype=np.int64)
        self._positions = np.empty((0, 1), dtype=np.int32)
        self._outcomes = np.empty((0, 1), dtype=np.int64)

    def value(self, outcome: np.ndarray) -> np.ndarray:
        """Each run's utility of its ``outcome`` (the same utilities in every run)."""
        return self.utilities[outcome]

    def utility_at(self, runs: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
        """Utilities of ``outcomes`` (any runs: they share the utilities)."""
        return self.utilities[outcomes]

    def keep(self, mask: np.ndarray) -> None:
        """Runs leaving change nothing here: what is kept is shared by every run."""

    def count_at_least(self, threshold: np.ndarray) -> np.ndarray:
        """How many allowed outcomes are worth at least ``threshold`` (per run)."""
        return np.searchsorted(self._descending_keys, -threshold, side="right")

    def best_utility(self, reservation: np.ndarray) -> np.ndarray:
        """``PartyView.best_utility`` per run: the best acceptable utility, or 0 if none."""
        return np.where(self.max_allowed >= reservation, self.max_allowed, 0.0)

    def offer(self, target: np.ndarray, reservation: np.ndarray, latest: np.ndarray) -> np.ndarray:
        """The offer per run; ``latest`` is the last offer received, or -1 if none yet."""
        acceptable = self.count_at_least(reservation)
        k = np.minimum(acceptable, self.count_at_least(target - TOLERANCE))
        result = np.full(len(target), self.global_argmax, dtype=np.int64)
        if len(self.sorted_outcomes):
            result[acceptable > 0] = self.sorted_outcomes[0]
        opening = (k > 0) & (latest < 0)
        if opening.any():
            result[opening] = self.sorted_outcomes[self._group_start[k[opening] - 1]]
        reply = (k > 0) & (latest >= 0)
        if reply.any():
            result[reply] = self._nearest(latest[reply], k[reply])
        return result

    def _nearest(self, latest: np.ndarray, k: np.ndarray) -> np.ndarray:
        self._ensure(np.unique(latest))
        slots = self._slot_of[latest]
        positions = self._positions[slots]
        found = (positions <= (k - 1)[:, None]).sum(axis=1)
        return self._outcomes[slots, found - 1]

    def _ensure(self, latest: np.ndarray) -> None:
        """Compute the change points for offers not seen before, appending one row each."""
        missing = latest[self._slot_of[latest] < 0]
        if len(missing) == 0:
            return
        rows = [self._change_points(int(o)) for o in missing]
        width = max(self._positions.shape[1], *(len(p) for p, _ in rows))
        positions = np.full((len(rows), width), _PAD, dtype=np.int32)
        outcomes = np.zeros((len(rows), width), dtype=np.int64)
        for row, (pos, out) in enumerate(rows):
            positions[row, : len(pos)] = pos
            outcomes[row, : len(out)] = out
        self._positions = np.vstack([_widen(self._positions, width, _PAD), positions])
        self._outcomes = np.vstack([_widen(self._outcomes, width, 0), outcomes])
        start = len(self._positions) - len(rows)
        self._slot_of[missing] = np.arange(start, start + len(rows))

    def _change_points(self, latest: int) -> tuple[np.ndarray, np.ndarray]:
        """Prefix positions where the nearest candidate to ``latest`` changes, and to what."""
        distances = distance_to(self.space, latest, self.sorted_outcomes)
        running = np.minimum.accumulate(distances)
        new_best = np.empty(len(distances), dtype=bool)
        new_best[0] = True
        new_best[1:] = distances[1:] < running[:-1]
        positions = np.flatnonzero(new_best)
        return positions.astype(np.int32), self.sorted_outcomes[positions]


def _widen(array: np.ndarray, width: int, fill: int) -> np.ndarray:
    if array.shape[1] >= width:
        return array
    padding = np.full((array.shape[0], width - array.shape[1]), fill, dtype=array.dtype)
    return np.hstack([array, padding])
