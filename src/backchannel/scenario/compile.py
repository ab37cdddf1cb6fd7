"""Turn a validated scenario spec into the array model, checking every cross-reference."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np

from backchannel.scenario.compile_channel import build_channel
from backchannel.scenario.compile_timeline import build_timeline
from backchannel.scenario.errors import Problem
from backchannel.scenario.limits import MAX_OUTCOMES
from backchannel.scenario.model import Package, Party, Ratifier, Scenario
from backchannel.scenario.schema import (
    IssueSpec,
    PartySpec,
    PreferencesSpec,
    RatifierSpec,
    ScenarioSpec,
)
from backchannel.scenario.uncertainty import compile_uncertainty
from backchannel.space.issues import DiscreteIssue, Issue, NumericIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility

WEIGHT_TOLERANCE = 1e-6


class _Problems(list[Problem]):
    def add(self, path: str, message: str, fix: str) -> None:
        self.append(Problem(path=path, message=message, fix=fix))


def compile_scenario(
    spec: ScenarioSpec,
    known_strategies: Collection[str] | None = None,
    base_dir: Path | None = None,
) -> tuple[Scenario | None, list[Problem]]:
    """Build the :class:`Scenario`, or return every problem that prevents it.

    ``base_dir`` is the scenario file's folder: timeline data files are read relative to it.
    """
    problems = _Problems()
    _check_unique(problems, "issues", [i.id for i in spec.issues])
    _check_unique(problems, "parties", [p.id for p in spec.parties])
    issues = [_build_issue(spec_issue) for spec_issue in spec.issues]
    space = OutcomeSpace(tuple(issues))
    if space.size > MAX_OUTCOMES:
        problems.add(
            "issues",
            f"the issues make {space.size:,} outcomes, more than {MAX_OUTCOMES:,}",
            "use fewer options or a coarser 'step' on numeric issues",
        )
    parties = []
    for number, party_spec in enumerate(spec.parties):
        where = f"parties[{number}]"
        if known_strategies is not None and party_spec.strategy not in known_strategies:
            problems.add(
                f"{where}.strategy",
                f"unknown strategy '{party_spec.strategy}'",
                f"use one of: {', '.join(sorted(known_strategies))}",
            )
        utility = _build_utility(problems, where, party_spec, space)
        ratifier = _build_ratifier(problems, where, party_spec, space)
        if utility is not None:
            parties.append(_build_party(party_spec, utility, ratifier))
    channel = build_channel(
        problems.add, spec, space, lambda where, prefs: _preferences(problems, where, prefs, space)
    )
    party_ids = [p.id for p in spec.parties]
    first = spec.negotiation.first_mover or party_ids[0]
    if first not in party_ids:
        problems.add(
            "negotiation.first_mover",
            f"'{first}' is not a party",
            f"use one of the party ids: {', '.join(party_ids)}",
        )
    packages = _build_packages(problems, spec, space)
    timeline = None
    if spec.timeline is not None:
        hop_ids = [i.id for i in spec.channel.intermediaries]
        timeline, found = build_timeline(spec.timeline, party_ids, hop_ids, base_dir)
        problems.extend(found)
    uncertainty, found = compile_uncertainty(spec)
    problems.extend(found)
    if problems:
        return None, list(problems)
    scenario = Scenario(
        name=spec.name,
        title=spec.title or spec.name,
        space=space,
        parties=tuple(parties),
        channel=channel,
        deadline_days=spec.negotiation.deadline_days,
        max_rounds=spec.negotiation.max_rounds,
        first_mover=first,
        response_hours=spec.negotiation.response_hours,
        packages=tuple(packages),
        spec=spec,
        timeline=timeline,
        uncertainty=uncertainty,
    )
    return scenario, []


def _check_unique(problems: _Problems, where: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for number, item in enumerate(ids):
        if item in seen:
            problems.add(f"{where}[{number}].id", f"id '{item}' is used twice", "give it a new id")
        seen.add(item)


def _build_issue(spec: IssueSpec) -> Issue:
    name = spec.name or spec.id
    if spec.options is not None:
        return DiscreteIssue(id=spec.id, name=name, options=tuple(spec.options))
    if spec.values is not None:
        return NumericIssue(id=spec.id, name=name, values=tuple(spec.values), unit=spec.unit)
    assert spec.range is not None
    r = spec.range
    return NumericIssue.from_range(spec.id, name, r.min, r.max, r.step, spec.unit)


def _build_ratifier(
    problems: _Problems, where: str, spec: PartySpec, space: OutcomeSpace
) -> Ratifier | None:
    """The party's domestic ratifier; it judges by the party's preferences unless it has its own."""
    if spec.ratifier is None:
        return None
    own = spec.ratifier.model_copy(
        update={"preferences": spec.ratifier.preferences or spec.preferences}
    )
    utility = _build_utility(problems, f"{where}.ratifier", own, space)
    if utility is None:
        return None
    return Ratifier(
        name=own.name,
        utility=utility,
        threshold=own.threshold,
        decision_hours=own.decision_hours,
    )


def _preferences(
    problems: _Problems, where: str, prefs: PreferencesSpec, space: OutcomeSpace
) -> LinearAdditiveUtility | None:
    """A utility from weights and value tables alone (an intermediary's own preferences)."""
    before = len(problems)
    weights = _weights(problems, f"{where}.weights", prefs, space)
    tables = [
        _value_table(problems, f"{where}.values", prefs, issue, float(w))
        for issue, w in zip(space.issues, weights, strict=True)
    ]
    if len(problems) > before:
        return None
    return LinearAdditiveUtility(weights=weights, tables=tuple(tables))


def _build_party(
    spec: PartySpec, utility: LinearAdditiveUtility, ratifier: Ratifier | None = None
) -> Party:
    return Party(
        id=spec.id,
        name=spec.name or spec.id,
        strategy=spec.strategy,
        utility=utility,
        reservation=spec.reservation_value,
        time_discount=spec.time_discount,
        deadline_days=spec.deadline_days,
        refuses_direct_talks=spec.refuses_direct_talks,
        direct_contact_cost=spec.direct_contact_cost,
        leak_cost=spec.leak_cost,
        ratifier=ratifier,
    )


def _build_utility(
    problems: _Problems, where: str, spec: PartySpec | RatifierSpec, space: OutcomeSpace
) -> LinearAdditiveUtility | None:
    before = len(problems)
    prefs = spec.preferences
    weights = _weights(problems, f"{where}.preferences.weights", prefs, space)
    tables = [
        _value_table(problems, f"{where}.preferences.values", prefs, issue, float(w))
        for issue, w in zip(space.issues, weights, strict=True)
    ]
    for key in prefs.values:
        if key not in space.issue_ids:
            problems.add(
                f"{where}.preferences.values.{key}",
                f"'{key}' is not an issue",
                f"use one of the issue ids: {', '.join(space.issue_ids)}",
            )
    forbidden = _red_lines(problems, where, spec, space)
    if len(problems) > before:
        return None
    return LinearAdditiveUtility(
        weights=weights,
        tables=tuple(tables),
        forbidden=tuple(forbidden),  # type: ignore[arg-type]
    )


def _weights(
    problems: _Problems, where: str, prefs: PreferencesSpec, space: OutcomeSpace
) -> np.ndarray:
    for key in prefs.weights:
        if key not in space.issue_ids:
            problems.add(
                f"{where}.{key}",
                f"'{key}' is not an issue",
                f"use one of the issue ids: {', '.join(space.issue_ids)}",
            )
    missing = [i for i in space.issue_ids if i not in prefs.weights]
    if missing:
        problems.add(
            where,
            f"no weight for issue(s) {', '.join(missing)}",
            "add a weight for every issue (0 if this party does not care about it)",
        )
    weights = np.array([prefs.weights.get(i, 0.0) for i in space.issue_ids], dtype=float)
    total = float(sum(prefs.weights.values()))
    if not missing and abs(total - 1.0) > WEIGHT_TOLERANCE:
        problems.add(
            where,
            f"weights sum to {total:.6g}, not 1",
            f"scale them so they sum to 1 (divide each by {total:.6g})",
        )
    return weights


def _value_table(
    problems: _Problems, where: str, prefs: PreferencesSpec, issue: Issue, weight: float
) -> np.ndarray:
    given = prefs.values.get(issue.id)
    path = f"{where}.{issue.id}"
    if given is None:
        if weight > 0:
            problems.add(
                path,
                f"no value function for issue '{issue.id}', which has weight {weight:g}",
                "add a table {option: value in [0, 1]} (or [x, value] points for a numeric issue)",
            )
        return np.zeros(issue.size)
    if isinstance(given, list):
        return _piecewise(problems, path, given, issue)
    return _table(problems, path, given, issue)


def _table(problems: _Problems, path: str, given: dict[str, float], issue: Issue) -> np.ndarray:
    table = np.zeros(issue.size)
    seen = set()
    for key, value in given.items():
        try:
            position = issue.index_of(key)
        except (KeyError, ValueError):
            problems.add(
                f"{path}.{key}",
                f"'{key}' is not an option of issue '{issue.id}'",
                f"use the options: {', '.join(issue.labels)}",
            )
            continue
        table[position] = value
        seen.add(position)
    missing = [issue.labels[k] for k in range(issue.size) if k not in seen]
    if missing and len(seen) == len(given):
        problems.add(
            path,
            f"no value for option(s) {', '.join(missing)}",
            "give every option a value in [0, 1]",
        )
    return table


def _piecewise(
    problems: _Problems, path: str, points: list[tuple[float, float]], issue: Issue
) -> np.ndarray:
    if not isinstance(issue, NumericIssue):
        problems.add(
            path,
            f"issue '{issue.id}' has named options, so [x, value] points do not apply",
            "write a table {option: value} instead",
        )
        return np.zeros(issue.size)
    xs = np.array([p[0] for p in points], dtype=float)
    if len(xs) == 0 or np.any(np.diff(xs) <= 0):
        problems.add(
            path,
            "piecewise-linear points must be at least one, with strictly increasing x",
            "list [x, value] pairs sorted by x, without repeats",
        )
        return np.zeros(issue.size)
    ys = np.array([p[1] for p in points], dtype=float)
    return np.interp(issue.array, xs, ys)


def _red_lines(
    problems: _Problems, where: str, spec: PartySpec | RatifierSpec, space: OutcomeSpace
) -> list[np.ndarray]:
    masks = [np.zeros(issue.size, dtype=bool) for issue in space.issues]
    for number, line in enumerate(spec.red_lines):
        path = f"{where}.red_lines[{number}]"
        if line.issue not in space.issue_ids:
            problems.add(
                f"{path}.issue",
                f"'{line.issue}' is not an issue",
                f"use one of the issue ids: {', '.join(space.issue_ids)}",
            )
            continue
        column = space.issue_ids.index(line.issue)
        issue = space.issues[column]
        excluded = np.zeros(issue.size, dtype=bool)
        before = len(problems)
        for option in line.options or []:
            try:
                excluded[issue.index_of(option)] = True
            except (KeyError, ValueError):
                problems.add(
                    f"{path}.options",
                    f"'{option}' is not an option of issue '{issue.id}'",
                    f"use the options: {', '.join(issue.labels)}",
                )
        if line.above is not None or line.below is not None:
            if not isinstance(issue, NumericIssue):
                problems.add(
                    path,
                    f"'above'/'below' need a numeric issue, and '{issue.id}' has named options",
                    "list the excluded 'options' instead",
                )
                continue
            if line.above is not None:
                excluded |= issue.array > line.above
            if line.below is not None:
                excluded |= issue.array < line.below
        if not excluded.any() and len(problems) == before:
            problems.add(
                path,
                "this red line excludes no outcome",
                f"check the bound against the values of '{issue.id}': {', '.join(issue.labels)}",
            )
        if excluded.all():
            problems.add(
                path,
                f"this red line excludes every value of '{issue.id}', so no deal is possible",
                "narrow the red line so at least one value stays acceptable",
            )
        masks[column] |= excluded
    return masks


def _build_packages(problems: _Problems, spec: ScenarioSpec, space: OutcomeSpace) -> list[Package]:
    packages = []
    for number, package in enumerate(spec.packages):
        path = f"packages[{number}].terms"
        valid = True
        for key, value in package.terms.items():
            if key not in space.issue_ids:
                problems.add(
                    f"{path}.{key}",
                    f"'{key}' is not an issue",
                    f"use one of the issue ids: {', '.join(space.issue_ids)}",
                )
                valid = False
                continue
            issue = space.issue(key)
            try:
                issue.index_of(value)
            except (KeyError, ValueError):
                problems.add(
                    f"{path}.{key}",
                    f"'{value}' is not a value of issue '{key}'",
                    f"use one of: {', '.join(issue.labels)}",
                )
                valid = False
        missing = [i for i in space.issue_ids if i not in package.terms]
        if missing:
            problems.add(
                path,
                f"the package leaves issue(s) {', '.join(missing)} open",
                "give a value for every issue so the package is a complete outcome",
            )
            valid = False
        if valid:
            index = space.index(package.terms)
            packages.append(Package(id=package.id, name=package.name or package.id, index=index))
    return packages
