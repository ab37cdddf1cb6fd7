"""Option values that need no parsing, taken as they are instead of through Typer's coercion.

Typer 0.29 coerces every option's value through a pydantic ``TypeAdapter`` that it builds on
first use: about 10 ms each, 30 ms of ``backchannel analyze`` for values that are mostly
absent (None), a default, a word or a plain whole number. Those get here exactly the value the
adapter would give (``tests/cli/test_plain_values.py`` compares the two for every option of
every command); anything else (a path given, a float written out, a bound crossed, an unusual
spelling) still goes through Typer, with its checks and its messages.
"""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from typer._click import exceptions as click

WHOLE_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)")
UNKNOWN = object()


def plain_value(parameter: Any, value: Any) -> Any:
    """The value Typer's coercion gives for ``value``, or ``UNKNOWN`` where it must decide."""
    descriptor = getattr(parameter, "type_descriptor", None)
    if descriptor is None:
        return UNKNOWN
    many = parameter.multiple or parameter.nargs == -1
    if value is None:
        return () if many else None
    info = descriptor.parameter_info
    if info.parser is not None or info.clamp:
        return UNKNOWN
    annotation = descriptor.annotation
    if many:
        words = get_origin(annotation) is list and get_args(annotation) == (str,)
        if words and isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
            return list(value)
        return UNKNOWN
    if annotation is str and type(value) is str:
        return value
    if annotation is int:
        if type(value) is str and WHOLE_NUMBER.fullmatch(value):
            value = int(value)
        if type(value) is not int:
            return UNKNOWN
        below = info.min is not None and value < info.min
        above = info.max is not None and value > info.max
        return UNKNOWN if below or above else value
    return UNKNOWN


def take_plain_values(parameter: Any) -> None:
    """Let ``parameter`` take plain values as they are (once), and the rest through Typer."""
    if getattr(parameter, "_plain", False) or getattr(parameter, "type_descriptor", None) is None:
        return
    parameter._plain = True
    through_typer = parameter.process_value

    def process_value(ctx: Any, value: Any) -> Any:
        plain = plain_value(parameter, value)
        if plain is UNKNOWN:
            return through_typer(ctx, value)
        if parameter.required and parameter.value_is_missing(plain):
            raise click.MissingParameter(ctx=ctx, param=parameter)
        if parameter.callback is not None:
            plain = parameter.callback(ctx, parameter, plain)
        return plain

    parameter.process_value = process_value
