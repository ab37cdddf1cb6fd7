"""The command group: one-line usage errors, tidy help, and Ctrl-C without a traceback.

Typer shows a usage mistake (``--seed -1``, ``--runs abc``) in a framed box and labels every
option with its Python type (``<bool>``, ``<list[str]>``). Here a mistake is one line naming the
flag and where to read more, and help shows a metavariable only where a value is expected.
"""

from __future__ import annotations

import sys
from typing import Any

# The Click that Typer runs on: Typer vendors its own copy, whose exceptions differ from
# those of an installed ``click`` (tests/cli/test_group.py notices if this moves).
from typer._click import Context
from typer._click import exceptions as click
from typer.core import TyperGroup

# How a value is named in help: an option's declared metavar wins, then the type's name here.
TYPE_NAMES = {"int": "N", "float": "NUMBER", "str": "TEXT", "Path": "PATH"}


class BackchannelGroup(TyperGroup):
    """Every ``backchannel`` command, with errors for people instead of Click's frames."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        standalone = extra.pop("standalone_mode", True)
        for command in self.commands.values():
            _tidy_help(command)
        _tidy_help(self)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as error:
            _usage_error(error, prog_name or "backchannel")
            code = error.exit_code
        except click.ClickException as error:
            click.echo(f"error: {error.format_message()}", err=True)
            code = error.exit_code
        except (click.Abort, KeyboardInterrupt):
            click.echo("interrupted", err=True)
            code = 130
        if not standalone:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _usage_error(error: click.UsageError, prog_name: str) -> None:
    """``error: Invalid value for '--seed': ... (backchannel compare --help lists the options)``."""
    context = error.ctx
    path = context.command_path if context is not None else prog_name
    message = error.format_message().rstrip(".")
    click.echo(f"error: {message} ({path} --help lists the options)", err=True)


def _tidy_help(command: Any) -> None:
    """Show ``--seed N`` rather than ``--seed <int>``, and nothing for a flag."""
    helper = command.get_help_option(Context(command))
    for parameter in [*command.params, *([helper] if helper is not None else [])]:
        if getattr(parameter, "_tidied", False):
            continue
        parameter._tidied = True  # type: ignore[attr-defined]
        label = _label(parameter)
        parameter.display_type_rich = lambda ctx, label=label: label  # type: ignore[attr-defined]
        parameter.display_type = lambda ctx, label=label: label or ""  # type: ignore[attr-defined]


def _label(parameter: Any) -> str | None:
    if getattr(parameter, "is_flag", False):
        return None
    if parameter.metavar:
        return parameter.metavar
    bare = getattr(parameter, "bare_type", None)
    name = bare() if callable(bare) else str(parameter.type.name)
    name = name.removeprefix("list[").removesuffix("]")
    return TYPE_NAMES.get(name, name.upper())
