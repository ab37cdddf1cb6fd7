"""Read a GENIUS domain file: the issues and the values each can take.

Discrete issues keep their item labels; discrete issues whose items are all numbers and whose
``vtype`` says integer or real become numeric issues over those values. Integer issues become
the range ``lowerbound..upperbound`` with step 1. Real issues are continuous in GENIUS; the
outcome space here is finite, so each real issue is mapped to a numeric range over its bounds
with ``real_steps`` equal steps (``real_steps + 1`` values), and the import says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backchannel.scenario.errors import Problem, ScenarioError
from backchannel.scenario.genius.names import unique_identifiers
from backchannel.scenario.genius.xmltree import Element
from backchannel.space.issues import NumericIssue

KINDS = ("discrete", "integer", "real")


@dataclass(frozen=True)
class DomainIssue:
    """One issue of a domain, with the finite grid of values the scenario will use."""

    id: str
    key: str  # the issue's name in the GENIUS files, which profiles refer to
    name: str  # for people: the domain's description when it gives one, else the key
    index: int
    kind: str  # "discrete" (named options), "numeric" (listed numbers), "integer", "real"
    labels: tuple[str, ...]
    numbers: tuple[float, ...] = ()
    low: float = 0.0
    high: float = 0.0
    step: float = 1.0

    @property
    def numeric(self) -> bool:
        return self.kind != "discrete"

    def spec(self) -> dict[str, object]:
        """The issue as it appears in a scenario file."""
        data: dict[str, object] = {"id": self.id}
        if self.name != self.id:
            data["name"] = self.name
        if self.kind == "discrete":
            data["options"] = list(self.labels)
        elif self.kind == "numeric" or self.low == self.high:
            data["values"] = list(self.numbers)
        else:
            data["range"] = {"min": self.low, "max": self.high, "step": self.step}
            if self.kind == "real":
                data["assumption"] = (
                    f"GENIUS real issue over [{self.low:g}, {self.high:g}], mapped to "
                    f"{len(self.numbers)} evenly spaced values (step {self.step:g})"
                )
        return data


def fail(file: Path | str, element: Element | None, message: str, fix: str) -> ScenarioError:
    """A ``ScenarioError`` for one problem at ``element`` (its label and line) in ``file``."""
    where = element.label() if element is not None else ""
    line = element.line if element is not None else None
    return ScenarioError(str(file), [Problem(where, message, fix, line)])


def number(file: Path | str, element: Element, attribute: str) -> float:
    """A numeric attribute, or a clear error naming the element and attribute."""
    text = element.get(attribute)
    if text is None:
        raise fail(file, element, f"missing attribute '{attribute}'", f'add {attribute}="..."')
    try:
        value = float(text)
    except ValueError:
        raise fail(
            file, element, f"'{attribute}' is '{text}', not a number", "write a decimal number"
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise fail(file, element, f"'{attribute}' is '{text}'", "write a finite number")
    return value


def objective_of(file: Path, root: Element) -> Element:
    """The ``<objective>`` holding the issues, under ``<negotiation_template><utility_space>``."""
    if root.tag == "utility_space" and root.find_all("objective"):
        raise fail(
            file,
            root,
            "this is a utility profile (<utility_space> at the top), not a domain",
            "give the domain file (its top element is <negotiation_template>) first",
        )
    if root.tag != "negotiation_template":
        raise fail(
            file,
            root,
            f"a GENIUS domain starts with <negotiation_template>, this file with <{root.tag}>",
            "give a GENIUS domain file",
        )
    spaces = root.find_all("utility_space")
    if not spaces:
        raise fail(file, root, "no <utility_space> inside", "add <utility_space><objective>...")
    objectives = spaces[0].find_all("objective")
    if not objectives:
        raise fail(file, spaces[0], "no <objective> inside", "put the issues in an <objective>")
    return objectives[0]


def read_domain(file: Path, root: Element, real_steps: int) -> list[DomainIssue]:
    """Every issue of the domain, in the order of their ``index`` attributes."""
    objective = objective_of(file, root)
    nested = objective.find_all("objective")
    if nested:
        raise fail(
            file,
            nested[0],
            "nested objectives (a tree of objectives) are not supported",
            "flatten the domain: list every <issue> directly under the top <objective>",
        )
    elements = objective.find_all("issue")
    if not elements:
        raise fail(file, objective, "the domain declares no <issue>", "add at least one issue")
    names = []
    for element in elements:
        name = element.get("name")
        if not name:
            raise fail(file, element, "an <issue> without a 'name'", 'add name="..."')
        if name in names:
            raise fail(file, element, f"issue '{name}' is declared twice", "rename or remove one")
        names.append(name)
    ids = unique_identifiers(names, "issue")
    issues = [
        _issue(file, element, issue_id, position, real_steps)
        for position, (element, issue_id) in enumerate(zip(elements, ids, strict=True), start=1)
    ]
    return sorted(issues, key=lambda issue: issue.index)


def issue_kind(file: Path | str, element: Element) -> str:
    kind = element.get("type") or element.get("etype") or "discrete"
    if kind not in KINDS:
        raise fail(
            file,
            element,
            f"issue type '{kind}' is not supported",
            f"use one of: {', '.join(KINDS)}",
        )
    return kind


def bounds(file: Path | str, element: Element) -> tuple[float, float] | None:
    """``lowerbound``/``upperbound`` on the element or on a ``<range>`` child, if given."""
    holder = element
    ranges = element.find_all("range")
    if "lowerbound" not in element.attrib and ranges:
        holder = ranges[0]
    if "lowerbound" not in holder.attrib and "upperbound" not in holder.attrib:
        return None
    low, high = number(file, holder, "lowerbound"), number(file, holder, "upperbound")
    if high < low:
        raise fail(file, holder, f"upperbound {high:g} is below lowerbound {low:g}", "swap them")
    return low, high


def _issue(
    file: Path, element: Element, issue_id: str, position: int, real_steps: int
) -> DomainIssue:
    key = element.get("name") or issue_id
    name = element.get("description") or key
    index = int(number(file, element, "index")) if "index" in element.attrib else position
    kind = issue_kind(file, element)
    if kind == "discrete":
        return _discrete(file, element, issue_id, key, name, index)
    limits = bounds(file, element)
    if limits is None:
        raise fail(
            file,
            element,
            f"{kind} issue '{name}' has no bounds",
            'add lowerbound="..." upperbound="..." (or a <range> child)',
        )
    low, high = limits
    if kind == "integer":
        if low != int(low) or high != int(high):
            raise fail(file, element, "integer bounds must be whole numbers", "round them")
        step = 1.0
    else:
        step = (high - low) / real_steps if high > low else 1.0
    try:
        grid = NumericIssue.from_range(issue_id, name, low, high, step).values
    except ValueError as error:  # bounds too far apart to list
        raise fail(file, element, str(error), "narrow the bounds") from None
    return DomainIssue(
        issue_id, key, name, index, kind, tuple(_label(v) for v in grid), grid, low, high, step
    )


def _discrete(
    file: Path, element: Element, issue_id: str, key: str, name: str, index: int
) -> DomainIssue:
    labels: list[str] = []
    for item in element.find_all("item"):
        value = item.get("value")
        if value is None:
            raise fail(file, item, "an <item> without a 'value'", 'add value="..."')
        if value in labels:
            raise fail(file, item, f"value '{value}' is listed twice", "remove the repeat")
        labels.append(value)
    if not labels:
        raise fail(file, element, f"discrete issue '{name}' lists no <item>", "add its values")
    numbers = _as_numbers(labels) if element.get("vtype") in ("integer", "real") else None
    if numbers is None:
        return DomainIssue(issue_id, key, name, index, "discrete", tuple(labels))
    order = sorted(range(len(labels)), key=lambda k: numbers[k])
    return DomainIssue(
        issue_id,
        key,
        name,
        index,
        "numeric",
        tuple(labels[k] for k in order),
        tuple(numbers[k] for k in order),
    )


def _as_numbers(labels: list[str]) -> list[float] | None:
    try:
        numbers = [float(label) for label in labels]
    except ValueError:
        return None
    return numbers if len(set(numbers)) == len(numbers) else None


def _label(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(float(value))
