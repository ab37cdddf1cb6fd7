"""Outcome indices, positions and utilities agree with an explicit enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.space.issues import DiscreteIssue, NumericIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility


def make_space(sizes: list[int]) -> OutcomeSpace:
    return OutcomeSpace(
        tuple(
            DiscreteIssue(f"i{k}", f"i{k}", tuple(map(str, range(n)))) for k, n in enumerate(sizes)
        )
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=5), st.integers(0, 2**16))
def test_broadcast_utilities_match_enumeration(sizes: list[int], seed: int) -> None:
    space = make_space(sizes)
    rng = np.random.default_rng(seed)
    utility = LinearAdditiveUtility(
        rng.dirichlet(np.ones(len(sizes))),
        tuple(rng.random(n) for n in sizes),
        tuple(rng.random(n) < 0.3 for n in sizes),
    )
    rows = list(itertools.product(*(range(n) for n in sizes)))
    expected = [
        sum(w * t[k] for w, t, k in zip(utility.weights, utility.tables, row, strict=True))
        for row in rows
    ]
    allowed = [not any(m[k] for m, k in zip(utility.forbidden, row, strict=True)) for row in rows]
    assert np.allclose(utility.over_space(space), expected)
    assert utility.allowed_over_space(space).tolist() == allowed
    assert np.allclose(utility.evaluate(np.array(rows)), expected)
    for index, row in enumerate(rows):
        assert tuple(space.positions([index])[0]) == row
    chunks = list(space.chunks(chunk_size=3))
    assert np.concatenate([c for _, c in chunks]).tolist() == [list(r) for r in rows]


def test_index_and_outcome_round_trip() -> None:
    space = OutcomeSpace(
        (
            NumericIssue.from_range("funds", "Funds", 0, 10, 2.5),
            DiscreteIssue("truce", "Truce", ("none", "six months")),
        )
    )
    assert space.size == 10
    index = space.index({"funds": 7.5, "truce": "six months"})
    assert space.outcome(index) == {"funds": 7.5, "truce": "six months"}
    assert space.describe(index) == "funds=7.5, truce=six months"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=5), st.data())
def test_one_outcomes_position_is_numpys_unravel_and_ravel(sizes: list[int], data) -> None:
    """The plain-integer path for one package gives numpy's positions and indices, and
    refuses what numpy refuses."""
    space = make_space(sizes)
    index = data.draw(st.integers(0, space.size - 1))
    position = space.position(index)
    assert position == tuple(int(p) for p in np.unravel_index(index, space.shape))
    assert space.index_of_position(position) == index
    assert space.index_of_position(position) == np.ravel_multi_index(position, space.shape)
    for outside in (-1, space.size):
        with pytest.raises(ValueError):
            space.position(outside)
    wrong = list(position)
    wrong[data.draw(st.integers(0, len(sizes) - 1))] = data.draw(st.sampled_from([-1, 99]))
    with pytest.raises(ValueError):
        space.index_of_position(wrong)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=1, max_size=12),
    st.data(),
)
def test_a_numeric_value_is_found_as_by_the_nearest_search(values: list[float], data) -> None:
    """The value -> position table answers as the nearest-value search over the array."""
    issue = NumericIssue("x", "x", tuple(values))
    wanted = data.draw(
        st.one_of(st.sampled_from(values), st.floats(allow_nan=True, allow_infinity=True))
    )
    searched = NumericIssue("x", "x", tuple(values))
    object.__setattr__(searched, "_exact", None)  # as a range too large for the table
    try:
        expected: int | None = searched.index_of(wanted)
    except KeyError:
        expected = None
    try:
        found: int | None = issue.index_of(wanted)
    except KeyError:
        found = None
    assert found == expected


def test_numeric_range_includes_its_end_despite_rounding() -> None:
    issue = NumericIssue.from_range("x", "x", 0.0, 0.3, 0.1)
    assert issue.values == (0.0, 0.1, 0.2, 0.3)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=1, max_size=6), st.integers(0, 2**16))
def test_utilities_over_the_space_are_the_per_outcome_sums_bit_for_bit(
    sizes: list[int], seed: int
) -> None:
    """The whole-space sum grows issue by issue; each outcome's float must be the one that
    ``evaluate`` (a sum in issue order) gives, not merely close to it."""
    rng = np.random.default_rng(seed)
    space = make_space(sizes)
    utility = LinearAdditiveUtility(
        rng.dirichlet(np.ones(len(sizes))), tuple(rng.random(n) for n in sizes)
    )
    every = space.positions(np.arange(space.size))
    whole, each = utility.over_space(space), utility.evaluate(every)
    assert whole.shape == (space.size,)
    assert whole.tobytes() == each.tobytes()
