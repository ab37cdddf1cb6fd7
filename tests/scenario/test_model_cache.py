"""A scenario's per-party arrays are shared across runs, read-only, and never pickled."""

from __future__ import annotations

import pickle

import numpy as np

from backchannel.scenario.loader import load_scenario


def test_own_arrays_are_cached_read_only_and_match_the_scenario() -> None:
    scenario = load_scenario("iran-us-2025")
    for column, party in enumerate(scenario.parties):
        own = scenario.own_arrays(column, party.reservation)
        assert own is scenario.own_arrays(column, party.reservation)
        assert not own.utilities.flags.writeable and not own.acceptable.flags.writeable
        expected = scenario.allowed[:, column] & (
            scenario.utilities[:, column] >= party.reservation
        )
        np.testing.assert_array_equal(own.acceptable, expected)
        moved = scenario.own_arrays(column, party.reservation + 0.1)
        assert moved.acceptable.sum() <= own.acceptable.sum()


def test_a_pickled_scenario_rebuilds_its_arrays_read_only() -> None:
    scenario = load_scenario("iran-us-2025")
    scenario.own_arrays(0, scenario.parties[0].reservation)
    copy = pickle.loads(pickle.dumps(scenario))
    assert "_own_arrays" not in copy.__dict__
    assert not copy.own_arrays(0, scenario.parties[0].reservation).utilities.flags.writeable
