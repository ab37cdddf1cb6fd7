"""A deal below a party's walk-away value is never silent (``protocols.settlement``)."""

from __future__ import annotations

from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.loader import load_scenario


def test_single_text_deal_below_irans_walkaway_is_flagged() -> None:
    flagship = load_scenario("iran-us-2025")
    transcript = run_negotiation(flagship, RunOptions(protocol="single-text", seed=0))
    result = transcript.result
    assert result is not None and result.agreement is not None
    # the terms clear Iran's walk-away value; 178 days of discounting do not
    assert result.utilities["iran"] >= 0.5 > result.payoffs["iran"]
    assert result.below_walkaway == ("iran",)
    ending = transcript.events[-1]
    assert ending.details["below_walkaway"] == ["iran"]
    assert ending.details["walkaway"]["iran"] == 0.5


def test_a_deal_above_every_walkaway_flags_nobody() -> None:
    flagship = load_scenario("iran-us-2025")
    result = run_negotiation(flagship, RunOptions(protocol="confidential", seed=0)).result
    assert result is not None and result.agreement is not None
    assert result.below_walkaway == ()
    assert all(result.payoffs[p.id] >= p.reservation for p in flagship.parties)
