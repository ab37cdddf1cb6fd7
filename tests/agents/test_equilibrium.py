"""Equilibrium play reproduces the closed forms of alternating-offers bargaining."""

from __future__ import annotations

import numpy as np
import pytest

from backchannel.agents.equilibrium import backward_induction, pie_grid
from backchannel.agents.registry import strategy_names
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.loader import load_scenario

PIE = pie_grid(40_000)


@pytest.mark.parametrize("p", [0.05, 0.1, 0.3, 0.5])
def test_breakdown_risk_gives_the_first_proposer_one_over_two_minus_p(p: float) -> None:
    """Binmore, Rubinstein and Wolinsky (1986): breakdown after each rejection, no discount."""
    path = backward_induction(PIE, np.zeros(2), rounds=500, breakdown=p)
    assert path.accepted[0]
    assert path.values[0][0] == pytest.approx(1.0 / (2.0 - p), abs=1e-3)
    assert path.values[0].sum() == pytest.approx(1.0)  # agreed at once: nothing is lost


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.95, 0.8), (0.8, 0.95), (0.99, 0.9)])
def test_discounting_gives_rubinsteins_share(d1: float, d2: float) -> None:
    """Rubinstein (1982): the first proposer gets (1 - d2) / (1 - d1 d2)."""
    path = backward_induction(PIE, np.zeros(2), rounds=800, discounts=(d1, d2))
    assert path.values[0][0] == pytest.approx((1.0 - d2) / (1.0 - d1 * d2), abs=1e-3)


def test_the_last_proposer_takes_everything_the_other_would_accept() -> None:
    """One round (an ultimatum): the responder takes anything worth its walk-away value."""
    path = backward_induction(PIE, np.array([0.0, 0.25]), rounds=1)
    assert path.values[0] == pytest.approx([0.75, 0.25])


def test_red_lines_limit_what_a_proposer_may_offer() -> None:
    offerable = PIE[:, 0] <= 0.6
    path = backward_induction(PIE, np.zeros(2), rounds=1, offerable=offerable)
    assert path.values[0][0] == pytest.approx(0.6)


def test_the_strategy_is_registered_and_agrees_at_once_on_a_pie(fixtures) -> None:
    assert "equilibrium" in strategy_names()
    scenario = load_scenario(fixtures / "split.yaml")
    options = RunOptions(
        protocol="direct", strategies={"a": "equilibrium", "b": "equilibrium"}, seed=0
    )
    result = run_negotiation(scenario, options).result
    assert result is not None and result.agreement is not None
    assert result.rounds <= 2


@pytest.mark.parametrize(("p", "b1", "b2"), [(0.1, 0.2, 0.1), (0.3, 0.0, 0.3), (0.5, 0.25, 0.25)])
def test_breakdown_payoffs_move_the_split_as_the_closed_form_says(p, b1, b2) -> None:
    """With breakdown payoffs (b1, b2) the stationary split solves 1 - x = p b2 + (1 - p) y and
    1 - y = p b1 + (1 - p) x, so the first proposer gets (1 - b2 + (1 - p) b1) / (2 - p)."""
    path = backward_induction(
        PIE, np.zeros(2), rounds=500, breakdown=p, collapse_values=np.array([b1, b2])
    )
    assert path.accepted[0]
    assert path.values[0][0] == pytest.approx((1.0 - b2 + (1.0 - p) * b1) / (2.0 - p), abs=1e-3)


def test_collapse_values_default_to_the_walk_away_values() -> None:
    walk_away = np.array([0.1, 0.2])
    plain = backward_induction(PIE, walk_away, rounds=50, breakdown=0.2)
    named = backward_induction(PIE, walk_away, rounds=50, breakdown=0.2, collapse_values=walk_away)
    assert np.array_equal(plain.offers, named.offers)
    assert np.array_equal(plain.values, named.values)
