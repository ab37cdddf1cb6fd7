"""Boulware, linear and conceder in Backchannel and in NegMAS, on the same scenarios.

The aspiration curves are the same (``1 - t**e`` with e = 4, 1 and 0.25). The negotiations
are not step-for-step identical, for reasons docs/crosscheck.md lists precisely:

1. after the first offer, Backchannel picks, among outcomes worth at least its target, the one
   nearest the other side's latest offer; NegMAS offers the least valuable of them;
2. Backchannel accepts what meets its target or beats its own next offer (AC_next); NegMAS
   accepts what is within 1e-4 of its target;
3. time: Backchannel's round ``k`` of ``R`` (one offer each) is at ``k / R``; NegMAS's step
   ``s`` of ``S`` (one offer from each side) is at ``(s + 1) / (S + 1)``;
4. the floor of the curve: Backchannel concedes down to the reservation value; NegMAS down to
   the larger of the reservation value and the party's worst utility.

So the test checks what must hold in both, and pins which negotiations coincide exactly (same
number of offers, same agreement): a change in either library shows up here.
"""

from __future__ import annotations

import numpy as np
import pytest

from backchannel.agents.components import aspiration
from backchannel.agents.registry import create_strategy
from backchannel.protocols.runner import RunOptions, run_negotiation

from .pairs import make_uniform_pair

pytestmark = pytest.mark.crosscheck
NAMES = ("boulware", "linear", "conceder")
SEEDS = (1, 2)
# (seed, first party's strategy, second party's strategy) that play out identically
IDENTICAL = {
    (1, "boulware", "boulware"),
    (1, "boulware", "linear"),
    (1, "boulware", "conceder"),
}


def negmas_class(name: str):
    from negmas.sao.negotiators import (
        BoulwareTBNegotiator,
        ConcederTBNegotiator,
        LinearTBNegotiator,
    )

    return {
        "boulware": BoulwareTBNegotiator,
        "linear": LinearTBNegotiator,
        "conceder": ConcederTBNegotiator,
    }[name]


def test_same_aspiration_curves(negmas):
    from negmas.negotiators.helpers import PolyAspiration

    for name in NAMES:
        ours = create_strategy(name)
        theirs = PolyAspiration(1.0, name)
        for t in np.linspace(0, 1, 101):
            assert aspiration(t, ours.exponent) == pytest.approx(theirs.utility_at(t), abs=1e-15)


def play_both(pair, first: str, second: str):
    from negmas.sao import SAOMechanism

    mechanism = SAOMechanism(outcome_space=pair.outcome_space, n_steps=100)
    mechanism.add(negmas_class(first)(name="a"), ufun=pair.ufuns[0])
    mechanism.add(negmas_class(second)(name="b"), ufun=pair.ufuns[1])
    mechanism.run()
    a, b = pair.ours.party_ids
    result = run_negotiation(
        pair.ours, RunOptions(protocol="direct", strategies={a: first, b: second})
    ).result
    return mechanism, result


def test_agreements_and_rounds(tmp_path, negmas):
    identical = set()
    for seed in SEEDS:
        pair = make_uniform_pair((6, 7, 8), seed, tmp_path / str(seed), rounds=200)
        reservations = pair.ours.reservations
        for first in NAMES:
            for second in NAMES:
                mechanism, result = play_both(pair, first, second)
                agreement = mechanism.state.agreement
                assert agreement is not None and result.agreement is not None
                theirs = np.array([float(u(agreement)) for u in pair.ufuns])
                ours = np.array([result.utilities[p] for p in pair.ours.party_ids])
                assert np.all(theirs >= reservations - 1e-9)
                assert np.all(ours >= reservations - 1e-12)
                offers = len(mechanism.full_trace)
                if offers == result.rounds and np.allclose(ours, theirs, atol=1e-9):
                    identical.add((seed, first, second))
    assert identical == IDENTICAL
