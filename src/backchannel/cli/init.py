"""``backchannel init``: copy a scenario, with the data files it reads, to edit it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import typer

from backchannel.cli.common import UsageProblem, console, user_errors


def init(
    scenario: str = typer.Argument(
        ..., metavar="SCENARIO", help="Bundled name (see `backchannel scenarios`) or a file."
    ),
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder to copy it into."),
    force: bool = typer.Option(False, "--force", help="Overwrite files of the same name."),
) -> None:
    """Copy a scenario and its data files (indicator CSVs) into DIR, ready to edit."""
    from backchannel.scenario.loader import resolve

    with user_errors():
        source = resolve(scenario)
        if source.is_dir() or source.suffix.lower() not in (".yaml", ".yml"):
            raise UsageProblem(
                f"init copies a .yaml scenario; '{scenario}' is not one (a GENIUS folder can "
                "be converted with backchannel import-genius)"
            )
        if folder.exists() and not folder.is_dir():
            raise UsageProblem(f"{folder} is a file; give a folder to copy the scenario into")
        copies = [(source, folder / source.name)]
        for relative in data_files(source):
            copies.append((source.parent / relative, folder / relative))
        there = [str(target) for _, target in copies if target.exists()]
        if there and not force:
            raise UsageProblem(
                f"{', '.join(there)} already exist(s); choose another folder or add --force"
            )
        for origin, target in copies:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, target)
    for _, target in copies:
        console.print(f"[green]wrote[/] {target}")
    copy = copies[0][1]
    console.print(f"Edit it, then: backchannel validate {copy} && backchannel run {copy}")


def data_files(scenario_file: Path) -> list[PurePosixPath]:
    """The relative data paths a scenario names (``csv: data/rial.csv``), each once."""
    import yaml

    data = yaml.safe_load(scenario_file.read_text(encoding="utf-8"))
    found: dict[str, PurePosixPath] = {}
    for value in _csv_values(data):
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts:
            continue  # an absolute path still works from the copy; never copy from outside
        if (scenario_file.parent / path).is_file():
            found.setdefault(str(path), path)
    return list(found.values())


def _csv_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "csv" and isinstance(value, str):
                yield value
            else:
                yield from _csv_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _csv_values(item)


def register(app: typer.Typer) -> None:
    app.command()(init)
