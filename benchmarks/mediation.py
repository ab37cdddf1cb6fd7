"""Mediation protocols measured: the Klein et al. (2003) annealing result over many seeds, and
the flagship under every protocol (agreement rate, simulated days, joint utility, vetoes).

Run: ``python benchmarks/mediation.py [--seeds N]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.generated import complex_contract
from backchannel.scenario.loader import load_scenario

FLAGSHIP = [
    ("shuttle via oman", RunOptions(protocol="shuttle")),
    ("shuttle via qatar, oman", RunOptions(protocol="shuttle", via=("qatar", "oman"))),
    ("shuttle, mediator rewords", RunOptions(protocol="shuttle", mediator="reword")),
    ("single-text, annealing", RunOptions(protocol="single-text")),
    ("single-text, hill-climbing", RunOptions(protocol="single-text", mediator="hill-climbing")),
    ("confidential, Nash", RunOptions(protocol="confidential")),
]


def klein(seeds: int) -> None:
    print("| single-text mediator | mean joint welfare | agreements | seconds per run |")
    print("| --- | --- | --- | --- |")
    for mediator in ("hill-climbing", "annealing"):
        start, values, agreed = time.perf_counter(), [], 0
        for seed in range(seeds):
            options = RunOptions(protocol="single-text", mediator=mediator, seed=seed)
            result = run_negotiation(complex_contract(seed), options).result
            assert result is not None
            agreed += result.agreement is not None
            values.append(sum(result.utilities.values()))
        per_run = (time.perf_counter() - start) / seeds
        print(f"| {mediator} | {np.mean(values):.3f} | {agreed}/{seeds} | {per_run:.3f} |")


def flagship(seeds: int) -> None:
    scenario = load_scenario("iran-us-2025")
    print("\n| iran-us-2025 protocol | agreements | median days | mean joint utility | vetoes |")
    print("| --- | --- | --- | --- | --- |")
    for label, base in FLAGSHIP:
        runs = [
            run_negotiation(scenario, RunOptions(**{**base.__dict__, "seed": seed}))
            for seed in range(seeds)
        ]
        deals = [t.result for t in runs if t.result and t.result.agreement is not None]
        days = np.median([r.time_hours / 24 for r in deals]) if deals else float("nan")
        joint = np.mean([sum(r.utilities.values()) for r in deals]) if deals else float("nan")
        vetoes = sum(bool(t.of_kind("ratification_failed")) for t in runs)
        print(f"| {label} | {len(deals)}/{seeds} | {days:.0f} | {joint:.3f} | {vetoes} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    klein(args.seeds)
    flagship(args.seeds)
