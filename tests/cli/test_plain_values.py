"""A plain value taken as it is must be exactly what Typer's coercion makes of it, for every
option of every command; and the command line must still refuse what Typer refuses."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer._click import Context
from typer._click import exceptions as click
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.cli.plain_values import UNKNOWN, plain_value

SAMPLES: list[Any] = [
    None, "", "abc", "iran-us", "0", "1", "7", "-1", "-0", "007", "1_000", " 5", "5 ", "+5",
    "1.5", "1e3", 0, 1, 7, -3, 10**30, True, False, 0.5, (), [], ("a", "b"), ["x"], ("a", 1),
]  # fmt: skip


def _parameters() -> list[tuple[str, Any, Any]]:
    group = typer.main.get_command(app)
    found = []
    for name, command in [("", group), *group.commands.items()]:  # type: ignore[attr-defined]
        for parameter in command.params:
            if hasattr(parameter, "type_descriptor"):
                found.append((f"{name} {parameter.name}", command, parameter))
    return found


def _typer(parameter: Any, value: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return "value", parameter.get_runtime_param().coerce(value, param=parameter, ctx=ctx)
    except click.BadParameter as error:
        return "error", error.format_message()


@pytest.mark.parametrize(("label", "command", "parameter"), _parameters(), ids=lambda p: str(p))
def test_a_plain_value_is_what_typer_makes_of_it(label: str, command: Any, parameter: Any) -> None:
    ctx = Context(command)
    taken = 0
    for value in SAMPLES:
        plain = plain_value(parameter, value)
        if plain is UNKNOWN:
            continue
        taken += 1
        kind, expected = _typer(parameter, value, ctx)
        assert kind == "value", (label, value, expected)
        assert type(plain) is type(expected) and plain == expected, (label, value, plain)
    assert taken >= 1  # None at least


def test_plain_values_reach_the_command_and_bad_ones_are_still_refused() -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["analyze", "buyer-seller", "--points", "3", "--json"])
    assert ok.exit_code == 0, ok.output
    for bad in (["--points", "0"], ["--points", "abc"], ["--points", "007x"]):
        refused = runner.invoke(app, ["analyze", "buyer-seller", *bad])
        assert refused.exit_code == 2
        assert "--points" in refused.output
