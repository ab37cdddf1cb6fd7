"""The command group: one-line usage errors, tidy help, and Ctrl-C without a traceback.

Typer shows a usage mistake (``--seed -1``, ``--runs abc``) in a framed box and labels every
option with its Python type (``<bool>``, ``<list[str]>``). Here a mistake is one line naming the
flag and where to read more, and help shows a metavariable only where a value is expected.
"""

from __future__ import annotations

import sys
from typing import Any

from typer import Abort

# The Click that Typer runs on: Typer vendors its own copy, whose exceptions differ from
# those of an installed ``click`` (tests/cli/test_errors.py notices if this moves).
from typer._click import Context, echo
from typer._click import exceptions as click
from typer.core import TyperGroup

from backchannel.cli.lean_help import import_lean_renderer
from backchannel.cli.plain_values import take_plain_values

# How a value is named in help: an option's declared metavar wins, then the type's name here.
TYPE_NAMES = {"int": "N", "float": "NUMBER", "str": "TEXT", "Path": "PATH"}


class BackchannelGroup(TyperGroup):
    """Every ``backchannel`` command, with errors for people instead of Click's frames."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        import_lean_renderer()  # also when help is shown for want of a command
        super().format_help(ctx, formatter)

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
            echo(f"error: {error.format_message()}", err=True)
            code = error.exit_code
        except (Abort, KeyboardInterrupt):
            code = 130
        if code == 130:  # Typer turns Ctrl-C into exit status 130 without a word
            echo("interrupted", err=True)
        if not standalone:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _usage_error(error: click.UsageError, prog_name: str) -> None:
    """``error: Invalid value for '--seed': ... (backchannel compare --help lists the options)``."""
    context = error.ctx
    path = context.command_path if context is not None else prog_name
    message = error.format_message().rstrip(".")
    echo(f"error: {message} ({path} --help lists the options)", err=True)


def _tidy_help(command: Any) -> None:
    """Show ``--seed N`` rather than ``--seed <int>``, and nothing for a flag; and let plain
    values skip Typer's coercion (``cli.plain_values``)."""
    helper = command.get_help_option(Context(command))
    if helper is not None and not getattr(helper, "_tidied", False):
        helper.process_value = _help_value(helper)
    for parameter in command.params:
        take_plain_values(parameter)
    for parameter in [*command.params, *([helper] if helper is not None else [])]:
        if getattr(parameter, "_tidied", False):
            continue
        parameter._tidied = True  # type: ignore[attr-defined]
        label = _label(parameter)
        parameter.display_type_rich = lambda ctx, label=label: label  # type: ignore[attr-defined]
        parameter.display_type = lambda ctx, label=label: label or ""  # type: ignore[attr-defined]


def _help_value(helper: Any) -> Any:
    """``--help`` is a plain flag: skip Typer's general value coercion, which imports pydantic
    (a third of the time ``COMMAND --help`` takes)."""

    def process_value(ctx: Any, value: Any) -> Any:
        if value:  # help is about to be drawn
            import_lean_renderer()
        return helper.callback(ctx, helper, value) if helper.callback is not None else value

    return process_value


def _label(parameter: Any) -> str | None:
    if getattr(parameter, "is_flag", False):
        return None
    if parameter.metavar:
        return parameter.metavar
    bare = getattr(parameter, "bare_type", None)
    name = bare() if callable(bare) else str(parameter.type.name)
    name = name.removeprefix("list[").removesuffix("]")
    return TYPE_NAMES.get(name, name.upper())
