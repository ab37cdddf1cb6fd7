"""Scenarios built in code rather than read from a file: research test beds.

``complex_contract`` is the test bed of Klein, Faratin, Sayama and Bar-Yam (2003), "Negotiating
complex contracts": many binary clauses whose values interact pairwise, so each party's utility
landscape is rugged (see ``backchannel.space.interaction``).
"""

from __future__ import annotations

import numpy as np

from backchannel.scenario.model import Channel, Intermediary, Party, Scenario
from backchannel.space.interaction import random_interaction_utility
from backchannel.space.issues import DiscreteIssue
from backchannel.space.outcomes import OutcomeSpace


def complex_contract(
    seed: int, clauses: int = 10, rounds: int = 150, strategy: str = "boulware"
) -> Scenario:
    """Two parties, ``clauses`` binary clauses, random pairwise-interacting utilities drawn
    from ``seed``; an instant mediator and a deadline of ``rounds`` exchanges."""
    space = OutcomeSpace(
        tuple(DiscreteIssue(f"c{k}", f"clause {k}", ("out", "in")) for k in range(clauses))
    )
    rng = np.random.default_rng(seed)
    parties = tuple(
        Party(
            id=pid,
            name=pid,
            strategy=strategy,
            utility=random_interaction_utility(space, rng),  # type: ignore[arg-type]
            reservation=0.0,
        )
        for pid in ("a", "b")
    )
    return Scenario(
        name="complex-contract",
        title="Complex contract (Klein et al. 2003)",
        space=space,
        parties=parties,
        channel=Channel(
            direct_delay_hours=0.0,
            intermediaries=(Intermediary("mediator", "mediator", 0.0),),
            default_route="mediator",
        ),
        deadline_days=1.0,
        max_rounds=rounds,
        first_mover="a",
    )
