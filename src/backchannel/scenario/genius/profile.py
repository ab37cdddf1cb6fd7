"""Read a GENIUS utility profile: weights, one evaluator per issue, reservation, discount.

How each GENIUS construct maps onto a scenario party:

- ``<item value=... evaluation=...>``: a value table. When an issue's largest evaluation is
  above 1 (older files use whole numbers such as 1..10), every evaluation of that issue is
  divided by the largest, as GENIUS does; otherwise evaluations are used as written.
- ``<evaluator ftype="linear">`` on an integer issue: ``offset + slope * (x - lowerbound)``;
  on a real issue: ``parameter0 + parameter1 * x``; both clipped to [0, 1] as in GENIUS.
  ``ftype="constant"`` (``parameter0``) and ``ftype="triangular"`` (``parameter0`` lower,
  ``parameter1`` upper, ``parameter2`` top) are read too. The value is evaluated on every grid
  value of the issue, so the table is exact there.
- ``<weight index=...>``: the issue weight. Weights that do not sum to 1 are rescaled to sum
  to 1, and the party's ``assumption`` says so.
- ``<reservation value=...>``: the reservation value (0 when absent).
- ``<discount_factor value=d>``: GENIUS multiplies utility by ``d ** t``, with ``t`` the share
  of the negotiation's time elapsed (0 at the start, 1 at the deadline). Here utility is
  multiplied by ``time_discount ** days``, so over a negotiation of ``D`` days
  ``time_discount = d ** (1 / D)``. ``d`` of 0 or 1 (or outside (0, 1)) means no discount.
"""

from __future__ import annotations

from pathlib import Path

from backchannel.scenario.genius.domain import DomainIssue, bounds, fail, issue_kind, number
from backchannel.scenario.genius.xmltree import Element

WEIGHT_TOLERANCE = 1e-6  # as the scenario compiler checks


def read_profile(
    file: Path, root: Element, issues: list[DomainIssue], party_id: str, deadline_days: float
) -> dict[str, object]:
    """The party described by one profile, as a scenario-file mapping."""
    if root.tag == "negotiation_template":
        raise fail(
            file,
            root,
            "this is a domain (<negotiation_template> at the top), not a utility profile",
            "list the domain first, then one profile per party",
        )
    if root.tag != "utility_space":
        raise fail(
            file,
            root,
            f"a GENIUS profile starts with <utility_space>, this file with <{root.tag}>",
            "give a GENIUS utility profile",
        )
    objectives = root.find_all("objective")
    objective = objectives[0] if objectives else root
    _refuse_unsupported(file, objective)
    notes: list[str] = []
    values = _values(file, objective, issues, notes)
    weights = _weights(file, objective, issues, values, notes)
    party: dict[str, object] = {
        "id": party_id,
        "source": f"GENIUS profile {file.name}",
        "reservation": _reservation(file, root),
        "preferences": {"weights": weights, "values": values},
    }
    discount = _discount(file, root)
    if discount is not None:
        party["time_discount"] = discount ** (1.0 / deadline_days)
        notes.append(
            f"GENIUS discount factor {discount:g} over the whole negotiation, taken as "
            f"{discount:g}**(1/{deadline_days:g}) per day over {deadline_days:g} days"
        )
    if notes:
        party["assumption"] = "; ".join(notes)
    return party


def _refuse_unsupported(file: Path, objective: Element) -> None:
    for tag, what in (
        ("objective", "nested objectives (a tree of objectives)"),
        ("utility_function", "hyper-rectangle (non-linear) utility functions"),
        ("utility", "hyper-rectangle (non-linear) utility functions"),
    ):
        found = objective.find_all(tag)
        if found:
            raise fail(
                file,
                found[0],
                f"{what} are not supported; only linear-additive profiles are",
                "use a profile with one weight and one evaluator per issue",
            )


def _values(
    file: Path, objective: Element, issues: list[DomainIssue], notes: list[str]
) -> dict[str, dict[str, float]]:
    by_name = {issue.key: issue for issue in issues}
    values: dict[str, dict[str, float]] = {}
    for element in objective.find_all("issue"):
        name = element.get("name")
        if name not in by_name:
            known = ", ".join(issue.key for issue in issues)
            raise fail(
                file,
                element,
                f"issue '{name}' is not in the domain",
                f"use the domain's issue names: {known}",
            )
        issue = by_name[name]
        items = element.find_all("item")
        evaluators = element.find_all("evaluator")
        if items:
            table = _item_table(file, element, items, issue, notes)
        elif evaluators:
            table = _evaluator_table(file, element, evaluators[0], issue)
        else:
            raise fail(
                file,
                element,
                f"issue '{name}' has neither <item> evaluations nor an <evaluator>",
                "give each value an evaluation, or a linear <evaluator>",
            )
        values[issue.id] = table
    return values


def _item_table(
    file: Path, element: Element, items: list[Element], issue: DomainIssue, notes: list[str]
) -> dict[str, float]:
    raw: dict[str, float] = {}
    for item in items:
        value = item.get("value")
        if value is None:
            raise fail(file, item, "an <item> without a 'value'", 'add value="..."')
        label = _match(file, item, value, issue)
        evaluation = number(file, item, "evaluation")
        if evaluation < 0:
            raise fail(file, item, f"evaluation {evaluation:g} is negative", "use evaluations >= 0")
        raw[label] = evaluation
    missing = [label for label in issue.labels if label not in raw]
    if missing:
        raise fail(
            file,
            element,
            f"no evaluation for value(s) {', '.join(missing)} of issue '{issue.key}'",
            "add an <item> with an evaluation for every value in the domain",
        )
    top = max(raw.values())
    if top > 1.0:
        notes.append(f"evaluations of '{issue.key}' divided by their largest, {top:g}")
        return {label: value / top for label, value in raw.items()}
    return raw


