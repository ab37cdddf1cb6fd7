"""What equilibrium play gives on the flagship (and on its seed-only version).

Complete information: both sides' utilities, alternating offers through Oman (one exchange
every four days: 72 hours to carry a message, 24 to answer), at most 45 exchanges in the 180
days, Iran proposing first, each side's daily time discount compounded over an exchange, red
lines respected, ratifiers not consulted. Solved by backward induction
(``backchannel.agents.equilibrium.backward_induction``), once without a breakdown hazard and,
where the scenario declares one, once with it: the chance that a rejected exchange ends the
talks (its per-day hazard over the four days, plus its per-round chance at the start) and the
payoffs it declares for a collapse.

    python benchmarks/equilibrium.py
"""

from __future__ import annotations

import numpy as np

from backchannel.agents.equilibrium import backward_induction
from backchannel.protocols.breakdown import Hazard
from backchannel.scenario.loader import load_scenario

DAYS_PER_EXCHANGE = 4.0
EXCHANGES = 45


def main() -> None:
    print("| scenario | hazard per exchange | agreed in round 1 | u(us) | u(iran) | terms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("iran-us", "iran-us-2025"):
        scenario = load_scenario(name)
        hazard = Hazard.of(scenario)
        settings = [(0.0, None)]
        if hazard is not None:
            payoffs = np.array(
                [hazard.payoffs.get(p.id, p.reservation) for p in scenario.parties], dtype=float
            )
            settings.append((hazard.chance(0.0, DAYS_PER_EXCHANGE * 24.0), payoffs))
        for chance, payoffs in settings:
            discounts = tuple(p.time_discount**DAYS_PER_EXCHANGE for p in scenario.parties)
            path = backward_induction(
                scenario.utilities,
                scenario.reservations,
                rounds=EXCHANGES,
                first=scenario.party_index(scenario.first_mover),
                breakdown=chance,
                discounts=discounts,  # type: ignore[arg-type]
                offerable=scenario.allowed.all(axis=1),
                collapse_values=payoffs,
            )
            us, iran = path.values[0]
            terms = scenario.space.describe(int(path.offers[0]))
            accepted = bool(path.accepted[0])
            print(f"| {name} | {chance:.4f} | {accepted} | {us:.3f} | {iran:.3f} | {terms} |")


if __name__ == "__main__":
    main()
