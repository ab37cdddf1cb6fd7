"""Exact thresholds of a one-parameter family of outcome spaces, as pure array code.

When one number of a scenario moves (a walk-away value, an issue weight, a ratifier's threshold),
one party's gain over its walk-away value changes along a line for every outcome:
``gain(t) = alpha + beta * (t - origin)``, with ``alpha`` today's gain computed exactly as the
analysis computes it (so outcomes exactly at a walk-away value count the same). Everything else
stays fixed. The zone of agreement at ``t`` is then the outcomes the other parties accept whose
gain is non-negative, and the Nash objective of each outcome is ``others * gain(t)``
(``others``: the product of the other parties' gains), a line in ``t`` too. So the values of
``t`` at which the zone closes or opens, and at which another outcome overtakes the current Nash
package, are roots of lines: found exactly, with no sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.analysis.resolution import RESOLUTION

EDGE = 1e-7  # a change "just past" a threshold must stay inside the parameter's range
# The analysis compares utilities on a grid of RESOLUTION, so a gain within half a grid step
# below zero still counts as reaching the walk-away value.
TOLERANCE = RESOLUTION / 2


@dataclass(frozen=True)
class AffineFamily:
    """One party's (or ratifier's) gain ``alpha + beta * (t - origin)`` over the outcomes that
    every other test already accepts (``eligible``), and the product of the other parties'
    gains."""

    alpha: np.ndarray
    beta: np.ndarray
    eligible: np.ndarray
    others: np.ndarray
    origin: float = 0.0

    def gain(self, t: float) -> np.ndarray:
        return self.alpha + self.beta * (t - self.origin)

    def zone(self, t: float) -> np.ndarray:
        """Outcomes in the zone at ``t``."""
        return self.eligible & (self.gain(t) >= -TOLERANCE)


@dataclass(frozen=True)
class Crossing:
    """The first value of the parameter, going one way, at which something changes; the change
    shows just past ``at`` (and not anywhere between the current value and ``at``)."""

    at: float
    kind: str


def zone_crossing(
    family: AffineFamily, current: float, direction: int, low: float, high: float
) -> Crossing | None:
    """Where, moving from ``current`` towards ``direction`` (+1 or -1) inside ``[low, high]``,
    the zone first closes (if open now) or opens (if closed now)."""
    alpha = family.alpha[family.eligible] + TOLERANCE
    beta = family.beta[family.eligible]
    if len(alpha) == 0:
        return None
    always = bool(np.any((beta == 0.0) & (alpha >= 0.0)))
    falling, rising = beta < 0.0, beta > 0.0
    # Outcomes whose gain falls with t are in the zone up to their root, rising ones from it.
    last_falling, first_rising = -np.inf, np.inf
    if falling.any():
        last_falling = family.origin + float(np.max(-alpha[falling] / beta[falling]))
    if rising.any():
        first_rising = family.origin + float(np.min(-alpha[rising] / beta[rising]))
    is_open = always or current <= last_falling or current >= first_rising
    if always:
        return None
    if direction > 0:
        if is_open and current <= last_falling < first_rising and last_falling < high - EDGE:
            return Crossing(last_falling, "zone closes")
        if not is_open and first_rising <= high:
            return Crossing(first_rising, "zone opens")
    else:
        if is_open and current >= first_rising > last_falling and first_rising > low + EDGE:
            return Crossing(first_rising, "zone closes")
        if not is_open and last_falling >= low:
            return Crossing(last_falling, "zone opens")
    return None


def nash_crossing(
    family: AffineFamily,
    nash: int | None,
    current: float,
    direction: int,
    low: float,
    high: float,
) -> Crossing | None:
    """Where, moving from ``current`` towards ``direction``, the Nash package ``nash`` is first
    overtaken by another outcome or leaves the zone."""
    if nash is None:
        return None
    slope = family.others * family.beta
    level = family.others * family.alpha
    candidates: list[float] = []
    if family.beta[nash] * direction < 0.0:
        exit_at = family.origin - family.alpha[nash] / family.beta[nash]
        candidates.append(float(exit_at))  # it leaves the zone
    gaining = family.eligible & ((slope - slope[nash]) * direction > 0.0)
    gaining[nash] = False
    if gaining.any():
        offsets = -(level[gaining] - level[nash]) / (slope[gaining] - slope[nash])
        roots = family.origin + offsets
        at_root = family.alpha[gaining] + family.beta[gaining] * offsets
        ahead = (roots - current) * direction >= 0.0
        inside = (at_root > 0.0) | ((at_root >= 0.0) & (family.beta[gaining] * direction >= 0.0))
        keep = roots[ahead & inside]
        if len(keep):
            candidates.append(float(np.min(keep * direction) * direction))
    ahead_of_current = [c for c in candidates if (c - current) * direction >= 0.0]
    if not ahead_of_current:
        return None
    first = min(ahead_of_current, key=lambda c: (c - current) * direction)
    if not low + EDGE < first < high - EDGE:
        return None
    return Crossing(float(first), "nash changes")
