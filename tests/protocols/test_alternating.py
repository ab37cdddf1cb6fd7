"""Alternating offers, direct and through an intermediary: timing, refusal, payoffs, privacy."""

from __future__ import annotations

import pytest

from backchannel.protocols.runner import RunOptions, RunRefused, run_negotiation
from backchannel.scenario.loader import load_scenario
from backchannel.scenario.model import Scenario


@pytest.fixture
def split(fixtures) -> Scenario:
    return load_scenario(fixtures / "split.yaml")


def test_same_seed_gives_the_same_transcript(split: Scenario) -> None:
    first = run_negotiation(split, RunOptions(protocol="shuttle", seed=7))
    second = run_negotiation(split, RunOptions(protocol="shuttle", seed=7))
    assert first.to_dict() == second.to_dict()


def test_shuttle_takes_longer_in_simulated_time_than_direct(split: Scenario) -> None:
    direct = run_negotiation(split, RunOptions(protocol="direct"))
    shuttle = run_negotiation(split, RunOptions(protocol="shuttle"))
    assert direct.result and shuttle.result
    assert shuttle.result.time_hours > direct.result.time_hours
    hours_per_offer = [e.time_hours - e.details["sent_at_hours"] for e in shuttle.of_kind("offer")]
    assert hours_per_offer == [12.0] * len(hours_per_offer)
    assert all(e.via == ("broker",) for e in shuttle.of_kind("offer"))


def test_an_agreement_is_acceptable_to_every_party(split: Scenario) -> None:
    for protocol in ("direct", "shuttle"):
        transcript = run_negotiation(split, RunOptions(protocol=protocol))
        result = transcript.result
        assert result is not None and result.agreement is not None
        for party in split.parties:
            assert result.utilities[party.id] >= party.reservation
        assert transcript.events[-1].kind == "agreement"


def test_offers_alternate_between_the_parties(split: Scenario) -> None:
    transcript = run_negotiation(split, RunOptions(protocol="direct"))
    senders = [e.sender for e in transcript.of_kind("offer")]
    assert senders[:4] == ["a", "b", "a", "b"]


def test_time_runs_forward(split: Scenario) -> None:
    transcript = run_negotiation(split, RunOptions(protocol="shuttle"))
    times = [e.time_hours for e in transcript.events]
    assert times == sorted(times)


def test_hardliners_break_down_at_the_limit(split: Scenario) -> None:
    options = RunOptions(protocol="direct", strategies={"a": "hardliner", "b": "hardliner"})
    result = run_negotiation(split, options).result
    assert result is not None and result.agreement is None
    assert result.payoffs == {"a": 0.2, "b": 0.0}


def test_direct_talks_refused_with_explanation_and_override(split: Scenario) -> None:
    refusing = split.with_party("b", refuses_direct_talks=True, direct_contact_cost=0.1)
    with pytest.raises(RunRefused, match="--force-direct"):
        run_negotiation(refusing, RunOptions(protocol="direct"))
    forced = run_negotiation(refusing, RunOptions(protocol="direct", force_direct=True))
    plain = run_negotiation(split, RunOptions(protocol="direct"))
    assert forced.result and plain.result
    assert forced.result.payoffs["b"] == pytest.approx(plain.result.payoffs["b"] - 0.1)
    assert forced.of_kind("direct_contact_cost")[0].sender == "b"


def test_time_discount_lowers_payoffs_not_utilities(split: Scenario) -> None:
    patient = run_negotiation(split, RunOptions(protocol="shuttle")).result
    impatient_scenario = split.with_party("a", time_discount=0.9)
    impatient = run_negotiation(impatient_scenario, RunOptions(protocol="shuttle")).result
    assert patient and impatient and impatient.agreement == patient.agreement
    days = impatient.time_hours / 24
    assert impatient.payoffs["a"] == pytest.approx(impatient.utilities["a"] * 0.9**days)


def test_unknown_protocol_party_and_intermediary_are_refused(split: Scenario) -> None:
    with pytest.raises(RunRefused, match="unknown protocol"):
        run_negotiation(split, RunOptions(protocol="telepathy"))
    with pytest.raises(RunRefused, match="no party 'c'"):
        run_negotiation(split, RunOptions(strategies={"c": "linear"}))
    with pytest.raises(RunRefused, match="no intermediary 'oman'"):
        run_negotiation(split, RunOptions(protocol="shuttle", via=("oman",)))
    with pytest.raises(RunRefused, match="unknown strategy"):
        run_negotiation(split, RunOptions(strategies={"a": "telepathy"}))


def test_the_flagship_runs_through_oman_by_default() -> None:
    scenario = load_scenario("iran-us-2025")
    transcript = run_negotiation(scenario)
    assert transcript.settings["via"] == ["oman"]
    assert transcript.result is not None
    with pytest.raises(RunRefused, match="refuses direct talks"):
        run_negotiation(scenario, RunOptions(protocol="direct"))
