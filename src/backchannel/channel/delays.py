"""How long a hop takes: a fixed time or a distribution of simulated hours.

A fixed delay draws nothing from the generator, so a channel of fixed delays consumes no
randomness (what lets a faithful chain replay the direct protocol exactly). A stochastic delay
draws exactly one number per passage: ``uniform(low, high)``, ``triangular(low, mode, high)`` or
``lognormal`` with the given median and log-scale ``sigma``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DISTRIBUTIONS = ("fixed", "uniform", "triangular", "lognormal")


@dataclass(frozen=True)
class Delay:
    """A delay distribution in hours; ``hours`` is used by ``fixed``."""

    distribution: str = "fixed"
    hours: float = 0.0
    low: float = 0.0
    high: float = 0.0
    mode: float = 0.0
    median: float = 0.0
    sigma: float = 0.0

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(
                f"unknown delay distribution '{self.distribution}'; "
                f"use one of: {', '.join(DISTRIBUTIONS)}"
            )

    @property
    def stochastic(self) -> bool:
        return self.distribution != "fixed"

    @property
    def mean(self) -> float:
        """Expected hours (used for default timeouts and as the nominal delay)."""
        if self.distribution == "uniform":
            return (self.low + self.high) / 2
        if self.distribution == "triangular":
            return (self.low + self.mode + self.high) / 3
        if self.distribution == "lognormal":
            return self.median * math.exp(self.sigma**2 / 2)
        return self.hours

    def sample(self, rng: np.random.Generator) -> float:
        """One delay; draws from ``rng`` only when the distribution is stochastic."""
        if self.distribution == "uniform":
            return float(rng.uniform(self.low, self.high))
        if self.distribution == "triangular":
            if self.low == self.high:
                return self.low
            return float(rng.triangular(self.low, self.mode, self.high))
        if self.distribution == "lognormal":
            return float(self.median * math.exp(self.sigma * rng.standard_normal()))
        return self.hours


def fixed(hours: float) -> Delay:
    return Delay("fixed", hours=hours)
