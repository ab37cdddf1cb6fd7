"""The ``backchannel`` application: each command group registers itself here."""

from __future__ import annotations

import typer

from backchannel.cli import (
    analyze,
    brief,
    compare,
    interop,
    run,
    scenarios,
    sensitivity,
    serve,
    tournament,
    whatif,
)

app = typer.Typer(
    name="backchannel",
    help="Model, simulate, analyse and run negotiations through intermediaries.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (run, analyze, scenarios, interop, compare, serve, whatif, tournament, brief):
    module.register(app)
sensitivity.register(app)


def main() -> None:
    app()
