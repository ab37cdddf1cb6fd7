"""Single-text and confidential mediation, and shuttle mediator policies."""

from __future__ import annotations

import numpy as np
import pytest
from mediation_scenarios import split_with

from backchannel.agents.base import Confidence
from backchannel.agents.mediators import NashMediator, create_mediator
from backchannel.analysis.outcome_space import analyze_space
from backchannel.protocols.runner import PROTOCOLS, RunOptions, RunRefused, run_negotiation
from backchannel.scenario.loader import bundled_names, load_scenario

MEDIATED = ("shuttle", "single-text", "confidential")


@pytest.mark.parametrize("name", bundled_names())
@pytest.mark.parametrize("protocol", MEDIATED)
def test_every_protocol_runs_every_bundled_scenario_deterministically(
    name: str, protocol: str
) -> None:
    scenario = load_scenario(name)
    first = run_negotiation(scenario, RunOptions(protocol=protocol, seed=4))
    second = run_negotiation(scenario, RunOptions(protocol=protocol, seed=4))
    assert first.to_dict() == second.to_dict()
    result = first.result
    assert result is not None and first.events[-1].kind in ("agreement", "breakdown")
    if result.agreement is not None:
        for column, party in enumerate(scenario.parties):
            assert scenario.allowed[result.agreement, column]
            assert result.utilities[party.id] >= party.reservation - 1e-9


@pytest.mark.parametrize("name", bundled_names())
def test_direct_talks_run_every_bundled_scenario_when_forced(name: str) -> None:
    options = RunOptions(protocol="direct", force_direct=True, seed=4)
    transcript = run_negotiation(load_scenario(name), options)
    assert transcript.result is not None and not transcript.of_kind("hop")


def test_flagship_named_route_goes_through_doha_then_muscat() -> None:
    transcript = run_negotiation(load_scenario("iran-us-2025"), RunOptions(via=("doha-muscat",)))
    assert transcript.of_kind("offer")[0].via == ("qatar", "oman")


def test_protocol_list_includes_mediation() -> None:
    assert {"single-text", "confidential"} <= set(PROTOCOLS)


def test_single_text_ends_on_a_draft_both_accepted_as_sent() -> None:
    scenario = split_with()
    transcript = run_negotiation(scenario, RunOptions(protocol="single-text", seed=2))
    result = transcript.result
    assert result is not None and result.agreement is not None
    last_round = [e for e in transcript.of_kind("answer") if e.round == result.rounds]
    assert len(last_round) == 2
    assert all(e.details["accepts"] and e.outcome == result.agreement for e in last_round)
    drafts = [e for e in transcript.of_kind("draft") if e.round == result.rounds]
    assert {e.delivered for e in drafts} == {result.agreement}


def test_single_text_records_every_vote_and_amendment() -> None:
    transcript = run_negotiation(split_with(), RunOptions(protocol="single-text", seed=5))
    rounds = transcript.result.rounds  # type: ignore[union-attr]
    decided = transcript.of_kind("amend") + transcript.of_kind("keep")
    assert len(decided) == rounds - 1  # every round but the last, which ended in agreement
    for event in transcript.of_kind("amend"):
        assert all(event.details["votes"]) and event.details["visibility"] == "mediator"


@pytest.mark.parametrize("name", bundled_names())
def test_told_the_truth_the_mediator_ranks_the_nash_solution_first(name: str) -> None:
    scenario = load_scenario(name)
    truthful = [
        Confidence(scenario.utilities[:, k], scenario.allowed[:, k], party.reservation)
        for k, party in enumerate(scenario.parties)
    ]
    analysis = analyze_space(scenario)
    assert NashMediator().plan(truthful).candidates[0] == analysis.nash
    ks = create_mediator("kalai-smorodinsky", "confidential").plan(truthful).candidates[0]
    assert ks == analysis.kalai_smorodinsky


def test_confidential_run_proposes_tabled_packages_then_the_nash_solution() -> None:
    scenario = split_with()  # no packages on the table: the Nash solution comes first
    transcript = run_negotiation(scenario, RunOptions(protocol="confidential", seed=0))
    assert transcript.of_kind("proposal")[0].outcome == analyze_space(scenario).nash
    assert all(not e.details["exaggerated"] for e in transcript.of_kind("confide"))


