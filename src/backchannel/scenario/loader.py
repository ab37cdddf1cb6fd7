"""Read scenario files (YAML or JSON, or a bundled name) and report problems for people."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from backchannel.scenario.compile import compile_scenario
from backchannel.scenario.errors import Problem, ScenarioError, format_path
from backchannel.scenario.limits import (
    COMMAND_LINE,
    Limits,
    check_outcomes,
    check_size,
    parse_json,
    parse_yaml,
)
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec, validate_scenario

if TYPE_CHECKING:
    import yaml  # imported where a YAML file is read: GENIUS and JSON need none

DEFAULT_SCENARIO = "iran-us"
SUFFIXES = (".yaml", ".yml", ".json")


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("backchannel.scenario") / "bundled"
    return sorted(p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.name.endswith(".yaml"))


def bundled_path(name: str) -> Path:
    return Path(str(resources.files("backchannel.scenario") / "bundled" / f"{name}.yaml"))


def resolve(reference: str | Path) -> Path:
    """A path for a file name or a bundled scenario name; ``ScenarioError`` if neither."""
    path = Path(reference)
    if path.exists():
        return path
    if str(reference) in bundled_names():
        return bundled_path(str(reference))
    raise ScenarioError(
        str(reference),
        [
            Problem(
                path="",
                message="no such file, and no bundled scenario has this name",
                fix="give a path to a .yaml/.json file, a GENIUS folder or domain .xml, or one "
                f"of: {', '.join(bundled_names())}",
            )
        ],
    )


def load_spec(reference: str | Path, limits: Limits = COMMAND_LINE) -> ScenarioSpec:
    """Parse and validate the file's structure (types, ranges, required fields).

    The file's size, nesting, alias expansion and outcome count are held to ``limits`` before
    anything in proportion to them is built.
    """
    return _spec_and_lines(reference, limits)[0]


def _spec_and_lines(
    reference: str | Path, limits: Limits = COMMAND_LINE
) -> tuple[ScenarioSpec, dict[tuple, int]]:
    """The validated spec and the line each field starts on (none for GENIUS or JSON)."""
    path = resolve(reference)
    if path.is_dir() or path.suffix.lower() == ".xml":
        from backchannel.scenario.genius import read_genius_path

        return read_genius_path(path), {}
    text = _read(path, limits)
    data, lines = _parse(path, text, limits)
    if data.get("format") == TRANSCRIPT_FORMAT:
        lines = {key[1:]: line for key, line in lines.items() if key[:1] == ("scenario",)}
    data = _scenario_of_transcript(data)
    try:
        spec = validate_scenario(data)
    except ValidationError as error:
        problems = _without_union_noise(
            [_problem_from_pydantic(e, lines, data) for e in error.errors()]
        )
        raise ScenarioError(str(path), problems) from None
    check_outcomes(str(path), spec.issues, limits)
    return spec, lines


TRANSCRIPT_FORMAT = "backchannel-live-transcript"


def _scenario_of_transcript(data: dict[str, Any]) -> dict[str, Any]:
    """A transcript exported by the live service carries its scenario (with the preferences the
    parties confided), so ``backchannel analyze transcript.json`` analyses that negotiation."""
    if data.get("format") == TRANSCRIPT_FORMAT and isinstance(data.get("scenario"), dict):
        return data["scenario"]
    return data


def load_scenario(
    reference: str | Path = DEFAULT_SCENARIO, known_strategies: Collection[str] | None = None
) -> Scenario:
    """Load, validate and compile a scenario; every user error becomes a ``ScenarioError``.

    ``known_strategies`` (``agents.registry.strategy_names()``, passed by the command line and
    the service) also checks each party's strategy name, with its line in the file; the
    scenario layer sits below the agents, so it cannot look the names up itself.
    """
    spec, lines = _spec_and_lines(reference)
    try:
        return compile_spec(spec, str(resolve(reference)), known_strategies)
    except ScenarioError as error:
        if not lines:
            raise
        located = [
            p if p.line else replace(p, line=_line_of(p.path, lines)) for p in error.problems
        ]
        raise ScenarioError(error.file, located) from None


def _line_of(path: str, lines: dict[tuple, int]) -> int | None:
    """The line of ``parties[0].preferences.weights`` (or of its nearest enclosing field)."""
    location: list[object] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        location.append(int(index) if index else name)
    for cut in range(len(location), 0, -1):
        if tuple(location[:cut]) in lines:
            return lines[tuple(location[:cut])]
    return None


def compile_spec(
    spec: ScenarioSpec,
    file: str = "<scenario>",
    known_strategies: Collection[str] | None = None,
) -> Scenario:
    base_dir = Path(file).parent if file != "<scenario>" else None
    scenario, problems = compile_scenario(spec, known_strategies, base_dir)
    if scenario is None:
        raise ScenarioError(file, problems)
    return scenario


def _read(path: Path, limits: Limits) -> str:
    if path.is_dir():
        raise ScenarioError(
            str(path), [Problem("", "this is a folder, not a scenario file", "name the file")]
        )
    if path.suffix.lower() not in SUFFIXES:
        raise ScenarioError(
            str(path),
            [Problem("", f"unknown file type '{path.suffix}'", "use a .yaml, .yml or .json file")],
        )
    try:
        check_size(str(path), path.stat().st_size, limits)
        return path.read_text(encoding="utf-8-sig")  # a byte-order mark is not an error
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(
            str(path), [Problem("", f"cannot read the file ({error})", "check the file")]
        ) from None


def _parse(path: Path, text: str, limits: Limits) -> tuple[Any, dict[tuple, int]]:
    """The data in the file, and the line on which each field starts (for messages)."""
    if path.suffix.lower() == ".json":
        try:
            data = parse_json(str(path), text, limits)
        except json.JSONDecodeError as error:
            raise ScenarioError(
                str(path),
                [Problem("", f"not valid JSON: {error.msg}", "fix the JSON syntax", error.lineno)],
            ) from None
        lines: dict[tuple, int] = {}
    else:
        import yaml

        try:
            data, node = parse_yaml(str(path), text, limits)
            lines = _yaml_lines(node)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            reason = getattr(error, "problem", None) or str(error)
            raise ScenarioError(
                str(path),
                [
                    Problem(
                        "",
                        f"not valid YAML: {reason}",
                        "fix the indentation or quoting near that line",
                        mark.line + 1 if mark else None,
                    )
                ],
            ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            str(path),
            [Problem("", "the file must hold a mapping of fields", "start with 'name:'")],
        )
    return data, lines


def _yaml_lines(node: yaml.Node | None) -> dict[tuple, int]:
    """Map each location such as ``("parties", 0, "id")`` to its 1-based line in the file.

    A node reached again through an alias is not walked again (a problem inside it is placed
    on the alias's line), so the map stays as small as the file.
    """
    import yaml

    lines: dict[tuple, int] = {}
    seen: set[int] = set()

    def walk(node: yaml.Node, location: tuple) -> None:
        lines[location] = node.start_mark.line + 1
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*location, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value):
                walk(item, (*location, number))

    if node is not None:
        walk(node, ())
    return lines


def _problem_from_pydantic(
    error: dict[str, Any], lines: dict[tuple, int], data: Any = None
) -> Problem:
    location = _data_location(error["loc"], data)
    line = None
    for cut in range(len(location), -1, -1):
        if location[:cut] in lines:
            line = lines[location[:cut]]
            break
    message = str(error["msg"]).removeprefix("Value error, ")
    return Problem(
        path=format_path(location),
        message=message,
        fix=_fix_for(error, location),
        line=line,
    )


def _data_location(loc: tuple, data: Any) -> tuple:
    """The part of pydantic's location that names places in the file: tags it adds for the
    members of a union (``constrained-float``, ``ReservationSpec``) or for validators are
    dropped, so messages name fields the user wrote."""
    kept: list[object] = []
    node = data
    for part in loc:
        inside = isinstance(node, dict) and part in node
        inside = inside or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if inside:
            node = node[part]  # type: ignore[index]
        elif node is not None and not isinstance(node, (dict, list)):
            continue  # below a scalar: a union member's tag
        elif isinstance(part, str) and ("[" in part or "-" in part or part[:1].isupper()):
            continue  # a tag, not a field
        else:
            node = None  # a missing or unknown field: keep its name, stop following the data
        kept.append(part)
    return tuple(kept)


def _without_union_noise(problems: list[Problem]) -> list[Problem]:
    """A value that fits no member of a union gets one message per member; keep the most
    telling one (a bound or a parse error rather than "should be a valid dictionary")."""
    by_place: dict[tuple[str, int | None], list[Problem]] = {}
    for problem in problems:
        by_place.setdefault((problem.path, problem.line), []).append(problem)
    kept = []
    for group in by_place.values():
        specific = [p for p in group if "valid dictionary" not in p.message] or group
        kept.extend(specific)
    return kept


def _fix_for(error: dict[str, Any], location: tuple) -> str:
    kind = error["type"]
    field = location[-1] if location else "field"
    if kind == "missing":
        return f"add the field '{field}'"
    if kind == "extra_forbidden":
        return f"remove '{field}' or correct its spelling"
    if kind in ("less_than_equal", "greater_than_equal", "greater_than", "less_than"):
        return f"give '{field}' a value within the stated bound"
    if kind == "string_pattern_mismatch":
        return "use lower-case letters, digits, '-' and '_', starting with a letter or digit"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"give '{field}' a value of the expected type"
    if kind == "string_too_long":
        return f"shorten '{field}'"
    if kind == "finite_number":
        return f"give '{field}' an ordinary number (not .nan or .inf)"
    if kind == "too_short":
        return f"list more entries under '{field}'"
    return "see the message above"
