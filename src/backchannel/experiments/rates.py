"""How sure a rate from a few simulated runs is: 95 % Wilson intervals, and when two rates
really differ.

Every agreement rate printed by ``brief``, ``compare`` and ``whatif`` carries its Wilson score
interval (Wilson 1927), which stays inside [0, 1] and behaves at 0 and n successes, unlike the
normal approximation. Two rates are called different only when their 95 % intervals do not
overlap; that is conservative (a difference may be real and still not claimed), and it is the
rule every sentence that compares rates follows.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes / trials`` (``(0, 1)`` when there is no trial)."""
    if trials <= 0:
        return 0.0, 1.0
    share = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    half /= denominator
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    if successes == 0:
        low = 0.0
    if successes == trials:
        high = 1.0
    return low, high


def clearly_different(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two rates, each ``(successes, trials)``, have 95 % intervals that do not overlap."""
    low_a, high_a = wilson(*first)
    low_b, high_b = wilson(*second)
    return high_a < low_b or high_b < low_a


def rate_text(successes: int, trials: int, digits: int = 0) -> str:
    """``70% (95% interval 40-89%)``: the rate and its interval, for sentences and tables."""
    share = successes / trials if trials else float("nan")
    return f"{share:.{digits}%} (95% interval {interval_text(successes, trials, digits)})"


def interval_text(successes: int, trials: int, digits: int = 0) -> str:
    """``40–89%``: the interval alone, for a table column."""
    low, high = wilson(successes, trials)
    return f"{100 * low:.{digits}f}–{100 * high:.{digits}f}%"
