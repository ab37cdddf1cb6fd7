"""Ratification for many runs at once, as ``protocols.ratification.ratify`` does for one.

After the negotiators agree, every party's ratifier judges the agreed terms privately; all decide
in parallel, each taking its ``decision_hours``, so the run ends when the slowest has decided.
One refusal (below the ratifier's threshold, or across its red lines) turns the agreement into a
breakdown whose reason names the first vetoing party, in party order. A ratifier who would
decide after the run's deadline does not decide (``protocols.deadline``); unless one vetoed in
time, the run ends at the deadline without a deal.
"""

from __future__ import annotations

import numpy as np

from backchannel.scenario.model import Scenario

VETO_BASE = 16  # reason codes VETO_BASE + column: that party's ratifier vetoed
UNRATIFIED = 5  # engine.REASONS index: the deadline passed before the deal was ratified


def ratify_runs(
    scenario: Scenario,
    agreement: np.ndarray,
    time_hours: np.ndarray,
    reason: np.ndarray,
    deadline_hours: np.ndarray,
) -> None:
    """Apply every ratifier to the agreed runs, updating the arrays in place."""
    agreed = np.flatnonzero(agreement >= 0)
    if len(agreed) == 0:
        return
    positions = scenario.space.positions(agreement[agreed])
    finished = time_hours[agreed].copy()
    deadline = deadline_hours[agreed]
    veto = np.full(len(agreed), -1)
    late = np.zeros(len(agreed), dtype=bool)
    for column, party in enumerate(scenario.parties):
        ratifier = party.ratifier
        if ratifier is None:
            continue
        decided = time_hours[agreed] + ratifier.decision_hours
        in_time = decided <= deadline
        late |= ~in_time
        finished = np.where(in_time, np.maximum(finished, decided), finished)
        value = ratifier.utility.evaluate(positions)
        approved = ratifier.utility.allowed(positions) & (value >= ratifier.threshold - 1e-12)
        veto = np.where((veto < 0) & ~approved & in_time, column, veto)
    time_hours[agreed] = np.where(late, deadline, finished)
    vetoed = agreed[veto >= 0]
    agreement[vetoed] = -1
    reason[vetoed] = VETO_BASE + veto[veto >= 0]
    unratified = agreed[late & (veto < 0)]
    agreement[unratified] = -1
    reason[unratified] = UNRATIFIED


def veto_reason(scenario: Scenario, code: int) -> str | None:
    """The step engine's wording for a veto code, or None if ``code`` is not a veto."""
    if code < VETO_BASE:
        return None
    party = scenario.parties[code - VETO_BASE]
    assert party.ratifier is not None
    return f"ratification failed: {party.ratifier.name} ({party.id}) rejected the deal"