def _match(file: Path, item: Element, value: str, issue: DomainIssue) -> str:
    """The domain label ``value`` stands for (numbers are matched by value, not by spelling)."""
    if value in issue.labels:
        return value
    if issue.numeric:
        try:
            wanted = float(value)
        except ValueError:
            wanted = None
        if wanted is not None:
            for label, grid_value in zip(issue.labels, issue.numbers, strict=True):
                if abs(grid_value - wanted) <= 1e-9 * max(1.0, abs(wanted)):
                    return label
    raise fail(
        file,
        item,
        f"'{value}' is not a value of issue '{issue.key}' in the domain",
        f"use the domain's values: {', '.join(issue.labels[:20])}",
    )


def _evaluator_table(
    file: Path, element: Element, evaluator: Element, issue: DomainIssue
) -> dict[str, float]:
    kind = issue_kind(file, element)
    if not issue.numeric or kind == "discrete":
        raise fail(
            file,
            evaluator,
            f"an <evaluator> on discrete issue '{issue.key}'",
            "give discrete issues <item value=... evaluation=...> entries",
        )
    ftype = evaluator.get("ftype", "linear")
    xs = issue.numbers
    if ftype == "linear":
        if issue.kind == "integer":
            limits = bounds(file, element)
            low = limits[0] if limits is not None else issue.low
            offset = _parameter(file, evaluator, "offset", "parameter0")
            slope = _parameter(file, evaluator, "slope", "parameter1")
            ys = [offset + slope * (x - low) for x in xs]
        else:
            offset = _parameter(file, evaluator, "parameter0", "offset")
            slope = _parameter(file, evaluator, "parameter1", "slope")
            ys = [offset + slope * x for x in xs]
        ys = [min(max(y, 0.0), 1.0) for y in ys]
    elif ftype == "constant":
        constant = _parameter(file, evaluator, "parameter0", "offset")
        if not 0.0 <= constant <= 1.0:
            raise fail(file, evaluator, f"constant {constant:g} is outside [0, 1]", "fix it")
        ys = [constant] * len(xs)
    elif ftype == "triangular":
        lower = _parameter(file, evaluator, "parameter0", "start")
        upper = _parameter(file, evaluator, "parameter1", "end")
        top = _parameter(file, evaluator, "parameter2", "middle")
        ys = [_triangular(x, lower, upper, top) for x in xs]
    else:
        raise fail(
            file,
            evaluator,
            f"evaluator ftype '{ftype}' is not supported",
            "use ftype linear, constant or triangular, or list <item> evaluations",
        )
    return dict(zip(issue.labels, ys, strict=True))


def _parameter(file: Path, evaluator: Element, name: str, alias: str) -> float:
    attribute = name if name in evaluator.attrib else alias
    return number(file, evaluator, attribute)


def _triangular(x: float, lower: float, upper: float, top: float) -> float:
    """GENIUS's triangular evaluation: 0 outside (lower, upper), 1 at ``top``."""
    if x < lower:
        return 0.0
    if x < top:
        return (x - lower) / (top - lower)
    if x < upper:
        return 1.0 - (x - top) / (upper - top)
    return 0.0


def _weights(
    file: Path,
    objective: Element,
    issues: list[DomainIssue],
    values: dict[str, dict[str, float]],
    notes: list[str],
) -> dict[str, float]:
    index_to_id = {issue.index: issue.id for issue in issues}
    for element in objective.find_all("issue"):
        if "index" in element.attrib:
            for issue in issues:
                if issue.key == element.get("name"):
                    index_to_id[int(number(file, element, "index"))] = issue.id
    weights: dict[str, float] = {}
    for element in objective.find_all("weight"):
        index = int(number(file, element, "index"))
        if index not in index_to_id:
            raise fail(
                file,
                element,
                f"weight index {index} matches no issue",
                f"use the index of an issue: {', '.join(str(k) for k in sorted(index_to_id))}",
            )
        weight = number(file, element, "value")
        if weight < 0:
            raise fail(file, element, f"weight {weight:g} is negative", "use weights >= 0")
        weights[index_to_id[index]] = weight
    for issue in issues:
        if issue.id not in values:
            raise fail(
                file,
                objective,
                f"the profile does not evaluate issue '{issue.key}'",
                "add an <issue> with evaluations for every issue of the domain",
            )
        if issue.id not in weights:
            raise fail(
                file,
                objective,
                f"no <weight> for issue '{issue.key}' (index {issue.index})",
                f'add <weight index="{issue.index}" value="..."/>',
            )
    total = sum(weights.values())
    if total <= 0:
        raise fail(file, objective, "every weight is 0", "give some issue a positive weight")
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        notes.append(f"weights summed to {total:.12g} and were rescaled to sum to 1")
        weights = {key: value / total for key, value in weights.items()}
    return {issue.id: weights[issue.id] for issue in issues}


def _reservation(file: Path, root: Element) -> float:
    found = root.find_all("reservation")
    if not found:
        return 0.0
    value = number(file, found[0], "value")
    if not 0.0 <= value <= 1.0:
        raise fail(file, found[0], f"reservation value {value:g} is outside [0, 1]", "use 0 to 1")
    return value


def _discount(file: Path, root: Element) -> float | None:
    found = root.find_all("discount_factor")
    if not found:
        return None
    value = number(file, found[0], "value")
    return value if 0.0 < value < 1.0 else None
