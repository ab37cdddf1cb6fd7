"""Shared pieces of the command line: the console, user-error handling, scenario loading."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from backchannel.protocols.runner import RunRefused
from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.loader import DEFAULT_SCENARIO, load_scenario
from backchannel.scenario.model import Scenario

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

USER_ERRORS: tuple[type[Exception], ...] = (ScenarioError, RunRefused)


class UsageProblem(ValueError):
    """A bad flag value that the command itself detects (e.g. a malformed PARTY=NAME)."""


def fail(message: str) -> NoReturn:
    """Print ``message`` (plain text) as an error and exit with status 2."""
    errors.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn errors a user can fix into a clear message and exit code 2, never a traceback."""
    try:
        yield
    except ScenarioError as error:
        fail(error.render())
    except (RunRefused, UsageProblem) as error:
        fail(str(error))


@contextmanager
def progress_bar(total: int, enabled: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long runs; yields ``advance(done)``, or None when off."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    )
    task = bar.add_task(label, total=total)
    with bar:
        yield lambda done: bar.advance(task, done)


def open_scenario(reference: str | None) -> Scenario:
    from backchannel.agents.registry import strategy_names

    return load_scenario(reference or DEFAULT_SCENARIO, strategy_names())


def print_json(document: Any) -> None:
    """Machine-readable output on stdout, nothing else."""
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False, default=_jsonable))


def _jsonable(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def parse_assignments(items: list[str], flag: str) -> dict[str, str]:
    """``["us=boulware", "iran=conceder"]`` → ``{"us": "boulware", ...}``."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise UsageProblem(f"{flag} expects PARTY=NAME (e.g. {flag} us=boulware), got '{item}'")
        pairs[key.strip()] = value.strip()
    return pairs
