"""The alternating-offers machine (``protocols.alternating_machine``): who may move, what an
answer does, the one agreement rule; and the property that the direct and shuttle engines only
drive it (every move of a run is one the rules allow, and replaying a run's moves through a
fresh machine reaches the run's result)."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.protocols import alternating
from backchannel.protocols.alternating_machine import (
    AlternatingMachine,
    CheckedAlternatingMachine,
    MovePlayed,
    replay,
)
from backchannel.protocols.relay import IllegalMove as AlternatingIllegalMove
from backchannel.protocols.relay import Pass, Propose, Respond
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.loader import compile_spec, load_scenario
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec

SCENARIO = load_scenario("buyer-seller")
FIRST = SCENARIO.first_mover
SECOND = next(pid for pid in SCENARIO.party_ids if pid != FIRST)
ANSWER_KINDS = {"accept", "reject", "confirm", "miscalculation"}


def _party(pid: str, low_is_good: bool) -> dict:
    points = [[0, 1.0], [10, 0.0]] if low_is_good else [[0, 0.0], [10, 1.0]]
    return {
        "id": pid,
        "reservation": 0.1,
        "preferences": {"weights": {"share": 1.0}, "values": {"share": points}},
    }


def three_parties() -> Scenario:
    return compile_spec(
        ScenarioSpec.model_validate(
            {
                "name": "three",
                "issues": [{"id": "share", "range": {"min": 0, "max": 10, "step": 1}}],
                "parties": [_party("a", False), _party("b", True), _party("c", True)],
                "channel": {
                    "direct_delay_hours": 1,
                    "intermediaries": [{"id": "broker", "delay_hours": 3}],
                    "default_route": "broker",
                },
                "negotiation": {"deadline_days": 6, "max_rounds": 4},
            }
        )
    )


def fresh(scenario: Scenario = SCENARIO) -> AlternatingMachine:
    return AlternatingMachine(scenario, Transcript(scenario.name, "direct", scenario.party_ids, 0))


def test_an_accepted_proposal_is_the_agreement() -> None:
    machine = fresh()
    assert machine.apply(Propose(FIRST, 5), 0.0) == []
    events = machine.apply(Respond(SECOND, "accept", 5), 3.0, ("broker",))
    assert [(e.kind, e.sender, e.receiver, e.outcome, e.via) for e in events] == [
        ("accept", SECOND, FIRST, 5, ("broker",))
    ]
    assert machine.all_accepted and machine.agreement() == 5


def test_a_rejection_closes_the_round_and_hands_the_turn_to_the_rejecter() -> None:
    machine = fresh()
    machine.apply(Propose(FIRST, 5), 0.0)
    machine.apply(Respond(SECOND, "reject", 5), 1.0)
    assert machine.proposer is None and machine.rejecter == SECOND
    assert machine.turns.proposer == SECOND and machine.agreement() is None
    with pytest.raises(AlternatingIllegalMove, match=f"{SECOND}'s turn"):
        machine.apply(Propose(FIRST, 6), 2.0)
    machine.apply(Propose(SECOND, 7), 2.0)
    assert machine.rounds == 2 and machine.rejecter is None


def test_a_changed_text_needs_the_proposers_confirmation() -> None:
    machine = fresh()
    machine.apply(Propose(FIRST, 5), 0.0)
    machine.apply(Respond(SECOND, "accept", 6), 1.0)  # an intermediary changed 5 into 6
    assert machine.all_accepted and machine.agreement() is None
    assert machine.refusal(Respond(FIRST, "accept", 5)) is not None  # only the changed text
    (event,) = machine.apply(Respond(FIRST, "accept", 6), 2.0)
    assert (event.kind, event.outcome, event.delivered) == ("confirm", 5, 6)
    assert machine.agreement() == 6


def test_a_refused_confirmation_is_a_miscalculation_and_the_turn_passes_on() -> None:
    machine = fresh()
    machine.apply(Propose(FIRST, 5), 0.0)
    machine.apply(Respond(SECOND, "accept", 6), 1.0)
    (event,) = machine.apply(Respond(FIRST, "reject", 6), 2.0)
    assert event.kind == "miscalculation" and machine.rejecter is None
    assert machine.turns.proposer == SECOND and machine.agreement() is None


def test_receivers_who_accept_different_texts_are_a_miscalculation() -> None:
    machine = fresh(three_parties())
    machine.apply(Propose("a", 5), 0.0)
    with pytest.raises(AlternatingIllegalMove, match="b answers first"):
        machine.apply(Respond("c", "accept", 5), 1.0)
    machine.apply(Respond("b", "accept", 5), 1.0)
    events = machine.apply(Respond("c", "accept", 4), 2.0)
    assert [e.kind for e in events] == ["accept", "miscalculation"]
    assert events[1].details["accepted"] == [4, 5]
    assert machine.proposer is None and machine.turns.proposer == "b"


@pytest.mark.parametrize(
    ("moves", "why"),
    [
        ([Respond(SECOND, "accept", 5)], "no proposal is on the table"),
        ([Propose(SECOND, 5)], "turn to propose"),
        ([Propose(FIRST, 5), Propose(FIRST, 5)], "already on the table"),
        ([Propose(FIRST, 5), Respond(FIRST, "accept", 5)], "proposer answers only"),
        ([Propose(FIRST, 5), Respond("nobody", "accept", 5)], "no party 'nobody'"),
        ([Pass(SECOND, "proposal", FIRST, 5, 5)], "no mediator"),
    ],
)
def test_the_rules_refuse_a_move_out_of_turn(moves: list, why: str) -> None:
    machine = fresh()
    *before, last = moves
    for move in before:
        machine.apply(move, 0.0)
    with pytest.raises(AlternatingIllegalMove, match=why):
        machine.apply(last, 0.0)


def test_the_round_limit_and_the_end_refuse_moves() -> None:
    machine = fresh(three_parties())
    while machine.rounds < machine.max_rounds:
        proposer = machine.turns.proposer
        machine.apply(Propose(proposer, 5), 0.0)
        machine.apply(Respond(machine.receivers_of[proposer][0], "reject", 5), 0.0)
    refused = machine.refusal(Propose(machine.turns.proposer, 5))
    assert refused == "the round limit (4 proposals) is reached" and machine.out_of_rounds
    machine.transcript.result = mock.sentinel.result  # the driver concluded the talks
    assert machine.is_over
    assert machine.refusal(Propose(machine.turns.proposer, 5)) == "the negotiation is over"


def recorded_run(scenario: Scenario, options: RunOptions) -> tuple[Transcript, list[MovePlayed]]:
    """Play a run through a checked machine (every move the engine makes is checked against
    the rules and kept); the run is the same as on the trusted path."""
    made: list[CheckedAlternatingMachine] = []

    def checked(*args: object) -> CheckedAlternatingMachine:
        made.append(CheckedAlternatingMachine(*args))  # type: ignore[arg-type]
        return made[-1]

    with mock.patch.object(alternating, "AlternatingMachine", checked):
        transcript = run_negotiation(scenario, options)
    assert transcript.to_dict() == run_negotiation(scenario, options).to_dict()
    (machine,) = made
    return transcript, machine.moves


def assert_replays(scenario: Scenario, options: RunOptions) -> None:
    """The run's moves, replayed through a fresh machine, are all legal and reach its result:
    the same rounds, the same answers and, when it agreed, the same agreement."""
    transcript, moves = recorded_run(scenario, options)
    assert moves, "the engine made no move on its machine"
    machine = fresh(scenario)
    assert replay(machine, moves) == []
    result = transcript.result
    assert result is not None
    assert machine.rounds == result.rounds
    if result.agreed:
        assert machine.agreement() == result.agreement
    answers = [e.to_dict() for e in transcript.events if e.kind in ANSWER_KINDS]
    assert [e.to_dict() for e in machine.transcript.events] == answers


def _noisy() -> Scenario:
    spec = {
        "name": "noisy",
        "issues": [{"id": "share", "range": {"min": 0, "max": 10, "step": 1}}],
        "parties": [_party("a", False), _party("b", True)],
        "channel": {
            "direct_delay_hours": 1,
            "intermediaries": [
                {
                    "id": "broker",
                    "delay_hours": 5,
                    "loss": 0.1,
                    "fidelity": [{"kind": "noise", "probability": 0.6}],
                }
            ],
            "default_route": "broker",
        },
        "negotiation": {"deadline_days": 6, "max_rounds": 30},
    }
    return compile_spec(ScenarioSpec.model_validate(spec))


SCENARIOS = {"buyer-seller": SCENARIO, "noisy": _noisy(), "three": three_parties()}


@settings(max_examples=30, deadline=None)
@given(
    scenario=st.sampled_from(sorted(SCENARIOS)),
    protocol=st.sampled_from(["direct", "shuttle"]),
    strategy=st.sampled_from(["", "conceder", "boulware", "tit-for-tat"]),
    seed=st.integers(0, 10_000),
)
def test_replaying_a_runs_moves_reaches_the_same_result(
    scenario: str, protocol: str, strategy: str, seed: int
) -> None:
    chosen = SCENARIOS[scenario]
    strategies = {p.id: strategy for p in chosen.parties} if strategy else {}
    options = RunOptions(protocol=protocol, strategies=strategies, seed=seed, force_direct=True)
    assert_replays(chosen, options)
