"""Rich renderings of outcomes and analyses shared by several commands."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.table import Table

from backchannel.analysis.outcome_space import outcome_utilities
from backchannel.report.describe import changes, term_values, terms
from backchannel.scenario.model import Scenario

__all__ = [
    "changes",
    "outcome_table",
    "signed",
    "spread",
    "standing_note",
    "term_values",
    "terms",
    "utility_table",
    "utility_text",
]


def utility_text(scenario: Scenario, index: int) -> str:
    values = outcome_utilities(scenario, index)
    return "  ".join(f"{p.id} {u:.3f}" for p, u in zip(scenario.parties, values, strict=True))


def outcome_table(scenario: Scenario, rows: list[tuple[str, int | None, str]], title: str) -> Table:
    """Named outcomes side by side: one column per outcome, one row per issue, then utilities."""
    table = Table(title=title, show_lines=False)
    table.add_column("")
    for label, _, _ in rows:
        table.add_column(label, overflow="fold")
    found = [term_values(scenario, i) if i is not None else None for _, i, _ in rows]
    for issue in scenario.space.issues:
        table.add_row(issue.id, *[(f[issue.id] if f else "-") for f in found])
    table.add_section()
    for column, party in enumerate(scenario.parties):
        table.add_row(
            f"u({party.id})",
            *[
                f"{outcome_utilities(scenario, i)[column]:.3f}" if i is not None else "-"
                for _, i, _ in rows
            ],
            style="bold",
        )
    if any(note for _, _, note in rows) or any(i is None for _, i, _ in rows):
        table.add_section()
        notes = [note if i is not None else "none: no agreeable outcome" for _, i, note in rows]
        table.add_row("note", *notes, style="dim")
    return table


def utility_table(scenario: Scenario, indices: list[int], title: str) -> Table:
    """Utilities only, one row per outcome: for lists too long to show terms side by side."""
    table = Table(title=title)
    table.add_column("#", justify="right")
    for party in scenario.parties:
        table.add_column(f"u({party.id})", justify="right")
    for number, index in enumerate(indices, 1):
        table.add_row(str(number), *[f"{u:.3f}" for u in outcome_utilities(scenario, index)])
    return table


def spread(indices: np.ndarray, count: int) -> list[int]:
    """Up to ``count`` indices evenly spaced along a list, ends included."""
    if len(indices) <= count:
        return [int(i) for i in indices]
    # sorted(set()) rather than np.unique, which imports numpy.ma (tens of ms at start-up)
    picks = sorted(set(np.linspace(0, len(indices) - 1, count).round().astype(int).tolist()))
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
