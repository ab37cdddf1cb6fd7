"""Wilson intervals against worked values and properties; when two rates differ."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backchannel.experiments.rates import clearly_different, rate_text, wilson


def test_worked_values() -> None:
    # 7 of 10: Wilson 95% interval (0.3968, 0.8922), as in Newcombe (1998), method 3
    low, high = wilson(7, 10)
    assert low == pytest.approx(0.3968, abs=1e-4) and high == pytest.approx(0.8922, abs=1e-4)
    assert wilson(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert wilson(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)
    assert rate_text(7, 10) == "70% (95% interval 40–89%)"


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_rate_and_stays_in_0_1(case) -> None:
    k, n = case
    low, high = wilson(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert high - low <= 2 * 1.96 * math.sqrt(0.25 / n) + 1e-9 + 1.96**2 / n


def test_ten_runs_cannot_tell_70_from_80_percent_but_500_can_tell_54_from_78() -> None:
    assert not clearly_different((7, 10), (8, 10))
    assert clearly_different((272, 500), (391, 500))
    assert not clearly_different((0, 10), (3, 10))
