"""`scenarios`, `validate` and `strategies`: what there is and whether it is valid."""

from __future__ import annotations

import typer
from rich.table import Table

from backchannel.agents.registry import describe_strategies, strategy_names
from backchannel.cli.common import console, user_errors
from backchannel.scenario.loader import bundled_names, load_scenario


def scenarios() -> None:
    """List the scenarios bundled with Backchannel."""
    table = Table(title="Bundled scenarios")
    for column in ("name", "title", "parties", "issues", "outcomes", "intermediaries"):
        table.add_column(column)
    for name in bundled_names():
        scenario = load_scenario(name)
        table.add_row(
            name,
            scenario.title,
            ", ".join(p.name for p in scenario.parties),
            str(len(scenario.space.issues)),
            f"{scenario.space.size:,}",
            ", ".join(i.name for i in scenario.channel.intermediaries) or "-",
        )
    console.print(table)


def validate(
    file: str = typer.Argument(..., help="Scenario file (.yaml/.json) or bundled name."),
) -> None:
    """Check a scenario file and report every problem with its place and fix."""
    with user_errors():
        scenario = load_scenario(file, strategy_names())
    console.print(
        f"[green]ok[/] {file}: {len(scenario.parties)} parties, "
        f"{len(scenario.space.issues)} issues, {scenario.space.size:,} outcomes"
    )


def strategies() -> None:
    """List the negotiating strategies in the library."""
    table = Table(title="Strategies")
    table.add_column("name")
    table.add_column("behaviour")
    for name, description in describe_strategies().items():
        table.add_row(name, description)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(scenarios)
    app.command()(validate)
    app.command()(strategies)
