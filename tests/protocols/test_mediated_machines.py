"""The mediated machines (``protocols.single_text_machine``, ``protocols.confidential_machine``):
who may move, what a move does, when the talks end; and the property that the single-text and
confidential drivers only choose moves and times (a run's moves replayed through a fresh
machine rebuild its transcript)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mediated_replay import play_recorded, replay_through_machine
from mediation_scenarios import split_data, split_with

from backchannel.protocols.confidential_machine import (
    RED_LINES,
    Confide,
    ConfidentialMachine,
    Improve,
    Plan,
    Propose,
)
from backchannel.protocols.deadline import IN_TRANSIT, PASSED, ROUND_LIMIT
from backchannel.protocols.mediated_machine import LOST, Answer
from backchannel.protocols.relay import IllegalMove
from backchannel.protocols.runner import RunOptions, prepare_run
from backchannel.protocols.single_text_machine import FirstDraft, PutText, SingleTextMachine
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.loader import compile_spec, load_scenario
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec

SPLIT = split_with()  # parties a and b, a pie of 100; deadline day 10 (240 h), 100 rounds
DEADLINE = 240.0


def single_text(scenario: Scenario = SPLIT) -> SingleTextMachine:
    strategies = prepare_run(scenario, RunOptions(protocol="single-text")).strategies
    transcript = Transcript(scenario.name, "single-text", scenario.party_ids, 0)
    return SingleTextMachine(scenario, transcript, strategies, via=("broker",))


def confidential(scenario: Scenario = SPLIT) -> ConfidentialMachine:
    strategies = prepare_run(scenario, RunOptions(protocol="confidential")).strategies
    transcript = Transcript(scenario.name, "confidential", scenario.party_ids, 0)
    return ConfidentialMachine(scenario, transcript, strategies, via=("broker",))


def kinds(events) -> list[str]:
    return [str(event.kind) for event in events]


def with_round_limit(rounds: int) -> Scenario:
    data = split_data()
    data["negotiation"]["max_rounds"] = rounds
    return compile_spec(ScenarioSpec.model_validate(data))


# -- single text -------------------------------------------------------------------------------
def test_single_text_refuses_moves_out_of_turn_with_a_reason() -> None:
    machine = single_text()
    assert kinds(machine.transcript.events) == ["start"]
    assert "no first draft" in machine.refusal(PutText(40), 0.0)
    assert "no first draft" in machine.refusal(Answer("a", 50, True), 1.0)
    machine.apply(FirstDraft(50, "middle", "hill-climbing"), 0.0)
    assert "already on the table" in machine.refusal(FirstDraft(60, "middle", "x"), 0.0)
    with pytest.raises(IllegalMove, match="nothing to answer"):
        machine.apply(Answer("a", 50, True), 1.0)
    machine.apply(PutText(40), 0.0)
    assert "waiting for a, b" in machine.refusal(PutText(30), 0.0)
    assert "no party 'c'" in machine.refusal(Answer("c", 50), 1.0)
    machine.apply(Answer("a", 50, accepts=False), 24.0)
    assert "already answered" in machine.refusal(Answer("a", 50), 25.0)
    assert machine.open and machine.rounds == 1


def test_single_text_a_draft_every_party_accepts_as_sent_is_the_agreement() -> None:
    machine = single_text()
    machine.apply(FirstDraft(50, "middle", "hill-climbing"), 0.0)
    machine.apply(PutText(40), 0.0)
    machine.apply(Answer("a", 50, accepts=True), 24.0)
    events = machine.apply(Answer("b", 50, accepts=True), 30.0)
    assert kinds(events) == ["agreement"]
    result = machine.transcript.result
    assert (result.agreement, result.reason, result.time_hours, result.rounds) == (
        50,
        "agreement",
        30.0,
        1,
    )
    assert machine.refusal(PutText(40), 30.0) == "the negotiation is over"


def test_single_text_accepting_a_changed_text_is_a_miscalculation_and_votes_decide() -> None:
    machine = single_text()
    machine.apply(FirstDraft(50, "middle", "hill-climbing"), 0.0)
    machine.apply(PutText(40), 0.0)
    machine.apply(Answer("a", 50, accepts=True, prefers=True), 24.0)
    events = machine.apply(Answer("b", 51, accepts=True, prefers=True), 24.0)
    assert kinds(events) == ["miscalculation", "amend"]
    assert events[1].details["votes"] == [True, True]
    assert machine.draft == 40 and not machine.is_over and machine.now == 24.0
    machine.apply(PutText(30), 24.0)
    machine.apply(Answer("b", 40, prefers=True), 48.0)  # answers in any order, kept in party order
    (kept,) = machine.apply(Answer("a", 40, prefers=False), 48.0)
    assert kept.kind == "keep" and kept.details["votes"] == [False, True]
    assert machine.draft == 40


def test_single_text_answers_after_the_deadline_end_the_talks_at_it() -> None:
    machine = single_text()
    machine.apply(FirstDraft(50, "middle", "hill-climbing"), 0.0)
    machine.apply(PutText(40), 0.0)
    machine.apply(Answer("a", 50, accepts=True), 24.0)
    events = machine.apply(Answer("b", 50, accepts=True), DEADLINE + 5)  # too late to count
    assert kinds(events) == ["breakdown"]
    result = machine.transcript.result
    assert (result.agreement, result.reason, result.time_hours) == (None, PASSED, DEADLINE + 5)


@pytest.mark.parametrize(("late", "reason"), [(IN_TRANSIT, IN_TRANSIT), (None, LOST)])
def test_single_text_a_missing_answer_ends_the_talks_at_the_deadline(late, reason) -> None:
    machine = single_text()
    machine.apply(FirstDraft(50, "middle", "hill-climbing"), 0.0)
    machine.apply(PutText(40), 0.0)
    machine.apply(Answer("a", None, late=late), math.inf)
    machine.apply(Answer("b", 50, accepts=True), 24.0)
    result = machine.transcript.result
    assert (result.reason, result.time_hours) == (reason, DEADLINE)


def test_single_text_ends_at_the_round_limit() -> None:
    machine = single_text(with_round_limit(2))
    machine.apply(FirstDraft(50, "middle", "hill-climbing"), 0.0)
    for round_number in (1, 2):
        machine.apply(PutText(40), machine.now)
        machine.apply(Answer("a", 50), 10.0 * round_number)
        machine.apply(Answer("b", 50), 10.0 * round_number)
    result = machine.transcript.result
    assert (result.reason, result.rounds, result.time_hours) == (ROUND_LIMIT, 2, 20.0)


def hazard_scenario(**resume: float) -> Scenario:
    data = split_data()
    hazard: dict = {"per_round": 0.5}
    if resume:
        hazard["resume"] = resume
    data["negotiation"]["breakdown"] = hazard
    return compile_spec(ScenarioSpec.model_validate(data))


def refused_round(machine: SingleTextMachine, at: float) -> list[str]:
    machine.apply(PutText(40), machine.now)
    machine.apply(Answer("a", 50), at)
    return kinds(machine.apply(Answer("b", 50), at))


def test_chance_decides_whether_a_refused_round_breaks_the_talks_off() -> None:
    draws = []
    strategies = prepare_run(SPLIT, RunOptions(protocol="single-text")).strategies

    def machine_with(scenario: Scenario, struck: bool) -> SingleTextMachine:
        def chance(hazard, began, now) -> bool:
            draws.append((began, now))
            return struck

        transcript = Transcript(scenario.name, "single-text", scenario.party_ids, 0)
        machine = SingleTextMachine(scenario, transcript, strategies, chance=chance)
        machine.apply(FirstDraft(50, "middle", "hill-climbing"), 0.0)
        return machine

    spared = machine_with(hazard_scenario(), struck=False)
    assert refused_round(spared, 24.0) == ["keep"] and not spared.is_over
    assert draws == [(0.0, 24.0)]
    broken = machine_with(hazard_scenario(), struck=True)
    assert refused_round(broken, 24.0)[-1] == "breakdown"
    assert broken.transcript.result.reason == "breakdown" and broken.transcript.result.rounds == 1
    resumed = machine_with(hazard_scenario(after_days=2), struck=True)
    assert "resume" in refused_round(resumed, 24.0) and not resumed.is_over
    assert resumed.now == 24.0 + 48.0  # the next round begins when the talks resume
    no_hazard = machine_with(SPLIT, struck=True)
    refused_round(no_hazard, 24.0)
    assert not no_hazard.is_over and len(draws) == 3  # no hazard declared: chance is not asked


# -- confidential ------------------------------------------------------------------------------
def confided(machine: ConfidentialMachine, at: float = 12.0) -> None:
    machine.apply(Confide("a"), at)
    machine.apply(Confide("b"), at)


def test_confidential_refuses_moves_out_of_turn_with_a_reason() -> None:
    machine = confidential()
    assert "waits for a, b to confide" in machine.refusal(Propose(50), 0.0)
    machine.apply(Confide("a"), 12.0)
    assert "already confided" in machine.refusal(Confide("a"), 12.0)
    assert "waits for b" in machine.refusal(Plan((50,)), 12.0)
    machine.apply(Confide("b"), 13.0)
    assert machine.now == 13.0
    assert "no plan" in machine.refusal(Propose(50), 13.0)
    machine.apply(Plan((50, 60)), 13.0)
    assert "already made its plan" in machine.refusal(Plan((50,)), 13.0)
    assert "package 50 is due" in machine.refusal(Propose(60), 13.0)
    assert "nothing is settled" in machine.refusal(Improve(60), 13.0)
    assert "times never go back" in machine.refusal(Propose(50), 1.0)
    assert "deadline passed (hour 240 " in machine.refusal(Propose(50), DEADLINE + 1)
    machine.apply(Propose(50), 13.0)
    assert "waiting for a, b" in machine.refusal(Propose(50), 13.0)


def test_confidential_colliding_red_lines_end_the_talks() -> None:
    machine = confidential()
    confided(machine)
    events = machine.apply(Plan((), red_lines_collide=True), 12.0)
    assert kinds(events) == ["red_lines_collide", "breakdown"]
    assert machine.transcript.result.reason == RED_LINES


def test_confidential_rotation_settlement_and_post_settlement_improvement() -> None:
    machine = confidential()
    confided(machine)
    (note,) = machine.apply(Plan((50, 60), zone_exists=False), 12.0)
    assert note.kind == "no_zone" and machine.rotation == (50,)  # nothing tabled: the best
    machine.apply(Propose(50), 12.0)
    machine.apply(Answer("a", 50, accepts=True), 30.0)
    assert machine.apply(Answer("b", 50, accepts=True), 36.0) == []
    assert machine.settled == 50 and not machine.is_over
    assert "only offer an improvement" in machine.refusal(Propose(50), 36.0)
    machine.apply(Improve(55), 36.0)
    machine.apply(Answer("a", 55, accepts=True), 60.0)
    events = machine.apply(Answer("b", 55, accepts=True), 61.0)
    assert kinds(events) == ["post_settlement", "agreement"]
    assert events[0].details == {
        "visibility": "mediator",
        "settled": 50,
        "proposed": 55,
        "improved": True,
    }
    result = machine.transcript.result
    assert (result.agreement, result.rounds, result.time_hours) == (55, 2, 61.0)


def test_confidential_without_an_improvement_the_settled_deal_stands() -> None:
    machine = confidential()
    confided(machine)
    machine.apply(Plan((50,)), 12.0)
    machine.apply(Propose(50), 12.0)
    machine.apply(Answer("a", 50, accepts=True), 30.0)
    machine.apply(Answer("b", 50, accepts=True), 32.0)
    assert kinds(machine.apply(Improve(None), 32.0)) == ["agreement"]
    result = machine.transcript.result
    assert (result.agreement, result.rounds, result.time_hours) == (50, 1, 32.0)


def test_confidential_a_vote_for_a_changed_text_keeps_the_deal() -> None:
    machine = confidential()
    confided(machine)
    machine.apply(Plan((50,)), 12.0)
    machine.apply(Propose(50), 12.0)
    machine.apply(Answer("a", 50, accepts=True), 30.0)
    machine.apply(Answer("b", 50, accepts=True), 30.0)
    machine.apply(Improve(55), 30.0)
    machine.apply(Answer("a", 55, accepts=True), 40.0)
    events = machine.apply(Answer("b", 56, accepts=True), 40.0)
    assert events[0].details["improved"] is False and machine.transcript.result.agreement == 50


def test_confidential_an_unanswered_proposal_ends_the_round_at_once() -> None:
    machine = confidential()
    confided(machine)
    machine.apply(Plan((50,)), 12.0)
    machine.apply(Propose(50), 12.0)
    events = machine.apply(Answer("a", None, late=IN_TRANSIT), math.inf)
    assert kinds(events) == ["breakdown"]
    result = machine.transcript.result
    assert (result.reason, result.time_hours, result.rounds) == (IN_TRANSIT, DEADLINE, 1)


def test_confidential_a_miscalculation_then_the_round_limit() -> None:
    machine = confidential(with_round_limit(1))
    confided(machine)
    machine.apply(Plan((50,)), 12.0)
    machine.apply(Propose(50), 12.0)
    machine.apply(Answer("a", 50, accepts=True), 30.0)
    events = machine.apply(Answer("b", 49, accepts=True), 31.0)
    assert kinds(events) == ["miscalculation", "breakdown"]
    assert machine.transcript.result.reason == ROUND_LIMIT


# -- the drivers only drive --------------------------------------------------------------------
def _hazardous() -> Scenario:
    data = split_data()
    data["negotiation"]["breakdown"] = {"per_round": 0.2, "resume": {"after_days": 1}}
    return compile_spec(ScenarioSpec.model_validate(data))


CHANNELS = {
    "plain": lambda: SPLIT,
    "lossy": lambda: split_with(
        [{"id": "broker", "delay": {"distribution": "lognormal", "median": 20, "sigma": 1.0}}],
        channel={"default_route": "broker"},
    ),
    "noisy": lambda: split_with(
        [
            {
                "id": "broker",
                "delay_hours": 6,
                "loss": 0.3,
                "fidelity": [{"kind": "noise", "probability": 0.5}],
            }
        ],
        channel={"default_route": "broker"},
    ),
    "hazard": _hazardous,
    "buyer-seller": lambda: load_scenario("buyer-seller"),  # post-settlement proposals
}
_BUILT: dict[str, Scenario] = {}


@settings(max_examples=40, deadline=None)
@given(
    protocol=st.sampled_from(["single-text", "confidential"]),
    channel=st.sampled_from(sorted(CHANNELS)),
    strategy=st.sampled_from(["default", "conceder", "hardliner", "tit-for-tat"]),
    seed=st.integers(0, 10_000),
)
def test_a_runs_moves_replay_through_a_fresh_machine_to_the_same_transcript(
    protocol: str, channel: str, strategy: str, seed: int
) -> None:
    if channel not in _BUILT:
        _BUILT[channel] = CHANNELS[channel]()
    scenario = _BUILT[channel]
    chosen = {} if strategy == "default" else {pid: strategy for pid in scenario.party_ids}
    options = RunOptions(protocol=protocol, strategies=chosen, seed=seed, force_direct=True)
    transcript, recording = play_recorded(prepare_run(scenario, options))
    replayed, refused = replay_through_machine(
        prepare_run(scenario, options), transcript, recording
    )
    assert refused == []
    assert replayed.to_dict() == transcript.to_dict()
    assert replayed.result == transcript.result
