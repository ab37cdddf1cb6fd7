"""A ranking over utilities equal to a kept ranking's, with fewer or the same acceptable
outcomes, takes its order from that ranking instead of sorting: the same order a sort gives
(best first, ties by the lower index), whether the utilities are the same array or a copy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.agents import ranking
from backchannel.agents.views import PartyView, read_only
from backchannel.space.issues import DiscreteIssue
from backchannel.space.outcomes import OutcomeSpace


def view_of(space: OutcomeSpace, utilities: np.ndarray, acceptable: np.ndarray) -> PartyView:
    return PartyView(
        "p", space, read_only(utilities), read_only(acceptable), 0.0, 0.0, 0.0, 0, (), ()
    )


def sorted_order(utilities: np.ndarray, acceptable: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(acceptable)
    return rows[np.argsort(-utilities[rows], kind="stable")]


@settings(max_examples=150, deadline=None)
@given(
    size=st.integers(1, 400),
    levels=st.integers(1, 8),  # few utility levels: many ties
    seed=st.integers(0, 2**31 - 1),
    keep_share=st.floats(0.0, 1.0),
    shrink_share=st.floats(0.0, 1.0),
    copy=st.booleans(),
)
def test_a_derived_ranking_is_the_sorted_one(
    size: int, levels: int, seed: int, keep_share: float, shrink_share: float, copy: bool
) -> None:
    ranking._RANKINGS.clear()
    ranking._LAST_ASKED.clear()
    rng = np.random.default_rng(seed)
    options = tuple(str(i) for i in range(size))
    space = OutcomeSpace((DiscreteIssue(id="x", name="x", options=options),))
    utilities = rng.integers(0, levels, size) / levels
    wide = rng.random(size) < keep_share
    first = ranking.ranking_of(view_of(space, utilities, wide))
    assert first is not None
    narrow = wide & (rng.random(size) < shrink_share)  # a subset: derived from the first
    again = utilities.copy() if copy else utilities
    view = view_of(space, again, narrow)
    derived = ranking.derived_order(view.utilities, view.acceptable, ranking.probe_of(again))
    assert derived is not None, "a subset over equal utilities is derived, not sorted"
    second = ranking.ranking_of(view)
    assert second is not None
    np.testing.assert_array_equal(second.best_first_array, sorted_order(utilities, narrow))
    np.testing.assert_array_equal(first.best_first_array, sorted_order(utilities, wide))
    if narrow.any():
        assert second.best == float(utilities[second.best_first_array[0]])


def test_no_order_is_derived_from_other_utilities_or_a_smaller_set() -> None:
    ranking._RANKINGS.clear()
    ranking._LAST_ASKED.clear()
    space = OutcomeSpace((DiscreteIssue(id="x", name="x", options=tuple("abcdef")),))
    utilities = np.array([0.1, 0.9, 0.5, 0.5, 0.3, 0.7])
    small = np.array([True, True, False, False, True, False])
    ranking.ranking_of(view_of(space, utilities, small))
    larger = small | np.array([False, False, True, False, False, False])
    assert ranking.derived_order(utilities, larger, ranking.probe_of(utilities)) is None
    other = utilities.copy()
    other[2] = 0.6  # the probe (first, middle, last) is the same; the content is not
    assert ranking.probe_of(other) == ranking.probe_of(utilities)
    assert ranking.derived_order(other, small, ranking.probe_of(other)) is None
