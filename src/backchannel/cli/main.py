"""The ``backchannel`` application: each command group registers itself here.

Starting must stay cheap: command modules import numpy, the engine, plotting and the web
service inside their command functions, not at the top. And ``main`` registers only the module
of the command being run (``backchannel analyze ...`` never imports or builds the other
fourteen commands); help, the version and anything it cannot place get every command.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Collection
from importlib import import_module

import typer

from backchannel import __version__
from backchannel.cli.group import BackchannelGroup

# Command modules in the order their commands are listed by ``backchannel --help``.
MODULES = (
    "run",
    "analyze",
    "scenarios",
    "init",
    "interop",
    "compare",
    "serve",
    "whatif",
    "tournament",
    "brief",
    "sensitivity",
)
# Which module registers each command (tests/cli/test_lazy_commands.py keeps this in step).
COMMAND_MODULES = {
    "run": "run",
    "analyze": "analyze",
    "scenarios": "scenarios",
    "validate": "scenarios",
    "strategies": "scenarios",
    "init": "init",
    "import-genius": "interop",
    "export-genius": "interop",
    "compare": "compare",
    "serve": "serve",
    "verify-log": "serve",
    "whatif": "whatif",
    "tournament": "tournament",
    "brief": "brief",
    "sensitivity": "sensitivity",
}
HELP = "Model, simulate, analyse and run negotiations through intermediaries."


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"backchannel {__version__}")
        raise typer.Exit()


def _options(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Model, simulate, analyse and run negotiations through intermediaries."""


def build_app(commands: Collection[str] | None = None) -> typer.Typer:
    """The application with every command, or with those of the modules defining ``commands``."""
    application = typer.Typer(
        name="backchannel",
        help=HELP,
        cls=BackchannelGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    application.callback()(_options)
    wanted = None if commands is None else {COMMAND_MODULES[name] for name in commands}
    for module in MODULES:
        if wanted is None or module in wanted:
            import_module(f"backchannel.cli.{module}").register(application)
    return application


def command_in(args: list[str]) -> str | None:
    """The command that ``args`` run, or None (help, the version, or a name we do not know).

    The top level takes only flags (``--help``, ``--version``), so the first word that is not
    one names the command."""
    for arg in args:
        if not arg.startswith("-"):
            return arg if arg in COMMAND_MODULES else None
    return None


def __getattr__(name: str) -> typer.Typer:
    """``app``, with every command, built when first asked for (tests and tools use it)."""
    if name == "app":
        application = build_app()
        globals()["app"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    # Nothing here multiplies matrices, so the worker threads OpenBLAS starts when numpy is
    # imported (one per core) only cost: on a busy 2-core machine they doubled the import's
    # wall time (0.18 against 0.38 s) and added 70 ms of CPU. A value the user set is kept;
    # worker processes (--backend process) inherit it, which also avoids oversubscription.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = sys.argv[1:]
    command = command_in(args)
    if command is not None:
        commands: list[str] | None = [command]
    elif args == ["--version"]:
        commands = []  # the version needs no command
    else:
        commands = None
    try:
        build_app(commands)()
    finally:
        # The process ends here. Python's last garbage collection would walk every object that
        # numpy, pydantic, Typer and Rich created (about 0.1 s, a sixth of ``analyze``) only to
        # free memory the ending process returns anyway; frozen objects are not walked.
        gc.freeze()
