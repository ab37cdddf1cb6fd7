"""Shared pieces of the command line: the console, user-error handling, scenario loading.

Nothing here imports the engine at module level: ``backchannel --help`` must stay fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from backchannel.cli.choices import DEFAULT_SCENARIO, PLOT_SUFFIXES, STRATEGIES

if TYPE_CHECKING:
    from backchannel.scenario.model import Scenario

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

SEED_HELP = "Seed (0 or more); the same seed gives the same results."


class UsageProblem(ValueError):
    """A bad flag value that the command itself detects (e.g. a malformed PARTY=NAME)."""


def fail(message: str) -> NoReturn:
    """Print ``message`` (plain text) as an error and exit with status 2."""
    errors.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(2)


# ``--seed N``: one rule everywhere, a seed is a whole number of 0 or more.
SEED_OPTION: Any = typer.Option(0, "--seed", min=0, metavar="N", help=SEED_HELP)
SCENARIO_ARGUMENT: Any = typer.Argument(
    None,
    metavar="SCENARIO",
    show_default=False,
    help=f"Scenario file or bundled name \\[default: {DEFAULT_SCENARIO}].",
)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn errors a user can fix into a clear message and exit code 2, never a traceback."""
    try:
        yield
    except UsageProblem as error:
        fail(str(error))
    except OSError as error:
        fail(_os_problem(error))
    except Exception as error:
        from backchannel.protocols.runner import RunRefused
        from backchannel.scenario.errors import ScenarioError

        if isinstance(error, ScenarioError):
            fail(error.render())
        if isinstance(error, RunRefused):
            fail(str(error))
        raise


def _os_problem(error: OSError) -> str:
    """``cannot write brief/brief.md: permission denied; ...`` from an ``OSError``."""
    place = error.filename or "the file"
    reason = (error.strerror or str(error)).lower()
    return f"{place}: {reason}; check the path and that you may write there"


def check_output_file(
    path: Path | None, flag: str, suffixes: tuple[str, ...] = PLOT_SUFFIXES
) -> None:
    """Refuse, before any work is done, a file that could not be written as asked."""
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise UsageProblem(
            f"{flag} {path}: unsupported file type '{path.suffix}'; end the file name with "
            + " or ".join(suffixes)
        )
    check_folder_of(path, flag)


def check_folder_of(path: Path, flag: str) -> None:
    """The folder a file goes into must exist: a typo should not create a tree of folders."""
    folder = path.parent
    if not folder.is_dir():
        raise UsageProblem(
            f"{flag} {path}: the folder '{folder}' does not exist; create it first "
            f"(mkdir -p {folder}) or choose another path"
        )
    if path.is_dir():
        raise UsageProblem(f"{flag} {path} is a folder; give a file name")


def check_new_file(path: Path, flag: str, force: bool) -> None:
    """Never overwrite a file unless asked to: a result or an edited scenario may be there."""
    check_folder_of(path, flag)
    if path.exists() and not force:
        raise UsageProblem(f"{flag} {path} already exists; choose another name or add --force")


@contextmanager
def progress_bar(total: int, enabled: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long runs; yields ``advance(done)``, or None when off
    (asked off, or stderr is not a terminal: a log file gets no bar)."""
    if not enabled or not errors.is_terminal:
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


@contextmanager
def working(message: str, enabled: bool = True) -> Iterator[None]:
    """A spinner with the elapsed time on stderr, for work whose length is not known ahead."""
    if not enabled or not errors.is_terminal:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn(message), TimeElapsedColumn(), console=errors, transient=True
    ) as spinner:
        spinner.add_task(message, total=None)
        yield


def open_scenario(reference: str | None) -> Scenario:
    from backchannel.scenario.loader import load_scenario

    return load_scenario(reference or DEFAULT_SCENARIO, KnownStrategies())


class KnownStrategies(Collection[str]):
    """The strategy names a scenario may use, for checking it: a built-in name is known without
    importing every strategy (``choices.STRATEGIES``); any other is looked up in the registry,
    which holds the built-in ones and those loaded with ``--load``."""

    def __contains__(self, name: object) -> bool:
        return name in STRATEGIES or name in _registered()

    def __iter__(self) -> Iterator[str]:
        return iter(_registered())

    def __len__(self) -> int:
        return len(_registered())


def _registered() -> list[str]:
    from backchannel.agents.registry import strategy_names

    return strategy_names()


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


LOAD_OPTION: Any = typer.Option(
    [],
    "--load",
    metavar="FILE.py",
    help="A .py file or module that @register-s strategies (repeatable).",
)


def load_user_strategies(sources: list[str]) -> list[str]:
    """Import the strategies of ``--load`` files; a bad file is a one-line error."""
    if not sources:
        return []
    from backchannel.experiments.tournament import TournamentError, load_strategies

    try:
        return load_strategies(sources)
    except TournamentError as error:
        raise UsageProblem(str(error)) from None
