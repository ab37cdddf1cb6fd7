"""Batch engine benchmarks: negotiations per second, and 100,000 flagship runs with uncertainty.

    python benchmarks/batch.py            # full sizes (about a minute)
    python benchmarks/batch.py --quick    # smaller sizes, for a smoke test

(a) A 1,000-outcome scenario (three issues of ten values, opposed preferences), 100 rounds,
    Boulware vs conceder, alternating offers on a direct line: the step engine, the batch
    engine (identical runs, and runs with uncertain reservation values) and, when installed,
    NegMAS's SAO mechanism with its Boulware and conceder time-based negotiators.
(b) 100,000 negotiations of the seed-only flagship (iran-us-2025) through Oman, an uncertainty block
    (both reservation values ~ normal(sd 0.05), Oman's delay ~ uniform(48, 96) hours), drawn
    per run as ``compare`` draws them, with the flagship's shipped timeline (the batch engine
    follows it run by run) and Iran's ratifier (the Supreme Leader's veto): wall time and peak
    memory (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

from rich.console import Console
from rich.table import Table

from backchannel.experiments.batch import run_batch
from backchannel.experiments.plan import job_rng, run_seeds
from backchannel.experiments.uncertainty import draw_scenario
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.loader import compile_spec, load_spec, resolve
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec

PAIR = {"a": "boulware", "b": "conceder"}


def thousand_outcomes(uncertain: bool = False) -> Scenario:
    issues = [{"id": f"i{k}", "range": {"min": 0, "max": 9, "step": 1}} for k in range(3)]
    weights = {"a": [0.5, 0.3, 0.2], "b": [0.2, 0.3, 0.5]}
    parties = []
    for pid, rising in (("a", True), ("b", False)):
        values = {
            f"i{k}": [[0, 0.0 if rising else 1.0], [9, 1.0 if rising else 0.0]] for k in range(3)
        }
        parties.append(
            {
                "id": pid,
                "reservation": 0.2,
                "preferences": {
                    "weights": dict(zip(values, weights[pid], strict=True)),
                    "values": values,
                },
            }
        )
    data: dict[str, Any] = {
        "name": "bench-1000",
        "issues": issues,
        "parties": parties,
        "channel": {"direct_delay_hours": 1},
        "negotiation": {"deadline_days": 1000, "max_rounds": 100},
    }
    if uncertain:
        spread = {"reservation": {"distribution": "uniform", "low": 0.0, "high": 0.4}}
        data["uncertainty"] = {"parties": {"a": spread, "b": spread}}
    return compile_spec(ScenarioSpec.model_validate(data))


def flagship_with_uncertainty() -> Scenario:
    spec = load_spec("iran-us-2025").model_dump(exclude_none=True)
    spec["uncertainty"] = {
        "parties": {
            "us": {"reservation": {"distribution": "normal", "sd": 0.05}},
            "iran": {"reservation": {"distribution": "normal", "sd": 0.05}},
        },
        "intermediaries": {
            "oman": {"delay_hours": {"distribution": "uniform", "low": 48, "high": 96}}
        },
    }
    return compile_spec(ScenarioSpec.model_validate(spec), str(resolve("iran-us-2025")))


def draw(scenario: Scenario, seed: int) -> Scenario:
    return draw_scenario(scenario, job_rng(seed, 0))


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def step_rate(scenario: Scenario, runs: int) -> float:
    start = time.perf_counter()
    for seed in range(runs):
        run_negotiation(scenario, RunOptions(protocol="direct", strategies=PAIR, seed=seed))
    return per_second(runs, time.perf_counter() - start)


def batch_rate(scenario: Scenario, runs: int, uncertain: bool) -> tuple[float, list[dict]]:
    seeds = [int(s) for s in run_seeds(0, runs)]
    start = time.perf_counter()
    rows = run_batch(scenario, "direct", PAIR, seeds, draw=draw if uncertain else None)
    assert {r["engine"] for r in rows} == {"batch"}
    return per_second(runs, time.perf_counter() - start), rows


def negmas_rate(runs: int) -> float | None:
    try:
        from negmas import (
            BoulwareTBNegotiator,
            ConcederTBNegotiator,
            LinearAdditiveUtilityFunction,
            SAOMechanism,
            make_issue,
        )
    except ImportError:
        return None
    issues = [make_issue(10, f"i{k}") for k in range(3)]
    start = time.perf_counter()
    for _ in range(runs):
        mechanism = SAOMechanism(issues=issues, n_steps=100)
        for weights, rising, negotiator in (
            ([0.5, 0.3, 0.2], True, BoulwareTBNegotiator),
            ([0.2, 0.3, 0.5], False, ConcederTBNegotiator),
        ):
            values = [{v: (v / 9 if rising else 1 - v / 9) for v in range(10)} for _ in issues]
            ufun = LinearAdditiveUtilityFunction(
                values=values, weights=weights, issues=issues, reserved_value=0.2
            )
            mechanism.add(negotiator(), ufun=ufun)
        mechanism.run()
    return per_second(runs, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args()
    sizes = (20, 2_000, 10, 2_000) if args.quick else (100, 100_000, 30, 100_000)
    step_runs, batch_runs, negmas_runs, flagship_runs = sizes
    console = Console()

    plain, uncertain = thousand_outcomes(), thousand_outcomes(uncertain=True)
    table = Table(title="(a) 1,000 outcomes, 100 rounds, Boulware vs conceder, direct")
    for column in ("engine", "runs", "negotiations / s", "vs NegMAS"):
        table.add_column(column, justify="right")
    negmas = negmas_rate(negmas_runs)
    results = [("step engine", step_runs, step_rate(plain, step_runs))]
    results.append(("batch, identical runs", batch_runs, batch_rate(plain, batch_runs, False)[0]))
    results.append(
        ("batch, uncertain reservations", batch_runs, batch_rate(uncertain, batch_runs, True)[0])
    )
    if negmas is not None:
        results.insert(0, ("NegMAS SAO", negmas_runs, negmas))
    for name, runs, rate in results:
        ratio = f"{rate / negmas:,.0f}x" if negmas else "n/a"
        table.add_row(name, f"{runs:,}", f"{rate:,.0f}", ratio)
    console.print(table)

    flagship = flagship_with_uncertainty()
    seeds = [int(s) for s in run_seeds(0, flagship_runs)]
    start = time.perf_counter()
    rows = run_batch(flagship, "shuttle", {}, seeds, via=("oman",), draw=draw)
    wall = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    agreed = sum(r["agreed"] for r in rows) / len(rows)
    table = Table(
        title="(b) flagship iran-us-2025 through Oman, timeline, uncertain reservations and delay"
    )
    for column in (
        "runs",
        "engine",
        "wall time (s)",
        "negotiations / s",
        "peak RSS (MiB)",
        "agreed",
    ):
        table.add_column(column, justify="right")
    engines = ",".join(sorted({r["engine"] for r in rows}))
    table.add_row(
        f"{len(rows):,}",
        engines,
        f"{wall:.1f}",
        f"{len(rows) / wall:,.0f}",
        f"{peak_mib:,.0f}",
        f"{agreed:.1%}",
    )
    console.print(table)


if __name__ == "__main__":
    main()
