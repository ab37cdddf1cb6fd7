"""Rich renderings of outcomes and analyses shared by several commands."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.table import Table

from backchannel.analysis.outcome_space import outcome_utilities
from backchannel.scenario.model import Scenario


def terms(scenario: Scenario, index: int) -> str:
    """``enrichment=3.67%, frozen_funds=6 billion USD`` with units."""
    parts = []
    for issue_id, value in scenario.space.outcome(index).items():
        issue = scenario.space.issue(issue_id)
        unit = getattr(issue, "unit", "")
        text = f"{value:g}" if isinstance(value, float) else str(value)
        parts.append(f"{issue_id}={text}{' ' + unit if unit and unit != '%' else unit}")
    return ", ".join(parts)


def utility_text(scenario: Scenario, index: int) -> str:
    values = outcome_utilities(scenario, index)
    return "  ".join(f"{p.id} {u:.3f}" for p, u in zip(scenario.parties, values, strict=True))


def outcome_table(scenario: Scenario, rows: list[tuple[str, int | None, str]], title: str) -> Table:
    """A table of named outcomes: label, utilities per party, terms, note."""
    table = Table(title=title, show_lines=True)
    table.add_column("")
    for party in scenario.parties:
        table.add_column(f"u({party.id})", justify="right")
    table.add_column("terms")
    table.add_column("note", style="dim")
    for label, index, note in rows:
        if index is None:
            table.add_row(label, *["-"] * len(scenario.parties), "none: no agreeable outcome", note)
            continue
        values = outcome_utilities(scenario, index)
        table.add_row(label, *[f"{u:.3f}" for u in values], terms(scenario, index), note)
    return table


def spread(indices: np.ndarray, count: int) -> list[int]:
    """Up to ``count`` indices evenly spaced along a list, ends included."""
    if len(indices) <= count:
        return [int(i) for i in indices]
    picks = np.unique(np.linspace(0, len(indices) - 1, count).round().astype(int))
    return [int(indices[p]) for p in picks]


def signed(value: float) -> str:
    return f"{value:+.3f}"


def standing_note(standing: dict[str, Any]) -> str:
    if standing["crosses_red_line"]:
        return f"crosses a red line of {', '.join(standing['crosses_red_line'])}"
    if not standing["agreeable"]:
        return "below someone's reservation value: not agreeable"
    if standing["pareto_efficient"]:
        return "agreeable and Pareto-efficient"
    return f"agreeable, {standing['distance_to_frontier']:.3f} from the frontier"
