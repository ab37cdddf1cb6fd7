"""The analysis of a scenario as a plain document (dicts and lists) for JSON and for people."""

from __future__ import annotations

from typing import Any

import numpy as np

from backchannel.analysis.outcome_space import (
    SpaceAnalysis,
    distance_to_frontier,
    outcome_utilities,
)
from backchannel.scenario.model import Scenario

CONVENTIONS = {
    "agreeable": "outcomes every party rates at or above its reservation value and that cross "
    "no red line",
    "pareto_frontier": "non-dominated outcomes among the agreeable ones",
    "nash": "maximises the product of gains over the reservation values, among agreeable outcomes "
    "(the reservation value is the disagreement point even when it is below the party's worst "
    "utility, where NegMAS uses the worst utility instead)",
    "kalai_smorodinsky": "maximises the smallest gain as a share of each party's best agreeable "
    "gain (discrete max-min), among agreeable outcomes",
    "utilitarian": "maximises the sum of utilities among agreeable outcomes",
    "zopa_size": "number of agreeable outcomes",
}


def point(scenario: Scenario, index: int | None) -> dict[str, Any] | None:
    """``{"index", "outcome": {issue: value}, "utilities": {party: u}}`` for one outcome."""
    if index is None:
        return None
    values = outcome_utilities(scenario, index)
    return {
        "index": int(index),
        "outcome": scenario.space.outcome(index),
        "utilities": {
            pid: round(float(u), 12) for pid, u in zip(scenario.party_ids, values, strict=True)
        },
    }


def package_standing(scenario: Scenario, analysis: SpaceAnalysis, index: int) -> dict[str, Any]:
    """Where a package stands: agreeable or not, how far from the frontier, vs Nash."""
    values = outcome_utilities(scenario, index)
    allowed = bool(scenario.allowed[index].all())
    agreeable = allowed and bool((values >= scenario.reservations - 1e-12).all())
    standing: dict[str, Any] = {
        **(point(scenario, index) or {}),
        "agreeable": agreeable,
        "crosses_red_line": [
            p.id for p, ok in zip(scenario.parties, scenario.allowed[index], strict=True) if not ok
        ],
        "distance_to_frontier": distance_to_frontier(analysis, values),
        "pareto_efficient": bool(np.isin(index, analysis.frontier)),
    }
    if analysis.nash is not None:
        nash_values = outcome_utilities(scenario, analysis.nash)
        standing["gain_vs_nash"] = {
            pid: float(v - n)
            for pid, v, n in zip(scenario.party_ids, values, nash_values, strict=True)
        }
    return standing


def analysis_document(
    scenario: Scenario, analysis: SpaceAnalysis, frontier_limit: int | None = None
) -> dict[str, Any]:
    """Everything ``backchannel analyze --json`` prints."""
    frontier = analysis.frontier if frontier_limit is None else analysis.frontier[:frontier_limit]
    return {
        "scenario": scenario.name,
        "title": scenario.title,
        "parties": list(scenario.party_ids),
        "outcome_count": analysis.outcome_count,
        "reservation_values": {
            pid: float(r) for pid, r in zip(scenario.party_ids, analysis.reservations, strict=True)
        },
        "zopa_exists": analysis.zopa_exists,
        "zopa_size": analysis.zopa_size,
        "zopa_share": analysis.zopa_size / analysis.outcome_count,
        "pareto_frontier_size": len(analysis.frontier),
        "pareto_frontier": [point(scenario, int(i)) for i in frontier],
        "nash": point(scenario, analysis.nash),
        "kalai_smorodinsky": point(scenario, analysis.kalai_smorodinsky),
        "utilitarian": point(scenario, analysis.utilitarian),
        "packages": {
            package.id: {
                "name": package.name,
                **package_standing(scenario, analysis, package.index),
            }
            for package in scenario.packages
        },
        "conventions": CONVENTIONS,
    }