def test_a_hardliner_exaggerates_what_it_confides() -> None:
    scenario = split_with()
    transcript = run_negotiation(
        scenario, RunOptions(protocol="confidential", strategies={"a": "hardliner"})
    )
    told = {e.sender: e.details for e in transcript.of_kind("confide")}
    assert told["a"]["exaggerated"] and not told["b"]["exaggerated"]
    assert told["a"]["claimed_reservation"] == pytest.approx(0.2 + 0.5 * (1.0 - 0.2))
    assert all(e.outcome is None for e in transcript.of_kind("confide"))


def test_colliding_red_lines_are_noted_by_the_mediator_alone() -> None:
    scenario = split_with(
        parties={
            "a": {"red_lines": [{"issue": "share", "below": 60}]},
            "b": {"red_lines": [{"issue": "share", "above": 40}]},
        }
    )
    transcript = run_negotiation(scenario, RunOptions(protocol="confidential"))
    (note,) = transcript.of_kind("red_lines_collide")
    assert note.details["visibility"] == "mediator" and note.receiver is None
    result = transcript.result
    assert result is not None and result.agreement is None
    assert "red lines" in result.reason


def test_post_settlement_settlement_finds_a_package_both_prefer() -> None:
    utilities = np.array([[0.5, 0.5], [0.7, 0.6], [0.9, 0.2], [0.6, 0.7]])
    allowed = np.ones(4, dtype=bool)
    confided = [Confidence(utilities[:, k], allowed, 0.0) for k in range(2)]
    assert NashMediator().improvement(confided, settled=0) == 1  # 0.42 beats 0.42? tie -> lower
    assert NashMediator().improvement(confided, settled=1) is None


def test_plan_puts_acceptable_tabled_packages_first_then_the_solution() -> None:
    utilities = np.array([[0.5, 0.5], [0.7, 0.6], [0.9, 0.2], [0.6, 0.7]])
    allowed = np.ones(4, dtype=bool)
    confided = [Confidence(utilities[:, k], allowed, 0.3) for k in range(2)]
    plan = NashMediator().plan(confided, tabled=[0])
    assert list(plan.candidates[:2]) == [0, 1] and plan.zone_exists


def test_a_biased_mediator_leans_toward_its_favourite() -> None:
    utilities = np.array([[0.7, 0.6], [0.6, 0.7]])
    allowed = np.ones(2, dtype=bool)
    confided = [Confidence(utilities[:, k], allowed, 0.0) for k in range(2)]
    neutral = NashMediator().plan(confided)
    partisan = NashMediator(bias=utilities[:, 1], bias_strength=0.9).plan(confided)
    assert neutral.candidates[0] == 0 and partisan.candidates[0] == 1


def test_confidential_post_settlement_improves_a_tabled_deal() -> None:
    scenario = split_with(
        packages=[{"id": "even", "terms": {"share": 50}}],
        parties={
            "b": {
                "preferences": {
                    "weights": {"share": 1.0},
                    "values": {"share": [[0, 1.0], [50, 0.4], [60, 0.45], [100, 0.0]]},
                }
            }
        },
    )
    transcript = run_negotiation(scenario, RunOptions(protocol="confidential", seed=0))
    (pss,) = transcript.of_kind("post_settlement")
    assert pss.details["settled"] == scenario.packages[0].index
    result = transcript.result
    assert result is not None
    if pss.details["improved"]:
        assert result.agreement == pss.details["proposed"]
        for column in range(2):
            assert (
                scenario.utilities[pss.details["proposed"], column]
                > scenario.utilities[pss.details["settled"], column]
            )


@pytest.mark.parametrize("policy", ["hold", "scheduled", "reword"])
def test_shuttle_policies_are_recorded(policy: str) -> None:
    transcript = run_negotiation(split_with(), RunOptions(mediator=policy, seed=1))
    kind = "reword" if policy == "reword" else "hold"
    events = transcript.of_kind(kind)
    assert events and transcript.settings["mediator"] == policy
    if policy == "reword":
        for event in events:
            offer = next(
                e
                for e in transcript.of_kind("offer")
                if e.round == event.round and e.sender == event.sender
            )
            assert offer.outcome == event.outcome and offer.delivered == event.delivered
    if policy == "scheduled":
        departures = [e.details["until_hours"] for e in events]
        assert all(d % 168 == 0 for d in departures)


def test_unknown_mediator_is_refused_with_the_known_names() -> None:
    with pytest.raises(RunRefused, match="annealing, hill-climbing"):
        run_negotiation(split_with(), RunOptions(protocol="single-text", mediator="oracle"))
    with pytest.raises(KeyError):
        create_mediator("oracle", "confidential")
