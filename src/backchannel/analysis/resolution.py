"""The resolution at which analysis compares utilities: equal up to float noise means equal.

A utility is a float sum over issues, so the same package can come out as 0.635 or as
0.6349999999999999 depending on the order of the issues. Analysis (Pareto frontier, zone of
agreement, bargaining solutions) must not depend on that order, so it first rounds every
utility and reservation value to a grid of ``RESOLUTION`` (twelve decimals): float noise in a
sum of a few terms in [0, 1] is below 1e-15, so two utilities that differ by noise land on the
same grid point and compare equal, and every result is a function of the rounded values only.
Utilities that really differ by less than ``RESOLUTION`` count as equal; no scenario states
preferences that finely, and threshold searches (``analysis.sensitivity``) work far above it.
"""

from __future__ import annotations

import numpy as np

RESOLUTION = 1e-12
_SCALE = 1e12


def snap(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to the nearest multiple of ``RESOLUTION`` (as floats).

    In place on one new array: on the 10^6-outcome spaces analysis meets, the temporaries of
    ``np.rint(values * scale) / scale`` cost three times the arithmetic."""
    scaled = np.multiply(values, _SCALE, dtype=float)
    if not isinstance(scaled, np.ndarray):  # a scalar in, a scalar out
        return np.rint(scaled) / _SCALE
    np.rint(scaled, out=scaled)
    return np.divide(scaled, _SCALE, out=scaled)


def snap_in_place(values: np.ndarray) -> np.ndarray:
    """:func:`snap` of a float array of one's own, written over it (no new array)."""
    np.multiply(values, _SCALE, out=values)
    np.rint(values, out=values)
    return np.divide(values, _SCALE, out=values)


GRID_LIMIT = 1e6  # utilities up to this size fit the integer grid with room for their sums


def grid_units(values: np.ndarray) -> np.ndarray:
    """``values`` as whole multiples of ``RESOLUTION`` (int64), where sums and comparisons are
    exact; unchanged (floats) when some value is too large for the grid or not a number."""
    values = np.asarray(values, dtype=float)
    if values.size and not np.abs(values).max() <= GRID_LIMIT:
        return values
    return np.rint(values * _SCALE).astype(np.int64)
