"""A run's drawn outcome space, as compare measures it, equals ``analyze_space`` on it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from backchannel.analysis.outcome_space import analyze_space
from backchannel.experiments.compare import draw_for
from backchannel.experiments.run_space import allowed_by_all, run_space
from backchannel.scenario.loader import load_scenario


@pytest.mark.parametrize("name", ["iran-us-2025", "buyer-seller", "employment"])
def test_zone_frontier_and_nash_equal_the_full_analysis(name) -> None:
    base = load_scenario(name)
    allowed = allowed_by_all(base)
    for seed in (1, 2, 3, 4):
        drawn = draw_for(base, seed)
        assert_same_analysis(run_space(drawn, allowed), analyze_space(drawn))


def test_no_zone_of_agreement_has_no_frontier_and_no_nash() -> None:
    base = load_scenario("buyer-seller")
    parties = tuple(replace(p, reservation=2.0) for p in base.parties)
    hopeless = replace(base, parties=parties)
    space = run_space(hopeless, allowed_by_all(base))
    assert not space.zopa_exists
    assert len(space.frontier_utilities) == 0 and space.nash_utilities is None


def test_a_reservation_equal_to_a_utility_up_to_float_noise_counts_as_met() -> None:
    base = load_scenario("buyer-seller")
    allowed = allowed_by_all(base)
    top = int(np.argmax(base.utilities[:, 0] * allowed))
    noisy = float(base.utilities[top, 0]) + 1e-12  # the same utility, summed another way
    drawn = replace(base, parties=(replace(base.parties[0], reservation=noisy), base.parties[1]))
    fast, full = run_space(drawn, allowed), analyze_space(drawn)
    assert fast.zopa_exists == full.zopa_exists
    assert np.array_equal(fast.frontier_utilities, full.frontier_utilities)


def assert_same_analysis(fast, full) -> None:
    """A run's fast analysis says what the full analysis of every outcome says."""
    assert fast.zopa_exists == full.zopa_exists
    assert np.array_equal(fast.frontier_utilities, full.frontier_utilities)
    if full.nash is None:
        assert fast.nash_utilities is None
    else:
        assert np.array_equal(fast.nash_utilities, full.utilities_of(full.nash))
