"""Whole-scenario analysis: chunked walking agrees with brute force over the full matrix."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.analysis.outcome_space import analyze_space, distance_to_frontier
from backchannel.analysis.pareto import pareto_mask
from backchannel.analysis.solutions import agreeable_mask, nash_index
from backchannel.scenario.model import Channel, Party, Scenario
from backchannel.space.issues import DiscreteIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility


@st.composite
def random_scenarios(draw: st.DrawFn) -> Scenario:
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    issues = tuple(
        DiscreteIssue(f"i{k}", f"issue {k}", tuple(f"o{j}" for j in range(n)))
        for k, n in enumerate(sizes)
    )
    space = OutcomeSpace(issues)
    parties = []
    for p in range(2):
        seed = draw(st.integers(0, 10_000))
        rng = np.random.default_rng(seed)
        weights = rng.dirichlet(np.ones(len(sizes)))
        tables = tuple(rng.integers(0, 5, n) / 4 for n in sizes)
        forbidden = tuple(rng.random(n) < draw(st.sampled_from([0.0, 0.2])) for n in sizes)
        utility = LinearAdditiveUtility(weights, tables, forbidden)
        reservation = draw(st.sampled_from([0.0, 0.2, 0.4]))
        parties.append(Party(f"p{p}", f"P{p}", "linear", utility, reservation))
    return Scenario("random", "random", space, tuple(parties), Channel(), 10.0, 50, "p0")


def brute_force_positions(space: OutcomeSpace) -> np.ndarray:
    return np.array(list(np.ndindex(*space.shape)))


@settings(max_examples=80, deadline=None)
@given(random_scenarios(), st.integers(1, 7))
def test_chunked_analysis_matches_brute_force(scenario: Scenario, chunk: int) -> None:
    positions = brute_force_positions(scenario.space)
    utilities = np.stack(
        [
            [
                p.utility.weights @ [t[k] for t, k in zip(p.utility.tables, row, strict=True)]
                for row in positions
            ]
            for p in scenario.parties
        ],
        axis=1,
    )
    allowed = np.array(
        [
            [
                not any(m[k] for m, k in zip(p.utility.forbidden, row, strict=True))
                for p in scenario.parties
            ]
            for row in positions
        ]
    )
    assert np.allclose(scenario.utilities, utilities)
    agreeable = agreeable_mask(utilities, scenario.reservations, allowed)
    analysis = analyze_space(scenario, chunk_size=chunk)
    assert analysis.zopa_size == int(agreeable.sum())
    rows = np.flatnonzero(agreeable)
    expected = set(rows[pareto_mask(utilities[rows])].tolist())
    assert set(analysis.frontier.tolist()) == expected
    nash = nash_index(utilities, scenario.reservations, agreeable)
    if nash is None:
        assert analysis.nash is None
    else:
        gains = np.prod(utilities[analysis.nash] - scenario.reservations)
        assert np.isclose(gains, np.prod(utilities[nash] - scenario.reservations))


def test_distance_to_frontier_is_zero_on_it_and_positive_below_it(fixtures) -> None:
    from backchannel.scenario.loader import load_scenario

    scenario = load_scenario(fixtures / "split.yaml")
    analysis = analyze_space(scenario)
    on = analysis.frontier_utilities[3]
    assert distance_to_frontier(analysis, on) == 0.0
    assert distance_to_frontier(analysis, on - 0.1) > 0.0


@st.composite
def scenario_and_order(draw: st.DrawFn) -> tuple[Scenario, Scenario, np.ndarray]:
    """A scenario with decimal weights and values (the kind whose float sums depend on the
    order of the issues) and the same scenario with its issues in another order."""
    sizes = draw(st.lists(st.integers(2, 4), min_size=2, max_size=5))
    order = np.array(draw(st.permutations(range(len(sizes)))))
    decimals = st.sampled_from([0.0, 0.1, 0.15, 0.2, 0.3, 0.35, 0.6, 0.7, 0.9, 1.0])
    parties = []
    for _party in range(2):
        raw = [draw(st.integers(1, 9)) for _ in sizes]
        weights = np.array(raw) / sum(raw)
        tables = [np.array([draw(decimals) for _ in range(n)]) for n in sizes]
        reservation = draw(st.sampled_from([0.0, 0.3, 0.45, 0.5]))
        parties.append((weights, tables, reservation))

    def build(permutation: np.ndarray) -> Scenario:
        issues = tuple(
            DiscreteIssue(f"i{k}", f"issue {k}", tuple(f"o{j}" for j in range(sizes[k])))
            for k in permutation
        )
        built = [
            Party(
                f"p{p}",
                f"P{p}",
                "linear",
                LinearAdditiveUtility(weights[permutation], tuple(tables[k] for k in permutation)),
                reservation,
            )
            for p, (weights, tables, reservation) in enumerate(parties)
        ]
        space = OutcomeSpace(issues)
        return Scenario("random", "random", space, tuple(built), Channel(), 10.0, 50, "p0")

    return build(np.arange(len(sizes))), build(order), order


@settings(max_examples=80, deadline=None)
@given(scenario_and_order())
def test_analysis_does_not_depend_on_the_order_of_the_issues(case) -> None:
    """Frontier, zone and solutions are the same packages whatever the issue order, and the
    frontier matches brute force at the stated resolution."""
    scenario, permuted, order = case

    def packages(model: Scenario, indices, issue_order) -> set[tuple[int, ...]]:
        if len(indices) == 0:
            return set()
        positions = model.space.positions(np.asarray(indices, dtype=np.int64))
        # back to the original issue order: column k of ``positions`` is issue issue_order[k]
        original = np.empty_like(positions)
        original[:, issue_order] = positions
        return {tuple(int(v) for v in row) for row in original}

    plain, other = analyze_space(scenario), analyze_space(permuted)
    identity = np.arange(len(order))
    assert plain.zopa_size == other.zopa_size
    assert packages(scenario, plain.frontier, identity) == packages(permuted, other.frontier, order)
    for name in ("nash", "kalai_smorodinsky", "utilitarian"):
        a, b = getattr(plain, name), getattr(other, name)
        assert (a is None) == (b is None)
        if a is not None:
            assert packages(scenario, [a], identity) == packages(permuted, [b], order)
    # brute force: every agreeable package no other agreeable package dominates (rounded)
    utilities = np.round(scenario.utilities, 12)
    agreeable = (utilities >= np.round(scenario.reservations, 12)).all(axis=1)
    rows = np.flatnonzero(agreeable)
    values = utilities[rows]
    at_least = (values[None, :, :] >= values[:, None, :]).all(axis=2)
    better = (values[None, :, :] > values[:, None, :]).any(axis=2)
    expected = rows[~(at_least & better).any(axis=1)]
    assert sorted(plain.frontier.tolist()) == sorted(expected.tolist())


@settings(max_examples=40, deadline=None)
@given(random_scenarios())
def test_the_analysis_is_the_same_from_the_utility_functions_or_the_built_matrix(
    scenario: Scenario,
) -> None:
    """One chunk reads each party's utilities from its function unless the scenario's utility
    matrix is already built; both give the same analysis, array for array."""
    from_functions = analyze_space(scenario)
    assert "utilities" not in vars(scenario)  # the matrix was not built for it
    scenario.utilities  # noqa: B018 - build the cached matrix
    from_matrix = analyze_space(scenario)
    for field in ("outcome_count", "zopa_size", "nash", "kalai_smorodinsky", "utilitarian"):
        assert getattr(from_functions, field) == getattr(from_matrix, field)
    for field in ("frontier", "frontier_utilities", "ideal"):
        mine, theirs = getattr(from_functions, field), getattr(from_matrix, field)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert mine.dtype == theirs.dtype and mine.tobytes() == theirs.tobytes()


def test_packages_of_equal_utilities_are_told_apart_by_their_terms_not_the_issue_order() -> None:
    """("a1", "b0") and ("a0", "b1") give both parties 0.5: both are the Nash,
    Kalai-Smorodinsky and utilitarian solution. The outcome order puts a different one first
    when the file lists issue b before a; the answer is the same package either way."""

    def scenario(issue_ids: tuple[str, str]) -> Scenario:
        issues = tuple(DiscreteIssue(i, i, (f"{i}0", f"{i}1")) for i in issue_ids)
        rising, falling = np.array([0.0, 1.0]), np.array([1.0, 0.0])
        parties = tuple(
            Party(p, p, "linear", LinearAdditiveUtility(np.array([0.5, 0.5]), (table, table)), 0.0)
            for p, table in (("p0", rising), ("p1", falling))
        )
        return Scenario("tie", "tie", OutcomeSpace(issues), parties, Channel(), 10.0, 50, "p0")

    chosen = []
    for order in (("a", "b"), ("b", "a")):
        model = scenario(order)
        analysis = analyze_space(model)
        picked = {
            name: model.space.outcome(getattr(analysis, name))
            for name in ("nash", "kalai_smorodinsky", "utilitarian")
        }
        assert set(picked["nash"].values()) <= {"a0", "a1", "b0", "b1"}
        chosen.append(picked)
    assert chosen[0] == chosen[1]
    assert chosen[0]["nash"] == {"a": "a0", "b": "b1"}  # the first by its terms, issue a first
