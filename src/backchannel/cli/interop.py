"""``import-genius`` and ``export-genius``: the GENIUS XML domains and profiles of the field."""

from __future__ import annotations

from pathlib import Path

import typer

from backchannel.cli.common import (
    SCENARIO_ARGUMENT,
    UsageProblem,
    check_new_file,
    console,
    open_scenario,
    user_errors,
)


def import_genius(
    domain: Path = typer.Argument(..., help="GENIUS domain file (<negotiation_template>)."),
    profiles: list[Path] = typer.Argument(..., help="One utility profile per party."),
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        metavar="FILE.yaml",
        help="Write the scenario here (.yaml); default: print it.",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE.yaml if it exists."),
    name: str = typer.Option(None, "--name", help="Scenario name [default: from the domain]."),
    rounds: int = typer.Option(
        100, "--rounds", min=1, help="Round limit (and deadline in days, one message a day)."
    ),
    real_steps: int = typer.Option(
        10, "--real-steps", min=1, help="Equal steps each real-valued issue is divided into."
    ),
) -> None:
    """Read a GENIUS domain and its utility profiles as a Backchannel scenario."""
    from backchannel.scenario.genius import ImportOptions, read_genius
    from backchannel.scenario.genius.saving import spec_yaml
    from backchannel.scenario.loader import compile_spec

    with user_errors():
        if output is not None:
            check_new_file(output, "--output", force)
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
    with user_errors():
        output.write_text(text, encoding="utf-8")
    console.print(
        f"[green]wrote[/] {output}: {len(spec.parties)} parties, {len(spec.issues)} issues. "
        f"Try: backchannel analyze {output}"
    )


def export_genius(
    scenario: str = SCENARIO_ARGUMENT,
    output: Path = typer.Option(
        ..., "--output", "-o", metavar="DIR", help="Folder to write the XML files to."
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite XML files of the same names already in DIR."
    ),
) -> None:
    """Write a scenario as a GENIUS domain and one utility profile per party."""
    from backchannel.scenario.genius import write_genius

    with user_errors():
        model = open_scenario(scenario)
        if output.exists() and not output.is_dir():
            raise UsageProblem(f"--output {output} is a file; give a folder for the XML files")
        names = [f"{model.name}-domain.xml", *(f"{model.name}-{p.id}.xml" for p in model.parties)]
        there = [name for name in names if (output / name).exists()]
        if there and not force:
            raise UsageProblem(
                f"--output {output} already holds {', '.join(there)}; choose another folder "
                "or add --force to overwrite"
            )
        exported = write_genius(model, output)
    console.print(f"[green]wrote[/] {exported.domain}")
    for profile in exported.profiles:
        console.print(f"[green]wrote[/] {profile}")
    if exported.left_out:
        console.print("[yellow]GENIUS cannot hold, so left out:[/] " + "; ".join(exported.left_out))


def register(app: typer.Typer) -> None:
    app.command("import-genius")(import_genius)
    app.command("export-genius")(export_genius)
