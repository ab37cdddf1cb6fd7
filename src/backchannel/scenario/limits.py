"""Limits on what a scenario file may make the program build, checked before building it.

A few hundred bytes of YAML can expand, through aliases, to billions of values, and a range of
four numbers can describe 10^8 outcomes. So the size of the file, the nesting depth, the number
of values after alias expansion and the number of outcomes are each checked on the cheap form
(the parser's events, the node graph with shared nodes counted once, min/max/step arithmetic)
before anything proportional to them is made. The command line and the service use the same
checks; the service's limits are tighter because it serves many people at once.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from backchannel.scenario.errors import Problem, ScenarioError

if TYPE_CHECKING:
    import yaml

MAX_OUTCOMES = 50_000_000


def _yaml_loader() -> type:
    """libyaml's safe loader when present (faster, and its parser keeps no Python recursion).

    PyYAML is imported here, not with this module: a GENIUS folder or a JSON file never needs
    it, and it costs start-up time."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Limits:
    """How large a scenario may be: in bytes, nesting, values after expansion, and outcomes."""

    file_bytes: int = 8 << 20
    depth: int = 64
    values: int = 500_000
    outcomes: int = MAX_OUTCOMES


COMMAND_LINE = Limits()
SERVICE = Limits(file_bytes=1 << 20, values=200_000, outcomes=2_000_000)


def refuse(file: str, message: str, fix: str, line: int | None = None) -> ScenarioError:
    return ScenarioError(file, [Problem("", message, fix, line)])


def check_size(file: str, size: int, limits: Limits) -> None:
    if size > limits.file_bytes:
        raise refuse(
            file,
            f"the file is {size:,} bytes, more than the limit of {limits.file_bytes:,}",
            "split the scenario or shorten long lists of values",
        )


def parse_yaml(file: str, text: str, limits: Limits) -> tuple[Any, yaml.Node | None]:
    """The data in a YAML text and its node tree (for line numbers), within ``limits``.

    The depth is checked on the event stream before any tree is built (deep nesting would
    otherwise exhaust the stack); aliases are then counted on the node graph, where an anchor
    reused a million times is still one node, before the data is constructed.
    """
    _check_yaml_events(file, text, limits)
    loader = _yaml_loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(file, node, limits)
        try:
            return loader.construct_document(node), node
        except (ValueError, TypeError, OverflowError) as error:  # !!int abc, 2001-13-45, 10^5000
            raise _unreadable(file, error) from None
    finally:
        loader.dispose()


def parse_json(file: str, text: str, limits: Limits) -> Any:
    """The data in a JSON text, within the nesting and size ``limits``."""
    depth = _json_depth(text)
    if depth > limits.depth:
        raise _too_deep(file, limits, None)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise  # the loader places it on its line
    except ValueError as error:  # an integer of thousands of digits
        raise _unreadable(file, error) from None
    _check_json_values(file, data, limits)
    return data


def range_size(low: float, high: float, step: float) -> float:
    """How many values ``min..max`` in steps of ``step`` has, without making them (may be inf)."""
    span = (high - low) / step
    if not math.isfinite(span):
        return math.inf
    return math.floor(span + 1e-9) + 1


def too_many(count: float, limit: int, what: str = "outcomes") -> str | None:
    """``"N outcomes, more than the limit of L"`` when ``count`` exceeds ``limit``, else None."""
    if count <= limit:
        return None
    if count < 1e15:
        shown = f"{int(count):,}"
    else:
        shown = f"about {count:.2g}" if math.isfinite(count) else "more than 1e308"
    return f"{shown} {what}, more than the limit of {limit:,}"


def outcome_count(issues: list[Any]) -> float:
    """The number of outcomes of validated issue specs (options × values × range sizes)."""
    total = 1.0
    for issue in issues:
        if issue.options is not None:
            total *= len(issue.options)
        elif issue.values is not None:
            total *= len(issue.values)
        else:
            total *= range_size(issue.range.min, issue.range.max, issue.range.step)
    return total


def check_outcomes(file: str, issues: list[Any], limits: Limits) -> None:
    message = too_many(outcome_count(issues), limits.outcomes)
    if message:
        fix = "use fewer options or a coarser 'step' on numeric issues"
        raise ScenarioError(file, [Problem("issues", f"the issues make {message}", fix)])


def _unreadable(file: str, error: Exception) -> ScenarioError:
    reason = str(error).split(";")[0]
    return refuse(
        file,
        f"a value cannot be read: {reason}",
        "check the numbers, dates and '!!' tags in the file",
    )


def _too_deep(file: str, limits: Limits, line: int | None) -> ScenarioError:
    return refuse(
        file,
        f"lists and mappings are nested more than {limits.depth} levels deep",
        "a scenario needs only a few levels; check for a run of unclosed brackets",
        line,
    )


def _too_large(file: str, limits: Limits) -> ScenarioError:
    return refuse(
        file,
        f"the file holds more than {limits.values:,} values once its aliases are expanded",
        "write the values out, or reuse anchors (&name / *name) less deeply",
    )


def _check_yaml_events(file: str, text: str, limits: Limits) -> None:
    """Nesting depth and event count from the parser alone (no tree, no recursion)."""
    import yaml

    depth = events = 0
    try:
        for event in yaml.parse(text, Loader=_yaml_loader()):
            events += 1
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.depth:
                    raise _too_deep(file, limits, event.start_mark.line + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if events > limits.values * 2:
                raise _too_large(file, limits)
    except yaml.YAMLError:
        return  # the loader reports syntax errors with their place; nothing was built


def _check_expansion(file: str, root: yaml.Node, limits: Limits) -> None:
    """Refuse a cyclic alias, and a graph that expands past the depth or value limits.

    Each node's expanded size and depth is computed once (memoised by identity), so an alias
    bomb costs as many steps as it has anchors, not as many as it would expand to.
    """
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def walk(node: yaml.Node, level: int) -> tuple[int, int]:
        key = id(node)
        if key in open_nodes:
            raise refuse(
                file,
                "an alias refers to the anchor that contains it, so the data never ends",
                "do not use *name inside the value anchored as &name",
                node.start_mark.line + 1,
            )
        if level > limits.depth:
            raise _too_deep(file, limits, node.start_mark.line + 1)
        if key in sizes:
            size, height = sizes[key], depth_of[key]
            if level + height > limits.depth:
                raise _too_deep(file, limits, node.start_mark.line + 1)
            return size, height
        open_nodes.add(key)
        size, height = 1, 0
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        for child in children:
            child_size, child_height = walk(child, level + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > limits.values:
                raise _too_large(file, limits)
        open_nodes.discard(key)
        sizes[key], depth_of[key] = size, height
        return size, height

    depth_of: dict[int, int] = {}
    walk(root, 1)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _json_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text, counted without parsing (strings removed)."""
    codes = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8", "replace"), dtype=np.uint8)
    steps = np.isin(codes, _OPENERS).astype(np.int64) - np.isin(codes, _CLOSERS)
    return int(np.cumsum(steps).max(initial=0))


_OPENERS = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSERS = np.frombuffer(b"]}", dtype=np.uint8)


def _check_json_values(file: str, data: Any, limits: Limits) -> None:
    count, stack = 0, [data]
    while stack:
        item = stack.pop()
        count += 1
        if count > limits.values:
            raise _too_large(file, limits)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
