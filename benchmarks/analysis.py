"""Time Pareto frontier + Nash for two parties on 10^3, 10^5 and 10^6 outcomes.

Run: python benchmarks/analysis.py
"""

from __future__ import annotations

import time

import numpy as np

from backchannel.analysis.outcome_space import analyze_space
from backchannel.scenario.model import Channel, Party, Scenario
from backchannel.space.issues import DiscreteIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility


def random_scenario(issue_sizes: list[int], seed: int = 0) -> Scenario:
    """A bilateral linear-additive scenario with random weights and value tables."""
    rng = np.random.default_rng(seed)
    issues = tuple(
        DiscreteIssue(f"i{k}", f"issue {k}", tuple(f"v{j}" for j in range(n)))
        for k, n in enumerate(issue_sizes)
    )
    parties = tuple(
        Party(
            id=f"p{p}",
            name=f"party {p}",
            strategy="linear",
            utility=LinearAdditiveUtility(
                rng.dirichlet(np.ones(len(issue_sizes))),
                tuple(rng.random(n) for n in issue_sizes),
            ),
            reservation=0.3,
        )
        for p in range(2)
    )
    return Scenario("bench", "bench", OutcomeSpace(issues), parties, Channel(), 10.0, 100, "p0")


SIZES = {10**3: [10, 10, 10], 10**5: [10] * 5, 10**6: [10] * 6}


def best_of(repeats: int, scenario_sizes: list[int]) -> tuple[float, int]:
    times, frontier = [], 0
    for _ in range(repeats):
        scenario = random_scenario(scenario_sizes)  # fresh: utilities are computed inside
        start = time.perf_counter()
        analysis = analyze_space(scenario)
        times.append(time.perf_counter() - start)
        frontier = len(analysis.frontier)
    return min(times), frontier


def main() -> None:
    print("utilities + frontier + Nash, best of 3")
    print(f"{'outcomes':>10} {'seconds':>9} {'frontier':>9}")
    for count, sizes in SIZES.items():
        seconds, frontier = best_of(3, sizes)
        print(f"{count:>10,} {seconds:>9.4f} {frontier:>9}")


if __name__ == "__main__":
    main()
