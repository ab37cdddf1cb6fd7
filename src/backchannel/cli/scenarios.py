"""`scenarios`, `validate` and `strategies`: what there is and whether it is valid."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import typer

from backchannel.cli.common import LOAD_OPTION, console, load_user_strategies, user_errors


@dataclass(frozen=True)
class Listing:
    """One row of ``backchannel scenarios``, read from the file without compiling it."""

    name: str
    title: str
    parties: tuple[str, ...]
    issues: int
    outcomes: int
    intermediaries: tuple[str, ...]


LISTING_FILE = "listing.json"


def bundled_listings() -> list[Listing]:
    """The bundled scenarios as listed, from ``bundled/listing.json``: neither YAML nor the
    schema is loaded, so the list appears at once. ``tests/cli/test_scenarios.py`` checks the
    file against the compiled scenarios; ``write_listing_file`` writes it again."""
    text = (_bundled_folder() / LISTING_FILE).read_text("utf-8")
    return [
        Listing(
            name=row["name"],
            title=row["title"],
            parties=tuple(row["parties"]),
            issues=row["issues"],
            outcomes=row["outcomes"],
            intermediaries=tuple(row["intermediaries"]),
        )
        for row in json.loads(text)
    ]


def listings_from_files() -> list[Listing]:
    """The listing read from the bundled YAML files themselves (C parser, no validation)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    folder = _bundled_folder()
    # Keyed and sorted by name without the suffix, as ``bundled_names`` sorts ("iran-us" before
    # "iran-us-2025", which a sort by file name would reverse).
    files = {p.name.rsplit(".", 1)[0]: p for p in folder.iterdir() if p.name.endswith(".yaml")}
    return [
        _listing(name, yaml.load(files[name].read_text("utf-8"), loader)) for name in sorted(files)
    ]


def listing_document(listings: list[Listing]) -> str:
    """``listing.json``'s text for ``listings``."""
    return json.dumps([asdict(row) for row in listings], indent=1, ensure_ascii=False) + "\n"


def write_listing_file() -> None:
    """Write ``bundled/listing.json`` from the YAML files (after adding or editing one)."""
    path = Path(str(_bundled_folder() / LISTING_FILE))
    path.write_text(listing_document(listings_from_files()), "utf-8")


def _bundled_folder() -> Any:
    # Through the top package: importing ``backchannel.scenario`` would compile-load its engine.
    return resources.files("backchannel") / "scenario" / "bundled"


def _listing(name: str, data: dict[str, Any]) -> Listing:
    issues = data.get("issues") or []
    channel = data.get("channel") or {}
    return Listing(
        name=name,
        title=data.get("title") or data.get("name") or name,
        parties=tuple(p.get("name") or p["id"] for p in data.get("parties") or []),
        issues=len(issues),
        outcomes=math.prod(_issue_size(issue) for issue in issues),
        intermediaries=tuple(i.get("name") or i["id"] for i in channel.get("intermediaries") or []),
    )


def _issue_size(issue: dict[str, Any]) -> int:
    listed = issue.get("options") or issue.get("values")
    if listed is not None:
        return len(listed)
    span = issue["range"]
    return math.floor((span["max"] - span["min"]) / span["step"] + 1e-9) + 1


def scenarios() -> None:
    """List the scenarios bundled with Backchannel."""
    from rich.table import Table

    table = Table(title="Bundled scenarios")
    for column in ("name", "title", "parties", "issues", "outcomes", "intermediaries"):
        table.add_column(column)
    for row in bundled_listings():
        table.add_row(
            row.name,
            row.title,
            ", ".join(row.parties),
            str(row.issues),
            f"{row.outcomes:,}",
            ", ".join(row.intermediaries) or "-",
        )
    console.print(table)
    console.print("Copy one to edit it: backchannel init NAME DIR")


def validate(
    file: str = typer.Argument(
        ..., metavar="FILE", help="Scenario file (.yaml/.json) or bundled name."
    ),
    as_of: str = typer.Option(
        None,
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Also check the evidence as of this day: passed events, unsupported assumptions.",
    ),
    max_age: int = typer.Option(
        None, "--max-age", min=0, metavar="DAYS", help="With --as-of: flag older sources."
    ),
) -> None:
    """Check a scenario file and report every problem with its place and fix."""
    from backchannel.agents.registry import strategy_names
    from backchannel.scenario.loader import load_scenario

    with user_errors():
        day = _as_of_day(as_of, max_age)
        scenario = load_scenario(file, strategy_names())
    console.print(
        f"[green]ok[/] {file}: {len(scenario.parties)} parties, "
        f"{len(scenario.space.issues)} issues, {scenario.space.size:,} outcomes"
    )
    if day is not None and scenario.spec is not None:
        from backchannel.cli.evidence import report_evidence

        report_evidence(file, scenario.spec, day, max_age)


def _as_of_day(as_of: str | None, max_age: int | None):
    import datetime as dt

    from backchannel.cli.common import UsageProblem

    if as_of is None:
        if max_age is not None:
            raise UsageProblem("--max-age needs --as-of DATE: the age is counted back from it")
        return None
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise UsageProblem(f"--as-of {as_of}: not a date; write it as YYYY-MM-DD") from None


def strategies(load: list[str] = LOAD_OPTION) -> None:
    """List the negotiating strategies in the library (and any loaded with --load)."""
    from rich.table import Table

    from backchannel.agents.registry import describe_strategies

    with user_errors():
        added = set(load_user_strategies(load))
    table = Table(title="Strategies")
    table.add_column("name")
    table.add_column("behaviour")
    for name, description in describe_strategies().items():
        table.add_row(name + (" (loaded)" if name in added else ""), description)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(scenarios)
    app.command()(validate)
    app.command()(strategies)
