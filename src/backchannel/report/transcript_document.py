"""A transcript as a self-describing document: events with their terms and utilities spelled out.

This is the analyst's view (it shows every party's utility). It is never sent to a party.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backchannel.analysis.document import point
from backchannel.analysis.outcome_space import SpaceAnalysis, distance_to_frontier
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario


def transcript_document(
    scenario: Scenario, transcript: Transcript, analysis: SpaceAnalysis | None = None
) -> dict[str, Any]:
    data = transcript.to_dict()
    for event in data["events"]:
        for key in ("outcome", "delivered"):
            if event[key] is not None:
                event[f"{key}_terms"] = scenario.space.outcome(event[key])
        if event["delivered"] is not None:
            event["utilities"] = {
                pid: float(u)
                for pid, u in zip(
                    scenario.party_ids, scenario.utilities[event["delivered"]], strict=True
                )
            }
    if transcript.result is not None and transcript.result.agreement is not None:
        data["result"]["agreement_terms"] = scenario.space.outcome(transcript.result.agreement)
    if analysis is not None:
        data["benchmarks"] = outcome_benchmarks(scenario, transcript, analysis)
    return data


def outcome_benchmarks(
    scenario: Scenario, transcript: Transcript, analysis: SpaceAnalysis
) -> dict[str, Any]:
    """How the result compares with the Nash solution and the frontier."""
    result = transcript.result
    assert result is not None
    benchmarks: dict[str, Any] = {"nash": point(scenario, analysis.nash)}
    if result.agreement is not None:
        values = scenario.utilities[result.agreement]
        benchmarks["distance_to_frontier"] = distance_to_frontier(analysis, values)
        benchmarks["pareto_efficient"] = bool(np.isin(result.agreement, analysis.frontier))
        if analysis.nash is not None:
            nash_values = scenario.utilities[analysis.nash]
            benchmarks["distance_to_nash"] = float(np.linalg.norm(values - nash_values))
    return benchmarks
