"""Bargaining solutions and the zone of agreement over a utility matrix.

Convention (the field's usual one): every solution is chosen among *agreeable* outcomes, those
each party rates at or above its reservation value and that cross no party's red line. The Nash
solution maximises the product of gains over the reservation values (the disagreement point);
Kalai-Smorodinsky maximises the smallest gain as a share of each party's best agreeable gain.
Ties go to the larger total utility, then to the lower outcome index, so results are stable
(``analysis.outcome_space`` then picks among packages of equal utilities by their terms, so the
order of a scenario's issues does not matter).
Utilities and reservation values are compared at ``analysis.resolution.RESOLUTION``, so no
result depends on the order in which a utility's float sum was taken.
"""

from __future__ import annotations

import numpy as np

from backchannel.analysis.resolution import snap

BLOCK = 1 << 16  # rows compared with the reservation values at once


def agreeable_mask(
    utilities: np.ndarray, reservations: np.ndarray, allowed: np.ndarray | None = None
) -> np.ndarray:
    """Outcomes every party weakly prefers to walking away (and no red line excludes)."""
    utilities = np.asarray(utilities)
    columns = [utilities[:, k] for k in range(utilities.shape[1])]
    mask = agreeable_of_columns(columns, reservations, len(utilities))
    if allowed is not None:
        mask &= every_column(allowed) if np.ndim(allowed) == 2 else np.asarray(allowed)
    return mask


def agreeable_of_columns(
    columns: list[np.ndarray], reservations: np.ndarray, rows: int
) -> np.ndarray:
    """:func:`agreeable_mask` (without red lines) of ``rows`` outcomes whose utilities come as
    one column per party: party by party, a block of rows at a time (small buffers, reused;
    the same comparisons as on the whole matrix, in a fraction of the memory traffic)."""
    floors = snap(np.asarray(reservations, dtype=float))
    mask = np.ones(rows, dtype=bool)
    for first in range(0, rows, BLOCK):
        part = slice(first, first + BLOCK)
        for column, floor in zip(columns, floors, strict=True):
            mask[part] &= snap(column[part]) >= floor
    return mask


def every_column(mask: np.ndarray) -> np.ndarray:
    """Rows true in every column of a 2-D boolean array: ``mask.all(axis=1)``, column by column,
    because numpy's reduction along a short row is tens of times slower (40 ms against 1 ms for
    a million rows of two parties)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape[1] == 0:
        return np.ones(len(mask), dtype=bool)
    out = mask[:, 0].copy()
    for column in range(1, mask.shape[1]):
        out &= mask[:, column]
    return out


def nash_index(
    utilities: np.ndarray, reservations: np.ndarray, agreeable: np.ndarray
) -> int | None:
    """Index maximising the product of gains over the reservation values, or None."""
    candidates = np.flatnonzero(agreeable)
    if len(candidates) == 0:
        return None
    values = snap(utilities[candidates])
    gains = values - snap(reservations)[None, :]
    return _best(candidates, gain_products(gains), values.sum(axis=1))


def kalai_smorodinsky_index(
    utilities: np.ndarray, reservations: np.ndarray, agreeable: np.ndarray
) -> int | None:
    """Index maximising the smallest normalised gain ``(u_i - r_i) / (ideal_i - r_i)``, or None."""
    candidates = np.flatnonzero(agreeable)
    if len(candidates) == 0:
        return None
    values = snap(utilities[candidates])
    return _best(candidates, smallest_shares(values, snap(reservations)), values.sum(axis=1))


def gain_products(gains: np.ndarray) -> np.ndarray:
    """The Nash objective of each row of gains over the disagreement point (outcomes × parties)."""
    return np.prod(gains, axis=1)


def smallest_shares(values: np.ndarray, reservations: np.ndarray) -> np.ndarray:
    """The Kalai–Smorodinsky objective of each row of ``values``: the smallest gain as a share
    of that party's best gain among the rows given (a party with nothing to gain counts 1)."""
    span = values.max(axis=0) - reservations
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (values - reservations) / safe, 1.0).min(axis=1)


def utilitarian_index(utilities: np.ndarray, agreeable: np.ndarray) -> int | None:
    """Index maximising total utility among agreeable outcomes, or None."""
    candidates = np.flatnonzero(agreeable)
    if len(candidates) == 0:
        return None
    totals = snap(utilities[candidates]).sum(axis=1)
    return _best(candidates, totals, totals)


def ideal_point(utilities: np.ndarray, agreeable: np.ndarray) -> np.ndarray | None:
    """Each party's best utility among agreeable outcomes."""
    if not agreeable.any():
        return None
    return snap(utilities[agreeable]).max(axis=0)


def _best(candidates: np.ndarray, score: np.ndarray, tiebreak: np.ndarray) -> int:
    top = score.max()
    tied = np.flatnonzero(np.isclose(score, top, rtol=0.0, atol=1e-12))
    winner = tied[np.argmax(tiebreak[tied])]
    return int(candidates[winner])
