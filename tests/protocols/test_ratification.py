"""Ratification: a deal the negotiators agreed can still be vetoed at home, in every protocol."""

from __future__ import annotations

import pytest
from mediation_scenarios import split_with

from backchannel.protocols.runner import RunOptions, run_negotiation

PROTOCOLS = ("direct", "shuttle", "single-text", "confidential")


def strict(threshold: float, hours: float = 0.0) -> dict:
    return {"ratifier": {"name": "the board", "threshold": threshold, "decision_hours": hours}}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_impossible_threshold_vetoes_every_deal(protocol: str) -> None:
    scenario = split_with(parties={"b": strict(1.0)})
    transcript = run_negotiation(scenario, RunOptions(protocol=protocol, seed=1))
    result = transcript.result
    assert result is not None and result.agreement is None
    assert result.reason == "ratification failed: the board (b) rejected the deal"
    (veto,) = transcript.of_kind("ratification_failed")
    assert veto.sender == "b" and veto.details["threshold"] == 1.0
    assert veto.outcome is not None
    assert result.payoffs["b"] == scenario.party("b").reservation


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_lenient_ratifier_approves_and_takes_its_time_within_the_deadline(
    protocol: str,
) -> None:
    """The deal stands if ratified by the deadline; a ratifier still deciding at the deadline
    leaves no deal, and nothing is stamped after the deadline (``protocols.deadline``)."""
    plain = run_negotiation(split_with(), RunOptions(protocol=protocol, seed=1)).result
    scenario = split_with(parties={"b": strict(0.0, hours=48)})
    transcript = run_negotiation(scenario, RunOptions(protocol=protocol, seed=1))
    result = transcript.result
    assert plain is not None and result is not None and plain.agreement is not None
    deadline = scenario.deadline_days * 24
    if plain.time_hours + 48 <= deadline:
        assert result.agreement == plain.agreement
        assert result.time_hours == plain.time_hours + 48
        assert [e.kind for e in transcript.events[-2:]] == ["ratified", "agreement"]
    else:
        assert result.agreement is None
        assert result.reason == "deadline passed before the deal was ratified"
        assert result.time_hours == deadline
        assert not transcript.of_kind("ratified")
    assert max(e.time_hours for e in transcript.events) <= deadline


def test_the_ratifier_judges_by_its_own_preferences_and_red_lines() -> None:
    own = {
        "name": "parliament",
        "threshold": 0.0,
        "preferences": {"weights": {"share": 1.0}, "values": {"share": [[0, 1.0], [100, 0.0]]}},
        "red_lines": [{"issue": "share", "above": 20}],
    }
    transcript = run_negotiation(split_with(parties={"a": {"ratifier": own}}), RunOptions())
    result = transcript.result
    assert result is not None and result.agreement is None
    (veto,) = transcript.of_kind("ratification_failed")
    assert veto.details["crosses_red_line"] and veto.details["ratifier"] == "parliament"
