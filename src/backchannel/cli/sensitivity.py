"""``backchannel sensitivity``: which stated numbers the conclusions hang on."""

from __future__ import annotations

from pathlib import Path

import typer

from backchannel.cli.common import (
    SCENARIO_ARGUMENT,
    check_output_file,
    console,
    open_scenario,
    print_json,
    user_errors,
)

NOTE = (
    "[dim]zone now / before / after: size of the zone today, just short of and just past the "
    "threshold. A weight moves alone, the others rescaled to keep the sum at 1; a red line moves "
    "one option at a time, in the order the party values them; the deadline zone holds the "
    "deals still worth each side's walk-away value when signed on the deadline day; the ratified "
    "zone, the deals the party's ratifier also approves.[/]"
)


def sensitivity_command(
    scenario: str = SCENARIO_ARGUMENT,
    json_output: bool = typer.Option(False, "--json", help="Print a JSON list instead."),
    plot: Path = typer.Option(
        None, "--plot", metavar="FILE.png", help="Also draw a tornado chart (.png, .svg, .pdf)."
    ),
) -> None:
    """For every walk-away value, issue weight, red line, ratifier threshold and deadline: the
    smallest change that closes or opens the zone of agreement or changes the Nash package."""
    from rich.table import Table

    from backchannel.analysis.sensitivity import most_critical, sensitivity
    from backchannel.report.critical import describe, value_text

    with user_errors():
        check_output_file(plot, "--plot")
        model = open_scenario(scenario)
        entries = sensitivity(model)
        if plot is not None:
            from backchannel.report.tornado_plot import plot_tornado

            plot_tornado(entries, model.title, plot)
    if json_output:
        print_json([entry.as_dict() for entry in entries])
        return
    console.rule(f"[bold]{model.title}: what must be true")
    critical = most_critical(entries)
    if critical:
        console.print("[bold]The three most critical assumptions[/] (smallest move that matters):")
        for number, entry in enumerate(critical, 1):
            console.print(f"  {number}. {describe(entry)}")
    else:
        console.print("No stated number changes the zone of agreement or the Nash package.")
    table = Table(title="Every threshold, most critical first")
    numbers = ("now", "threshold", "zone now", "before", "after")
    for column in ("parameter", "now", "threshold", "effect", "zone", *numbers[2:]):
        table.add_column(column, justify="right" if column in numbers else "left")
    for entry in entries:
        table.add_row(
            entry.parameter,
            value_text(entry.current),
            value_text(entry.threshold),
            entry.effect,
            entry.zone,
            f"{entry.zone_now:,}",
            f"{entry.zone_before:,}",
            f"{entry.zone_after:,}",
        )
    console.print(table)
    console.print(NOTE)
    if plot is not None:
        console.print(f"Plot written to {plot}")


def register(app: typer.Typer) -> None:
    app.command("sensitivity")(sensitivity_command)
