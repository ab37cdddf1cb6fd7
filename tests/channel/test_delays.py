"""Delay distributions: means, ranges, and that a fixed delay draws nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backchannel.channel.delays import Delay, fixed


def test_a_fixed_delay_draws_nothing() -> None:
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    assert fixed(72).sample(rng) == 72
    assert rng.bit_generator.state == state


@pytest.mark.parametrize(
    ("delay", "mean"),
    [
        (Delay("uniform", low=24, high=72), 48.0),
        (Delay("triangular", low=24, mode=48, high=96), 56.0),
        (Delay("lognormal", median=48, sigma=0.5), 48 * math.exp(0.125)),
    ],
)
def test_sample_means_match_the_closed_forms(delay: Delay, mean: float) -> None:
    rng = np.random.default_rng(7)
    draws = np.array([delay.sample(rng) for _ in range(20_000)])
    assert delay.mean == pytest.approx(mean)
    assert draws.mean() == pytest.approx(mean, rel=0.02)
    assert delay.stochastic


def test_uniform_draws_stay_in_range() -> None:
    rng = np.random.default_rng(3)
    draws = [Delay("uniform", low=10, high=20).sample(rng) for _ in range(500)]
    assert min(draws) >= 10 and max(draws) <= 20


def test_unknown_distribution_is_refused() -> None:
    with pytest.raises(ValueError, match="uniform"):
        Delay("gamma")
