"""``backchannel sensitivity``: which stated numbers the conclusions hang on."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from backchannel.analysis.sensitivity import Threshold, most_critical, sensitivity
from backchannel.cli.common import console, open_scenario, print_json, user_errors
from backchannel.report.tornado_plot import plot_tornado


def sensitivity_command(
    scenario: str = typer.Argument(None, help="Scenario file or bundled name [default: iran-us]."),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON list instead."),
    plot: Path = typer.Option(None, "--plot", help="Also draw a tornado chart to this PNG."),
) -> None:
    """For every walk-away value, issue weight, red line, ratifier threshold and deadline: the
    smallest change that closes or opens the zone of agreement or changes the Nash package."""
    with user_errors():
        model = open_scenario(scenario)
    entries = sensitivity(model)
    if plot is not None:
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
    table = Table(title="Every threshold, most critical first")
    numbers = ("now", "threshold", "zone now", "before", "after")
    for column in ("parameter", "now", "threshold", "effect", "zone", *numbers[2:]):
        justify = "right" if column in numbers else "left"
        table.add_column(column, justify=justify)
    for entry in entries:
        table.add_row(
            entry.parameter,
            _value(entry.current),
            _value(entry.threshold),
            entry.effect,
            entry.zone,
            f"{entry.zone_now:,}",
            f"{entry.zone_before:,}",
            f"{entry.zone_after:,}",
        )
    console.print(table)
    console.print(
        "[dim]zone now / before / after: size of the zone today, just short of and just past "
        "the threshold. "
        "Weights move one issue and rescale the others to keep the sum at 1; red lines move "
        "one option at a time, in the order the party values them; the deadline zone holds the "
        "deals still worth each side's walk-away value when signed on the deadline day.[/]"
    )
    if plot is not None:
        console.print(f"Plot written to {plot}")


def describe(entry: Threshold) -> str:
    """One sentence: ``us.red_lines.enrichment: tighten from above 3.67 to above 0 and the zone
    closes (3,094 deals to 0)``."""
    return (
        f"{entry.parameter}: {entry.change.split(' ', 1)[0]} from {_value(entry.current)} "
        f"{'to' if isinstance(entry.threshold, str) else 'past'} {_value(entry.threshold)} and "
        f"{_effect_words(entry)} ({entry.zone} zone {entry.zone_now:,} to "
        f"{entry.zone_after:,} deals)"
    )


def _effect_words(entry: Threshold) -> str:
    return {
        "zone closes": "the zone closes",
        "zone opens": "a zone opens",
        "nash changes": "the Nash package changes",
        "nash vetoed": "the ratifier vetoes the Nash package",
        "nash ratified": "the ratifier approves the Nash package",
    }[entry.effect]


def _value(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.4g}"


def register(app: typer.Typer) -> None:
    app.command("sensitivity")(sensitivity_command)
