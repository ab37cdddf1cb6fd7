"""The ``backchannel`` application: each command group registers itself here.

Importing this module (which ``--help`` does) must stay cheap: command modules import numpy,
the engine, plotting and the web service inside their command functions, not at the top.
"""

from __future__ import annotations

import typer

from backchannel import __version__
from backchannel.cli import (
    analyze,
    brief,
    compare,
    init,
    interop,
    run,
    scenarios,
    sensitivity,
    serve,
    tournament,
    whatif,
)
from backchannel.cli.group import BackchannelGroup

app = typer.Typer(
    name="backchannel",
    help="Model, simulate, analyse and run negotiations through intermediaries.",
    cls=BackchannelGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"backchannel {__version__}")
        raise typer.Exit()


@app.callback()
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


for module in (run, analyze, scenarios, init, interop, compare, serve, whatif, tournament, brief):
    module.register(app)
sensitivity.register(app)


def main() -> None:
    app()
