"""The pairwise-interaction utility: vectorised evaluation matches brute force."""

from __future__ import annotations

import itertools

import numpy as np

from backchannel.space.interaction import random_interaction_utility
from backchannel.space.issues import DiscreteIssue
from backchannel.space.outcomes import OutcomeSpace


def test_over_space_matches_a_brute_force_sum_and_spans_zero_to_one() -> None:
    space = OutcomeSpace(
        (
            DiscreteIssue("a", "a", ("x", "y")),
            DiscreteIssue("b", "b", ("x", "y", "z")),
            DiscreteIssue("c", "c", ("x", "y")),
        )
    )
    utility = random_interaction_utility(space, np.random.default_rng(3), interaction=2.0)
    brute = []
    for position in itertools.product(*(range(i.size) for i in space.issues)):
        raw = sum(t[p] for t, p in zip(utility.tables, position, strict=True))
        raw += sum(table[position[i], position[k]] for i, k, table in utility.pairs)
        brute.append((raw - utility.low) / (utility.high - utility.low))
    values = utility.over_space(space)
    assert np.allclose(values, brute)
    assert np.allclose(utility.evaluate(space.positions(np.arange(space.size))), brute)
    assert values.min() == 0.0 and values.max() == 1.0
    assert utility.allowed_over_space(space).all()
