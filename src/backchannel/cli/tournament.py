"""``backchannel tournament``: every pairing of strategies, both roles, ranked with intervals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from backchannel.cli.choices import BACKENDS
from backchannel.cli.common import (
    LOAD_OPTION,
    SEED_OPTION,
    UsageProblem,
    check_output_file,
    console,
    print_json,
    progress_bar,
    user_errors,
)

if TYPE_CHECKING:
    from backchannel.experiments.tournament import Tournament

DEFAULT_STRATEGIES = "boulware,linear,conceder,tit-for-tat,hardliner"


def tournament(
    strategies: str = typer.Option(
        DEFAULT_STRATEGIES, "--strategies", help="Comma-separated strategy names."
    ),
    scenarios: str = typer.Option(
        "iran-us", "--scenarios", help="Comma-separated bundled names or scenario files."
    ),
    protocols: str = typer.Option("shuttle", "--protocols", help="Comma-separated protocols."),
    repetitions: int = typer.Option(
        10, "--repetitions", "-n", metavar="N", help="Runs per pairing."
    ),
    seed: int = SEED_OPTION,
    load: list[str] = LOAD_OPTION,
    out: Path = typer.Option(
        None, "--out", metavar="FILE", help="Write one row per run (.parquet or .csv)."
    ),
    plot: Path = typer.Option(
        None, "--plot", metavar="FILE.png", help="Write the ranking to a .png/.svg/.pdf."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the ranking as JSON."),
    backend: str = typer.Option("local", "--backend", help=f"One of: {', '.join(BACKENDS)}."),
    workers: int = typer.Option(None, "--workers", help="Processes for --backend process."),
    ray_address: str = typer.Option(
        None, "--ray-address", help="Ray cluster for --backend ray (e.g. ray://host:10001)."
    ),
) -> None:
    """Play every pairing of strategies in both roles and rank them with 95% intervals."""
    from backchannel.experiments.results import write_results
    from backchannel.experiments.tournament import (
        load_strategies,
        plan_tournament,
        run_tournament,
    )
    from backchannel.protocols import runner
    from backchannel.scenario.loader import load_scenario

    with user_errors(), _errors():
        check_output_file(out, "--out", (".parquet", ".csv"))
        check_output_file(plot, "--plot")
        if ray_address and backend != "ray":
            raise UsageProblem("--ray-address only applies with --backend ray")
        load_strategies(load)
        names = _split(strategies, "--strategies")
        chosen = _split(protocols, "--protocols")
        for protocol in chosen:
            if protocol not in runner.PROTOCOLS:
                raise UsageProblem(
                    f"unknown protocol '{protocol}' in --protocols; choose from: "
                    f"{', '.join(runner.PROTOCOLS)}"
                )
        models = [load_scenario(s) for s in _split(scenarios, "--scenarios")]
        plan = plan_tournament(models, names, chosen, repetitions, seed, load)
        with progress_bar(plan.runs, not json_output, "negotiations") as advance:
            result = run_tournament(
                plan, backend=backend, workers=workers, ray_address=ray_address, progress=advance
            )
        if out is not None:
            write_results(result.rows, out)
        if plot is not None:
            from backchannel.report.tournament_plot import plot_tournament

            plot_tournament(result, plot)
    if json_output:
        print_json(tournament_document(result, out, plot))
        return
    _print(result, out, plot)


def tournament_document(result: Tournament, out: Path | None, plot: Path | None) -> dict:
    plan = result.plan
    return {
        "scenarios": [s.name for s in plan.scenarios],
        "protocols": sorted({m.protocol for m in plan.matches}),
        "strategies": [s.strategy for s in result.standings],
        "repetitions": plan.repetitions,
        "seed": plan.seed,
        "runs": len(result.rows),
        "engines": result.engines,
        "notes": result.notes,
        "ranking": [s.to_dict() for s in result.standings],
        "results_file": str(out) if out else None,
        "plot": str(plot) if plot else None,
    }


def _print(result: Tournament, out: Path | None, plot: Path | None) -> None:
    from rich.table import Table

    plan = result.plan
    table = Table(
        title=f"Tournament ranking: {len(result.rows)} negotiations "
        f"({len(plan.matches)} pairings x {plan.repetitions} repetitions, seed {plan.seed})"
    )
    for column in ("rank", "strategy", "seats", "mean payoff", "agreement rate", "welfare"):
        justify = "left" if column == "strategy" else "right"
        table.add_column(column, justify=justify, no_wrap=True)
    for rank, s in enumerate(result.standings, start=1):
        table.add_row(
            str(rank),
            s.strategy,
            str(s.seats),
            f"{s.utility:.3f} ± {s.utility_ci:.3f}",
            f"{s.agreement_rate:.1%} ± {s.agreement_ci:.1%}",
            f"{s.welfare:.3f} ± {s.welfare_ci:.3f}",
        )
    console.print(table)
    console.print("± is the half-width of a 95% confidence interval (1.96 standard errors).")
    console.print(f"Engine: {_engines(result)}.")
    for note in result.notes:
        console.print(f"Note: {note}.", soft_wrap=True)
    if out is not None:
        console.print(f"One row per run written to {out}.")
    if plot is not None:
        console.print(f"Ranking plot written to {plot}.")


def _engines(result: Tournament) -> str:
    """Which engine played how many runs (the batch engine where it applies)."""
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[str(row["engine"])] = counts.get(str(row["engine"]), 0) + 1
    return ", ".join(f"{name} {count} runs" for name, count in sorted(counts.items()))


def _split(text: str, flag: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise UsageProblem(f"{flag} lists nothing; give comma-separated names")
    return list(dict.fromkeys(items))


@contextmanager
def _errors() -> Iterator[None]:
    from backchannel.experiments.executors import BackendUnavailable
    from backchannel.experiments.results import ResultsError
    from backchannel.experiments.tournament import TournamentError

    try:
        yield
    except (TournamentError, BackendUnavailable, ResultsError) as error:
        raise UsageProblem(str(error)) from None


def register(app: typer.Typer) -> None:
    app.command()(tournament)
