"""``backchannel brief``: a short plain-language report, in Markdown and HTML, with plots."""

from __future__ import annotations

from pathlib import Path

import typer

from backchannel.cli.common import (
    SCENARIO_ARGUMENT,
    SEED_OPTION,
    UsageProblem,
    console,
    open_scenario,
    user_errors,
    working,
)


def brief(
    scenario: str = SCENARIO_ARGUMENT,
    out: Path = typer.Option(
        Path("brief"), "--out", "-o", metavar="DIR", help="Folder to write the brief to."
    ),
    runs: int = typer.Option(
        10, "--runs", "-n", metavar="N", help="Simulated negotiations per variant."
    ),
    seed: int = SEED_OPTION,
) -> None:
    """What happens, why it matters, what to watch — every sentence from computed numbers."""
    from backchannel.report.brief import write_brief

    with user_errors():
        if runs < 1:
            raise UsageProblem(f"--runs must be at least 1, got {runs}; e.g. --runs 10")
        prepare_folder(out, "--out")
        model = open_scenario(scenario)
        with working(f"writing the brief: {runs} simulated negotiations per variant"):
            written = write_brief(model, out, runs=runs, seed=seed)
    console.rule(f"[bold]{written.title}")
    for section in written.sections:
        console.print(
            f"[bold]{section.heading}[/]: {len(section.paragraphs) + len(section.bullets)}"
            " sentences"
        )
    console.print(
        f"Written: {out / 'brief.md'}, {out / 'brief.html'} and "
        + ", ".join(str(out / name) for _caption, name in written.images)
    )


def prepare_folder(folder: Path, flag: str) -> None:
    """Create the output folder now, so that a path that cannot be written fails before the
    simulations rather than after them."""
    if folder.exists() and not folder.is_dir():
        raise UsageProblem(f"{flag} {folder} is a file; give a folder (it is created if needed)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".backchannel-write-check"
        probe.touch()
        probe.unlink()
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise UsageProblem(
            f"{flag} {folder}: cannot write there ({reason}); choose a folder you may write to"
        ) from None


def register(app: typer.Typer) -> None:
    app.command()(brief)
