"""Export a scenario as a GENIUS domain and one utility profile per party.

Every issue is written as a discrete GENIUS issue listing its values, and every value function
as a table of evaluations, so the profiles give exactly the same utility for every outcome
(numbers are written with full precision). Numeric issues carry ``vtype="integer"`` or
``vtype="real"``, so importing them back gives numeric issues again. The time discount per day
becomes the GENIUS discount factor over the whole negotiation: ``d = time_discount ** D`` for a
deadline of ``D`` days. What GENIUS cannot express (red lines, intermediaries, packages, who
refuses direct talks) is left out, and :func:`write_genius` lists it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from backchannel.scenario.model import Party, Scenario
from backchannel.space.issues import Issue, NumericIssue


@dataclass(frozen=True)
class Exported:
    """The files written, and what the GENIUS format could not hold."""

    domain: Path
    profiles: tuple[Path, ...]
    left_out: tuple[str, ...]


def write_genius(scenario: Scenario, folder: Path | str) -> Exported:
    """Write ``<name>-domain.xml`` and ``<name>-<party>.xml`` files into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    domain = folder / f"{scenario.name}-domain.xml"
    _write(domain, domain_xml(scenario))
    profiles = []
    for party in scenario.parties:
        path = folder / f"{scenario.name}-{party.id}.xml"
        _write(path, profile_xml(scenario, party))
        profiles.append(path)
    return Exported(domain, tuple(profiles), tuple(left_out(scenario)))


def domain_xml(scenario: Scenario) -> ET.Element:
    root = ET.Element("negotiation_template")
    space = ET.SubElement(
        root, "utility_space", {"number_of_issues": str(len(scenario.space.issues))}
    )
    objective = _objective(space)
    for number, issue in enumerate(scenario.space.issues, start=1):
        element = _issue_element(objective, issue, number)
        element.set("description", issue.name)
        for position, label in enumerate(_labels(issue), start=1):
            ET.SubElement(
                element,
                "item",
                {"index": str(position), "value": label, "description": label},
            )
    return root


def profile_xml(scenario: Scenario, party: Party) -> ET.Element:
    root = ET.Element("utility_space", {"number_of_issues": str(len(scenario.space.issues))})
    objective = _objective(root)
    utility = party.utility
    for number, (issue, table) in enumerate(
        zip(scenario.space.issues, utility.tables, strict=True), start=1
    ):
        element = _issue_element(objective, issue, number)
        for position, (label, value) in enumerate(zip(_labels(issue), table, strict=True), 1):
            ET.SubElement(
                element,
                "item",
                {"index": str(position), "value": label, "evaluation": repr(float(value))},
            )
    for number, weight in enumerate(utility.weights, start=1):
        ET.SubElement(objective, "weight", {"index": str(number), "value": repr(float(weight))})
    days = party.deadline_days or scenario.deadline_days
    discount = party.time_discount**days
    ET.SubElement(root, "discount_factor", {"value": repr(float(discount))})
    ET.SubElement(root, "reservation", {"value": repr(float(party.reservation))})
    return root


def left_out(scenario: Scenario) -> list[str]:
    """What the scenario says that a GENIUS domain and profiles cannot hold."""
    notes = []
    for party in scenario.parties:
        if party.utility.has_red_lines:
            notes.append(f"red lines of {party.id} (GENIUS profiles have none)")
        if party.refuses_direct_talks or party.direct_contact_cost:
            notes.append(f"{party.id}'s refusal of direct talks and its price")
    if scenario.channel.intermediaries:
        notes.append("the channel's intermediaries (GENIUS negotiations are direct)")
    if scenario.packages:
        notes.append("named packages")
    units = [i.id for i in scenario.space.issues if isinstance(i, NumericIssue) and i.unit]
    if units:
        notes.append(f"units of {', '.join(units)}")
    return notes


def _objective(parent: ET.Element) -> ET.Element:
    return ET.SubElement(
        parent,
        "objective",
        {
            "index": "0",
            "description": "",
            "name": "root",
            "type": "objective",
            "etype": "objective",
        },
    )


def _issue_element(objective: ET.Element, issue: Issue, number: int) -> ET.Element:
    return ET.SubElement(
        objective,
        "issue",
        {
            "index": str(number),
            "name": issue.id,
            "etype": "discrete",
            "type": "discrete",
            "vtype": _vtype(issue),
        },
    )


def _vtype(issue: Issue) -> str:
    if not isinstance(issue, NumericIssue):
        return "discrete"
    return "integer" if all(v == int(v) for v in issue.values) else "real"


def _labels(issue: Issue) -> list[str]:
    if not isinstance(issue, NumericIssue):
        return list(issue.options)
    return [str(int(v)) if v == int(v) else repr(float(v)) for v in issue.values]


def _write(path: Path, root: ET.Element) -> None:
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n', encoding="utf-8")
