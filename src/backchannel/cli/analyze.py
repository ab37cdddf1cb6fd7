"""``backchannel analyze``: which deals exist and who gains what."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from backchannel.cli.common import (
    check_output_file,
    console,
    open_scenario,
    print_json,
    user_errors,
)

if TYPE_CHECKING:
    from backchannel.analysis.outcome_space import SpaceAnalysis
    from backchannel.cli.run_file import RunRecord
    from backchannel.scenario.model import Scenario


def analyze(
    scenario: str = typer.Argument(
        None,
        metavar="SCENARIO",
        show_default=False,
        help="Scenario file or bundled name, or the output of run --json (its agreement is "
        "marked) \\[default: iran-us].",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON document instead."),
    plot: Path = typer.Option(
        None, "--plot", metavar="FILE.png", help="Also draw the outcome space (.png, .svg, .pdf)."
    ),
    points: int = typer.Option(7, "--points", min=1, metavar="N", help="Frontier points to list."),
) -> None:
    """Outcome space, zone of agreement, Pareto frontier and bargaining solutions."""
    from rich.table import Table

    from backchannel.analysis.document import CONVENTIONS, analysis_document, package_standing
    from backchannel.analysis.outcome_space import analyze_space
    from backchannel.cli.render import (
        outcome_table,
        signed,
        spread,
        standing_note,
        utility_table,
    )
    from backchannel.cli.run_file import read_run

    with user_errors():
        check_output_file(plot, "--plot")
        ran = read_run(scenario)
        model = ran.scenario if ran is not None else open_scenario(scenario)
        analysis = analyze_space(model)
        if plot is not None:
            from backchannel.report.space_plot import plot_outcome_space

            plot_outcome_space(model, analysis, plot)
    if json_output:
        document = analysis_document(model, analysis)
        if ran is not None:
            document["run"] = {
                "file": str(ran.file),
                "protocol": ran.protocol,
                "seed": ran.seed,
                "reason": ran.reason,
                "agreement": None
                if ran.agreement is None
                else {
                    "index": ran.agreement,
                    **package_standing(model, analysis, ran.agreement),
                },
            }
        print_json(document)
        return
    console.rule(f"[bold]{model.title}")
    console.print(
        f"{model.space.size:,} possible outcomes over {len(model.space.issues)} issues: "
        + ", ".join(issue.name for issue in model.space.issues)
    )
    reservations = Table(title="Walking away (reservation values)")
    reservations.add_column("party")
    reservations.add_column("reservation", justify="right")
    reservations.add_column("red lines")
    for party in model.parties:
        lines = "yes" if party.utility.has_red_lines else "none"
        reservations.add_row(party.name, f"{party.reservation:.3f}", lines)
    console.print(reservations)
    share = analysis.zopa_size / analysis.outcome_count
    if analysis.zopa_exists:
        console.print(
            f"[green]A zone of possible agreement exists[/]: {analysis.zopa_size:,} outcomes "
            f"({share:.2%} of all) leave every party at least at its reservation value "
            "and cross no red line."
        )
    else:
        console.print(
            "[red]No zone of possible agreement[/]: every outcome leaves some party "
            "below its reservation value or crosses a red line."
        )
    console.print(
        f"Pareto frontier of the agreeable outcomes: {len(analysis.frontier):,} outcomes."
    )
    shown = spread(analysis.frontier, points)
    console.print(utility_table(model, shown, "Frontier sample"))
    solutions = [
        ("Nash", analysis.nash, "max product of gains"),
        ("Kalai–Smorodinsky", analysis.kalai_smorodinsky, "equal shares of best gain"),
        ("utilitarian", analysis.utilitarian, "max total utility"),
    ]
    console.print(
        outcome_table(model, solutions, "Bargaining solutions (among agreeable outcomes)")
    )
    if ran is not None:
        _print_run(model, analysis, ran)
    if model.packages:
        package_rows = []
        for package in model.packages:
            standing = package_standing(model, analysis, package.index)
            versus = standing.get("gain_vs_nash", {})
            note = standing_note(standing)
            if versus:
                note += "; vs Nash " + ", ".join(f"{k} {signed(v)}" for k, v in versus.items())
            package_rows.append((package.name, package.index, note))
        console.print(outcome_table(model, package_rows, "Named packages"))
    console.print("[dim]Conventions:[/]")
    for key, meaning in CONVENTIONS.items():
        console.print(f"[dim]  {key.replace('_', ' ')}: {meaning}.[/]")
    if plot is not None:
        console.print(f"Plot written to {plot}")


def _print_run(model: Scenario, analysis: SpaceAnalysis, ran: RunRecord) -> None:
    """The agreement the run reached, beside the Nash solution, with where it stands."""
    from backchannel.analysis.document import package_standing
    from backchannel.cli.render import outcome_table, standing_note

    title = f"The run in {ran.file.name} ({ran.protocol}, seed {ran.seed})"
    if ran.agreement is None:
        console.print(f"{title} ended without agreement: {ran.reason}.")
        return
    note = standing_note(package_standing(model, analysis, ran.agreement))
    rows = [("this run's agreement", ran.agreement, note), ("Nash", analysis.nash, "benchmark")]
    console.print(outcome_table(model, rows, title))


def register(app: typer.Typer) -> None:
    app.command()(analyze)
