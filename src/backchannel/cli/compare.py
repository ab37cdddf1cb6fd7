"""``backchannel compare``: every protocol many times on the same draws; the cost of indirection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from backchannel.cli.choices import BACKENDS, DEFAULT_CHUNK_SIZE, PROTOCOLS, VARIANTS
from backchannel.cli.common import (
    LOAD_OPTION,
    SCENARIO_ARGUMENT,
    SEED_OPTION,
    UsageProblem,
    check_output_file,
    console,
    load_user_strategies,
    open_scenario,
    parse_assignments,
    print_json,
    progress_bar,
    user_errors,
)

if TYPE_CHECKING:
    from rich.table import Table

    from backchannel.experiments.compare import Comparison
    from backchannel.scenario.model import Scenario


def compare(
    scenario: str = SCENARIO_ARGUMENT,
    protocols: str = typer.Option(
        None,
        "--protocols",
        "-p",
        metavar="LIST",
        help="Comma-separated PROTOCOL\\[@ROUTE]\\[:VARIANT], e.g. direct, shuttle, "
        f"shuttle@qatar, shuttle:loss=0.1; protocols: {', '.join(PROTOCOLS)}; variants: "
        f"{', '.join(VARIANTS)} \\[default: every protocol].",
    ),
    runs: int = typer.Option(100, "--runs", "-n", metavar="N", help="Runs per protocol."),
    seed: int = SEED_OPTION,
    via: list[str] = typer.Option(
        [], "--via", help="Route for mediated protocols without @ROUTE (repeat for a chain)."
    ),
    strategy: list[str] = typer.Option(
        [], "--strategy", "-s", help="PARTY=NAME, e.g. us=boulware (every run, every protocol)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    plot: Path = typer.Option(
        None, "--plot", metavar="FILE.png", help="Write the distributions to a .png/.svg/.pdf."
    ),
    out: Path = typer.Option(
        None, "--out", metavar="FILE", help="Write one row per run to a .parquet or .csv file."
    ),
    backend: str = typer.Option("local", "--backend", help=f"One of: {', '.join(BACKENDS)}."),
    workers: int = typer.Option(None, "--workers", help="Processes for --backend process."),
    ray_address: str = typer.Option(
        None, "--ray-address", help="Ray cluster for --backend ray (e.g. ray://host:10001)."
    ),
    chunk_size: int = typer.Option(
        DEFAULT_CHUNK_SIZE,
        "--chunk-size",
        metavar="N",
        help="Runs per unit of work (results do not change).",
    ),
    load: list[str] = LOAD_OPTION,
) -> None:
    """Run every protocol many times on the same drawn scenarios and compare the results."""
    from backchannel.experiments.compare import CompareSettings, parse_arms, run_comparison
    from backchannel.experiments.results import write_results
    from backchannel.protocols import runner

    with user_errors(), _experiment_errors():
        check_output_file(plot, "--plot")
        load_user_strategies(load)
        model = open_scenario(scenario)
        arms = parse_arms(protocols or ",".join(runner.PROTOCOLS), model, via)
        if ray_address and backend != "ray":
            raise UsageProblem("--ray-address only applies with --backend ray")
        check_output_file(out, "--out", (".parquet", ".csv"))
        settings = CompareSettings(
            arms=arms,
            runs=runs,
            seed=seed,
            strategies=tuple(parse_assignments(strategy, "--strategy").items()),
            chunk_size=chunk_size,
            load=tuple(load),
        )
        with progress_bar(runs, not json_output, "runs") as advance:
            comparison = run_comparison(
                model,
                settings,
                backend=backend,
                workers=workers,
                ray_address=ray_address,
                progress=advance,
            )
        if out is not None:
            write_results(comparison.rows, out)
        if plot is not None:
            from backchannel.report.compare_plot import plot_comparison

            plot_comparison(comparison, plot)
    if json_output:
        print_json(comparison_document(model, comparison, out, plot))
        return
    _print(model, comparison, out, plot)


@contextmanager
def _experiment_errors() -> Iterator[None]:
    from backchannel.experiments.compare import CompareError
    from backchannel.experiments.executors import BackendUnavailable
    from backchannel.experiments.results import ResultsError

    try:
        yield
    except (CompareError, BackendUnavailable, ResultsError) as error:
        raise UsageProblem(str(error)) from None


def comparison_document(
    model: Scenario, comparison: Comparison, out: Path | None, plot: Path | None
) -> dict[str, Any]:
    settings = comparison.settings
    return {
        "scenario": model.name,
        "runs": settings.runs,
        "seed": settings.seed,
        "strategies": dict(settings.strategies),
        "uncertainty": model.uncertainty.describe() if model.uncertainty else [],
        "arms": [
            {
                "label": arm.label,
                "protocol": arm.protocol,
                "via": list(arm.via),
                "counterfactual_direct": arm.force_direct,
                "channel_variant": arm.variant or None,
                "engines": comparison.engines[arm.label],
                "play_cpu_ms_per_run": comparison.play_ms.get(arm.label),
            }
            for arm in settings.arms
        ],
        "summary": [s.to_dict() for s in comparison.summaries],
        "results_file": str(out) if out else None,
        "plot": str(plot) if plot else None,
    }


def _print(model: Scenario, comparison: Comparison, out: Path | None, plot: Path | None) -> None:
    from backchannel.experiments.variants import describe_variant

    settings = comparison.settings
    console.rule(f"[bold]{model.title}: {settings.runs} runs per protocol, seed {settings.seed}")
    if model.uncertainty is not None:
        console.print("Each run draws: " + "; ".join(model.uncertainty.describe()) + ".")
    else:
        console.print("The scenario declares no uncertainty: every run plays the same numbers.")
    for arm in settings.arms:
        if arm.force_direct:
            refusing = [p for p in model.parties if p.refuses_direct_talks]
            names = ", ".join(p.name for p in refusing)
            prices = ", ".join(f"{p.direct_contact_cost:g}" for p in refusing)
            console.print(
                f"[yellow]'{arm.label}' is a counterfactual:[/] {names} refuses direct talks, so "
                f"the direct line is simulated as if forced (it pays a domestic price of "
                f"{prices} in its payoff, hence in welfare)."
            )
        if arm.variant:
            change = describe_variant(arm.variant)
            console.print(f"'{arm.label}': the same channel, but {change}.")
    console.print(summary_table(comparison))
    engines = "; ".join(
        f"{label}: {', '.join(e)}{_cost(comparison.play_ms.get(label))}"
        for label, e in comparison.engines.items()
    )
    console.print(f"[dim]Engines used — {engines} (CPU time to play each run).[/]")
    console.print(
        "[dim]agree: share of runs with an agreement (below each rate: its 95% Wilson interval). "
        "days: simulated days to agreement (median, "
        "90th percentile), over agreements. welfare: sum of payoffs after time discounting and "
        "any price of direct contact, all runs. dist.: mean distance in utility space of "
        "agreements from the Pareto frontier and from the Nash solution. miscalc.: share of "
        "the runs with a zone of agreement that ended without one (a collapse is not a "
        "miscalculation)."
        + (
            " collapse: share of runs the breakdown hazard ended."
            if _any_collapse(comparison)
            else ""
        )
        + "[/]"
    )
    if out is not None:
        console.print(f"One row per run written to {out}.")
    if plot is not None:
        console.print(f"Distributions plotted to {plot}.")


def _cost(milliseconds: float | None) -> str:
    """A play cost as the engines line shows it: ``, 18 ms a run``."""
    if milliseconds is None:
        return ""
    shown = f"{milliseconds:.2g}" if milliseconds < 10 else f"{milliseconds:.0f}"
    return f", {shown} ms a run"


def summary_table(comparison: Comparison) -> Table:
    from rich.table import Table

    headers = ("agree", "days\np50/p90", "welfare", "dist.\nfrontier", "dist.\nNash", "miscalc.")
    collapses = _any_collapse(comparison)  # the column only where a scenario declares a hazard
    rows = [
        (
            _percent(s.agreement_rate, s.agreements, s.runs),
            f"{_number(s.median_days, 1)}/{_number(s.p90_days, 1)}",
            _number(s.mean_welfare, 3),
            _number(s.mean_distance_frontier, 3),
            _number(s.mean_distance_nash, 3),
            _percent(s.miscalculation_rate, s.miscalculations, s.zopa_runs),
            *((_percent(s.collapse_rate, s.collapses, s.runs),) if collapses else ()),
        )
        for s in comparison.summaries
    ]
    headers = (*headers, "collapse") if collapses else headers
    table = Table(title="Per protocol", title_justify="left")
    table.add_column("protocol", overflow="fold")
    for k, name in enumerate(headers):
        cells = [line for r in rows for line in r[k].split("\n")]
        width = max([*(len(line) for line in name.split("\n")), *(len(c) for c in cells)])
        table.add_column(name, justify="right", no_wrap=True, min_width=width)
    for summary, cells in zip(comparison.summaries, rows, strict=True):
        table.add_row(summary.arm, *cells)
    return table


def _any_collapse(comparison: Comparison) -> bool:
    return any(s.collapses for s in comparison.summaries)


def _percent(rate: float, part: int, whole: int) -> str:
    """The rate and, below it, its 95% interval (``experiments.rates``)."""
    from backchannel.experiments.rates import interval_text

    return "–" if rate != rate else f"{rate:.1%}\n{interval_text(part, whole)}"


def _number(value: float, digits: int) -> str:
    return "–" if value != value else f"{value:.{digits}f}"


def register(app: typer.Typer) -> None:
    app.command()(compare)
