"""The ranked offer choice that strategies use is the same choice as a brute-force scan."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.agents import ranking
from backchannel.agents.components import offer_for_target
from backchannel.agents.distances import (
    distance_from_tables,
    distance_tables,
    distance_to,
    issue_positions,
)
from backchannel.agents.views import Offer, PartyView, read_only
from backchannel.space.issues import DiscreteIssue, NumericIssue
from backchannel.space.outcomes import OutcomeSpace


def space_of(sizes: list[int], numeric: list[bool]) -> OutcomeSpace:
    issues = []
    for k, (size, is_numeric) in enumerate(zip(sizes, numeric, strict=True)):
        if is_numeric:
            issues.append(NumericIssue.from_range(f"n{k}", f"n{k}", 0, size - 1, 1))
        else:
            issues.append(DiscreteIssue(f"d{k}", f"d{k}", tuple(f"o{j}" for j in range(size))))
    return OutcomeSpace(tuple(issues))


def brute_force(space, utilities, acceptable, target, latest) -> int:
    """The rule spelled out: acceptable outcomes worth the target; with an offer received, the
    nearest to it, then the best for us, then the lowest index; without one, the least good
    enough (lowest index on ties); when none is good enough, the best acceptable one."""
    rows = space.positions(np.arange(space.size))
    scale = [max(issue.size - 1, 1) for issue in space.issues]
    ordered = [isinstance(issue, NumericIssue) for issue in space.issues]

    def distance(a: int, b: int) -> Fraction:  # exact: equal distances are equal
        parts = [
            Fraction(abs(int(x) - int(y)), scale[k]) if ordered[k] else Fraction(int(x != y))
            for k, (x, y) in enumerate(zip(rows[a], rows[b], strict=True))
        ]
        return sum(parts, Fraction(0))

    allowed = [int(i) for i in np.flatnonzero(acceptable)]
    good = [i for i in allowed if utilities[i] >= target - 1e-12]
    if not allowed:
        return int(np.argmax(utilities))
    if not good:
        return min(allowed, key=lambda i: (-utilities[i], i))
    if latest is None:
        return min(good, key=lambda i: (utilities[i], i))
    return min(good, key=lambda i: (distance(latest, i), -utilities[i], i))


# The ranking measures distance three ways: from per-issue tables, to all its outcomes, or (in
# huge spaces) to each query's candidates only; and it searches Python lists, or arrays when
# there are many outcomes. Lowering the limits forces each way.
DISTANCE_WAYS = {
    "tables": {},
    "no tables": {"tables_fit": lambda space, outcomes: False},
    "huge": {
        "tables_fit": lambda space, outcomes: False,
        "FULL_DISTANCE_LIMIT": -1,
        "LIST_LIMIT": -1,
    },
    "arrays": {"LIST_LIMIT": -1},
}


@settings(max_examples=150, deadline=None)
@given(
    way=st.sampled_from(sorted(DISTANCE_WAYS)),
    sizes=st.lists(st.integers(1, 11), min_size=1, max_size=3),
    numeric_seed=st.integers(0, 7),
    seed=st.integers(0, 2**31 - 1),
    levels=st.integers(1, 6),  # few utility levels: many ties
    target=st.floats(-0.1, 1.1),
    with_latest=st.booleans(),
)
def test_ranked_choice_equals_the_scan_and_the_rule(
    way, sizes, numeric_seed, seed, levels, target, with_latest
) -> None:
    space = space_of(sizes, [bool(numeric_seed >> k & 1) for k in range(len(sizes))])
    rng = np.random.default_rng(seed)
    utilities = rng.integers(0, levels + 1, space.size) / levels
    acceptable = rng.random(space.size) < 0.8
    latest = int(rng.integers(space.size)) if with_latest else None
    received = (Offer("other", latest, 0.0),) if latest is not None else ()

    def view(u: np.ndarray, a: np.ndarray) -> PartyView:
        return PartyView("me", space, u, a, 0.0, 0.5, 0.0, 1, received, ())

    scanned = offer_for_target(view(utilities.copy(), acceptable.copy()), target)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in DISTANCE_WAYS[way].items():
            patch.setattr(ranking, name, value)
        shared = view(read_only(utilities), read_only(acceptable))
        ranked = offer_for_target(shared, target)
        assert ranking.ranking_of(shared) is not None, "read-only arrays are ranked"
    assert ranked == scanned == brute_force(space, utilities, acceptable, target, latest)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=9),
    numeric_seed=st.integers(0, 511),
    seed=st.integers(0, 2**31 - 1),
)
def test_distance_tables_give_the_same_numbers_as_the_direct_sum(sizes, numeric_seed, seed) -> None:
    space = space_of(sizes, [bool(numeric_seed >> k & 1) for k in range(len(sizes))])
    rng = np.random.default_rng(seed)
    outcomes = rng.permutation(space.size)[: max(1, space.size // 2)]
    latest = int(rng.integers(space.size))
    tables = distance_tables(space, outcomes)
    positions = issue_positions(space)
    from_tables = distance_from_tables(tables, positions[latest])
    assert from_tables.tolist() == distance_to(space, latest, outcomes).tolist()


def test_the_cache_of_rankings_keeps_within_its_budget(monkeypatch) -> None:
    monkeypatch.setattr(ranking, "_RANKINGS", type(ranking._RANKINGS)())
    monkeypatch.setattr(ranking, "BYTES_KEPT", 5000)
    space = space_of([5, 6], [False, True])
    rng = np.random.default_rng(0)
    views = []
    for _ in range(6):
        utilities = read_only(rng.random(space.size))
        acceptable = read_only(np.ones(space.size, dtype=bool))
        views.append(PartyView("me", space, utilities, acceptable, 0.0, 0.5, 0.0, 1, (), ()))
        ranking.ranking_of(views[-1])
        assert sum(kept.footprint for kept in ranking._RANKINGS.values()) <= 5000
    assert ranking.ranking_of(views[-1]) is next(reversed(ranking._RANKINGS.values()))


def test_distances_that_are_equal_as_fractions_are_equal() -> None:
    # 0.1 + 0.2 and 0.3 of a span differ in floating point; the distances must not.
    space = space_of([11, 11, 11], [True, True, True])
    here = space.index_of_positions(np.array([[0, 0, 0]]))[0]
    there = space.index_of_positions(np.array([[1, 2, 0], [3, 0, 0], [0, 0, 4]]))
    near, same, farther = distance_to(space, int(here), there)
    assert near == same < farther
