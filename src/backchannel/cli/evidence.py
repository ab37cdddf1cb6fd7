"""The ``validate --as-of`` report: the evidence checks of a scenario, for people."""

from __future__ import annotations

import datetime as dt

import typer
from rich.markup import escape

from backchannel.cli.common import console
from backchannel.scenario.schema import ScenarioSpec


def report_evidence(file: str, spec: ScenarioSpec, as_of: dt.date, max_age: int | None) -> None:
    """Print every flag (place, finding, fix); exit 1 if there is any, like a failed check."""
    from backchannel.scenario.evidence import check_evidence, dated_entries, latest_evidence

    flags = check_evidence(spec, as_of, max_age)
    dated = len(dated_entries(spec))
    newest = latest_evidence(spec)
    start = spec.timeline.start if spec.timeline is not None else None
    console.print(
        f"as of {as_of}: {dated} of {len(spec.sources)} sources dated"
        + (f", newest {newest}" if newest else "")
        + (f"; the clock starts {start}" if start else "")
    )
    for flag in flags:
        console.print(
            f"[yellow]{flag.kind}[/] {escape(file)} at {escape(flag.path)}: {escape(flag.message)}"
            f"\n    fix: {escape(flag.fix)}",
            soft_wrap=True,
        )
    if flags:
        console.print(f"{len(flags)} flag(s) as of {as_of}")
        raise typer.Exit(1)
    console.print(f"[green]no flags[/] as of {as_of}")
