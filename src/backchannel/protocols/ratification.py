"""Ratification: a deal the negotiators agreed can still be vetoed at home.

Putnam's two-level game: a negotiator's acceptance is the first test, its domestic ratifier's
(a supreme leader, a legislature) the second. The ratifier judges the agreed terms privately by
its own preferences and threshold; negotiators do not see it. All ratifiers decide in parallel,
each taking its ``decision_hours``; one refusal ends the talks without a deal (a veto, recorded
as ``ratification_failed``). This applies in every protocol, at the moment a deal is reached.

A deal must be ratified by the deadline (``protocols.deadline``): a ratifier who would decide
later does not decide, and unless a ratifier vetoed in time the talks end at the deadline
without a deal.
"""

from __future__ import annotations

import math

from backchannel.protocols.deadline import UNRATIFIED, in_time
from backchannel.protocols.transcript import Event, Transcript
from backchannel.scenario.model import Scenario


def ratify(
    scenario: Scenario,
    transcript: Transcript,
    agreement: int,
    time_hours: float,
    rounds: int,
    deadline_hours: float = math.inf,
) -> tuple[str | None, float]:
    """Ask every ratifier; return (the veto's description or None, the time all had decided,
    or the deadline if one had not decided by then)."""
    veto, finished, positions, late = None, time_hours, None, False
    for party in scenario.parties:
        ratifier = party.ratifier
        if ratifier is None:
            continue
        if positions is None:
            positions = scenario.space.positions([agreement])
        decided = time_hours + ratifier.decision_hours
        if not in_time(decided, deadline_hours):
            late = True
            continue
        finished = max(finished, decided)
        value = float(ratifier.utility.evaluate(positions)[0])
        allowed = bool(ratifier.utility.allowed(positions)[0])
        approved = allowed and value >= ratifier.threshold - 1e-12
        transcript.record(
            Event(
                kind="ratified" if approved else "ratification_failed",
                time_hours=decided,
                round=rounds,
                sender=party.id,
                outcome=agreement,
                delivered=agreement,
                details={
                    "ratifier": ratifier.name,
                    "value": value,
                    "threshold": ratifier.threshold,
                    "crosses_red_line": not allowed,
                    "private": True,
                },
            )
        )
        if not approved and veto is None:
            veto = f"ratification failed: {ratifier.name} ({party.id}) rejected the deal"
    if late:
        return veto or UNRATIFIED, deadline_hours
    return veto, finished
