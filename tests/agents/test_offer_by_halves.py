"""The offer choice that measures distance by halves of the issues picks exactly the outcome the
direct measure (the implementation it replaced, kept here as the reference) picks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_offer_choice import space_of

from backchannel.agents import ranking
from backchannel.agents.distances import distance_to, half_distances, half_split
from backchannel.agents.views import PartyView, read_only


def reference_offer(space, utilities, acceptable, target, latest) -> int:
    """The offer choice before distances by halves: distances from the latest offer to every
    candidate of the ranking's prefix, the first nearest one in best-first order."""
    rows = np.flatnonzero(acceptable)
    if not len(rows):
        return int(np.argmax(utilities))
    best_first = rows[np.argsort(-utilities[rows], kind="stable")]
    negated = -utilities[best_first]
    count = int(np.searchsorted(negated, -(target - ranking.TOLERANCE), side="right"))
    if count <= 1:
        return int(best_first[0])
    if latest is None:
        return int(best_first[np.searchsorted(negated, negated[count - 1], side="left")])
    candidates = best_first[:count]
    return int(candidates[distance_to(space, latest, candidates).argmin()])


# By halves (what large spaces with whole-unit distances now use), and the direct measure over
# each query's candidates that remains for spaces whose distances are not whole numbers.
WAYS = {
    "halves": {"tables_fit": lambda space, outcomes: False},
    "halves, arrays": {
        "tables_fit": lambda space, outcomes: False,
        "FULL_DISTANCE_LIMIT": -1,
        "LIST_LIMIT": -1,
    },
    "candidates only": {
        "tables_fit": lambda space, outcomes: False,
        "half_split": lambda space: None,
        "FULL_DISTANCE_LIMIT": -1,
    },
}


@settings(max_examples=120, deadline=None)
@given(
    way=st.sampled_from(sorted(WAYS)),
    sizes=st.lists(st.integers(1, 7), min_size=1, max_size=5),
    numeric_seed=st.integers(0, 31),
    seed=st.integers(0, 2**31 - 1),
    levels=st.integers(1, 6),  # few utility levels: many ties
    red_lines=st.floats(0.0, 0.9),  # share of outcomes a red line forbids
    queries=st.lists(
        st.tuples(st.floats(-0.1, 1.1), st.integers(0, 10**6), st.booleans()),
        min_size=1,
        max_size=6,
    ),
)
def test_offers_by_halves_equal_the_direct_measure(
    way, sizes, numeric_seed, seed, levels, red_lines, queries
) -> None:
    space = space_of(sizes, [bool(numeric_seed >> k & 1) for k in range(len(sizes))])
    rng = np.random.default_rng(seed)
    utilities = read_only(rng.integers(0, levels + 1, space.size) / levels)
    acceptable = read_only(rng.random(space.size) >= red_lines)
    view = PartyView("me", space, utilities, acceptable, 0.0, 0.5, 0.0, 1, (), ())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ranking, "_RANKINGS", type(ranking._RANKINGS)())
        for name, value in WAYS[way].items():
            patch.setattr(ranking, name, value)
        ranked = ranking.ranking_of(view)
        assert ranked is not None
        # several questions in a row: the same latest offer again with a lower or higher
        # target reuses or extends what the ranking kept
        for target, pick, with_latest in queries:
            latest = pick % space.size if with_latest else None
            expected = reference_offer(space, utilities, acceptable, target, latest)
            assert ranked.offer(target, latest) == expected


@settings(max_examples=80, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=8),
    numeric_seed=st.integers(0, 255),
    pick=st.integers(0, 10**6),
)
def test_half_distances_sum_to_the_direct_distance(sizes, numeric_seed, pick) -> None:
    space = space_of(sizes, [bool(numeric_seed >> k & 1) for k in range(len(sizes))])
    cut = half_split(space)
    assert cut is not None
    latest = pick % space.size
    first, second = half_distances(space, latest, cut)
    everything = np.arange(space.size)
    rest = len(second)
    by_halves = first[everything // rest] + second[everything % rest]
    assert by_halves.tolist() == distance_to(space, latest, everything).tolist()


def test_no_halves_when_distances_are_not_whole_numbers() -> None:
    # coprime spans whose common multiple is too large for exact 32-bit units
    spans = [101, 103, 107, 109, 113]
    space = space_of([span + 1 for span in spans], [True] * len(spans))
    assert half_split(space) is None


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.sampled_from([0.0, -0.0, 0.1, 0.25, 1.0, 1e-300, 0.7]) | st.floats(0, 1),
        max_size=60,
    )
)
def test_best_first_order_is_the_stable_sort(values) -> None:
    array = np.array(values, dtype=float)
    expected = np.argsort(-array, kind="stable")
    assert ranking.best_first_order(array).tolist() == expected.tolist()
