import math

import numpy as np
import pytest

from backchannel.analysis.outcome_space import SpaceAnalysis, nearest_distances
from backchannel.experiments.metrics import agreement_metrics, summarise


def _analysis() -> SpaceAnalysis:
    """A frontier of three points; the middle one (outcome 11) is the Nash solution."""
    return SpaceAnalysis(
        outcome_count=20,
        reservations=np.array([0.0, 0.0]),
        zopa_size=3,
        frontier=np.array([10, 11, 12]),
        frontier_utilities=np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]),
        nash=11,
        kalai_smorodinsky=11,
        utilitarian=10,
        ideal=np.array([1.0, 1.0]),
    )


def test_nearest_distances_by_hand():
    points = np.array([[0.0, 0.0], [3.0, 4.0]])
    targets = np.array([[3.0, 4.0], [1.0, 0.0]])
    assert nearest_distances(points, targets).tolist() == [1.0, 0.0]
    assert np.isnan(nearest_distances(points, np.zeros((0, 2)))).all()


def test_agreement_distances_by_hand():
    utilities = np.array([[0.4, 0.4], [0.9, 0.0], [0.5, 0.5], [0.0, 0.0]])
    metrics = agreement_metrics(_analysis(), utilities, np.array([3, 4, 11, -1]))
    frontier, nash = metrics["distance_frontier"], metrics["distance_nash"]
    assert frontier[:3] == pytest.approx([math.sqrt(0.02), 0.1, 0.0])
    assert nash[:3] == pytest.approx([math.sqrt(0.02), math.sqrt(0.4**2 + 0.5**2), 0.0])
    assert np.isnan(frontier[3]) and np.isnan(nash[3])


def _row(arm, agreed, days, welfare, zopa, frontier=None, nash=None):
    return {
        "arm": arm,
        "agreed": agreed,
        "time_days": days,
        "welfare": welfare,
        "zopa": zopa,
        "distance_frontier": frontier,
        "distance_nash": nash,
    }


def test_summary_figures_by_hand():
    rows = [
        _row("direct", True, 2.0, 1.0, True, 0.0, 0.1),
        _row("direct", True, 4.0, 0.8, True, 0.2, 0.3),
        _row("direct", False, 9.0, 0.6, False),
        _row("shuttle", True, 10.0, 0.9, True, 0.1, 0.0),
        _row("shuttle", False, 30.0, 0.6, True),
        _row("shuttle", False, 30.0, 0.6, True),
        _row("shuttle", True, 20.0, 0.7, False, 0.3, 0.2),
    ]
    direct, shuttle, absent = summarise(rows, ["direct", "shuttle", "none"])
    assert (direct.runs, direct.agreements, direct.agreement_rate) == (3, 2, pytest.approx(2 / 3))
    assert direct.median_days == 3.0  # median of 2 and 4 (the breakdown does not count)
    assert direct.p90_days == pytest.approx(3.8)  # 2 + 0.9 * (4 - 2)
    assert direct.mean_welfare == pytest.approx(0.8)
    assert direct.mean_distance_frontier == pytest.approx(0.1)
    assert direct.mean_distance_nash == pytest.approx(0.2)
    assert (direct.zopa_runs, direct.miscalculations, direct.miscalculation_rate) == (2, 0, 0.0)
    assert shuttle.agreement_rate == 0.5
    assert shuttle.median_days == 15.0 and shuttle.p90_days == pytest.approx(19.0)
    assert shuttle.mean_welfare == pytest.approx(0.7)
    assert shuttle.mean_distance_frontier == pytest.approx(0.2)
    assert (shuttle.zopa_runs, shuttle.miscalculations) == (3, 2)
    assert shuttle.miscalculation_rate == pytest.approx(2 / 3)
    assert absent.runs == 0 and math.isnan(absent.agreement_rate)
    assert absent.to_dict()["median_days"] is None
    # every rate comes with its 95% Wilson interval (2 of 4 runs: 15.0% to 85.0%)
    low, high = shuttle.to_dict()["agreement_rate_interval"]
    assert (low, high) == (pytest.approx(0.1500, abs=1e-4), pytest.approx(0.8500, abs=1e-4))
    assert absent.to_dict()["miscalculation_rate_interval"] == [0.0, 1.0]
