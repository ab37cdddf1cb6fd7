"""``backchannel brief``: a short plain-language report, in Markdown and HTML, with plots."""

from __future__ import annotations

from pathlib import Path

import typer

from backchannel.cli.common import UsageProblem, console, open_scenario, user_errors
from backchannel.report.brief import write_brief


def brief(
    scenario: str = typer.Argument(None, help="Scenario file or bundled name [default: iran-us]."),
    out: Path = typer.Option(Path("brief"), "--out", "-o", help="Folder to write the brief to."),
    runs: int = typer.Option(10, "--runs", "-n", help="Simulated negotiations per variant."),
    seed: int = typer.Option(0, "--seed", help="Plan seed; the same seed gives the same brief."),
) -> None:
    """What happens, why it matters, what to watch — every sentence from computed numbers."""
    with user_errors():
        if runs < 1:
            raise UsageProblem(f"--runs must be at least 1, got {runs}; e.g. --runs 10")
        if out.exists() and not out.is_dir():
            raise UsageProblem(f"--out {out} is a file; give a folder (it is created if needed)")
        model = open_scenario(scenario)
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


def register(app: typer.Typer) -> None:
    app.command()(brief)
