"""``import-genius`` and ``export-genius``: the GENIUS XML domains and profiles of the field."""

from __future__ import annotations

from pathlib import Path

import typer

from backchannel.cli.common import console, open_scenario, user_errors
from backchannel.scenario.genius import ImportOptions, read_genius, write_genius
from backchannel.scenario.genius.saving import spec_yaml
from backchannel.scenario.loader import compile_spec


def import_genius(
    domain: Path = typer.Argument(..., help="GENIUS domain file (<negotiation_template>)."),
    profiles: list[Path] = typer.Argument(..., help="One utility profile per party."),
    output: Path = typer.Option(
        None, "--output", "-o", help="Write the scenario here (.yaml); default: print it."
    ),
    name: str = typer.Option(None, "--name", help="Scenario name [default: from the domain]."),
    rounds: int = typer.Option(
        100, "--rounds", min=1, help="Round limit (and deadline in days, one message a day)."
    ),
    real_steps: int = typer.Option(
        10, "--real-steps", min=1, help="Equal steps each real-valued issue is divided into."
    ),
) -> None:
    """Read a GENIUS domain and its utility profiles as a Backchannel scenario."""
    with user_errors():
        spec = read_genius(domain, profiles, ImportOptions(name, rounds, real_steps))
        compile_spec(spec, str(domain))
    header = (
        f"Imported from GENIUS: {domain.name}, " + ", ".join(p.name for p in profiles) + "\n"
        "Notes on how GENIUS constructs were mapped are under 'assumption'."
    )
    text = spec_yaml(spec, header)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(
        f"[green]wrote[/] {output}: {len(spec.parties)} parties, {len(spec.issues)} issues. "
        f"Try: backchannel analyze {output}"
    )


def export_genius(
    scenario: str = typer.Argument(None, help="Scenario file or bundled name [default: iran-us]."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write the XML files to."),
) -> None:
    """Write a scenario as a GENIUS domain and one utility profile per party."""
    with user_errors():
        model = open_scenario(scenario)
    exported = write_genius(model, output)
    console.print(f"[green]wrote[/] {exported.domain}")
    for profile in exported.profiles:
        console.print(f"[green]wrote[/] {profile}")
    if exported.left_out:
        console.print("[yellow]GENIUS cannot hold, so left out:[/] " + "; ".join(exported.left_out))


def register(app: typer.Typer) -> None:
    app.command("import-genius")(import_genius)
    app.command("export-genius")(export_genius)
