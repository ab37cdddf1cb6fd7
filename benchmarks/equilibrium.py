"""What equilibrium play gives on the flagship (and on its seed-only version).

Complete information: both sides' utilities, alternating offers through Oman (one exchange
every four days: 72 hours to carry a message, 24 to answer), at most 45 exchanges in the 180
days, Iran proposing first, each side's daily time discount compounded over an exchange, red
lines respected, ratifiers not consulted. Solved by backward induction
(``backchannel.agents.equilibrium.backward_induction``).

    python benchmarks/equilibrium.py
"""

from __future__ import annotations

from backchannel.agents.equilibrium import backward_induction
from backchannel.scenario.loader import load_scenario

DAYS_PER_EXCHANGE = 4.0
EXCHANGES = 45


def main() -> None:
    print("| scenario | agreed in round 1 | u(us) | u(iran) | terms |")
    print("| --- | --- | --- | --- | --- |")
    for name in ("iran-us", "iran-us-2025"):
        scenario = load_scenario(name)
        discounts = tuple(p.time_discount**DAYS_PER_EXCHANGE for p in scenario.parties)
        path = backward_induction(
            scenario.utilities,
            scenario.reservations,
            rounds=EXCHANGES,
            first=scenario.party_index(scenario.first_mover),
            discounts=discounts,  # type: ignore[arg-type]
            offerable=scenario.allowed.all(axis=1),
        )
        us, iran = path.values[0]
        terms = scenario.space.describe(int(path.offers[0]))
        print(f"| {name} | {bool(path.accepted[0])} | {us:.3f} | {iran:.3f} | {terms} |")


if __name__ == "__main__":
    main()
