"""The relay machine (``protocols.relay``): who may move, what a move does, the one agreement
rule, the deadline and the round limit; checked move by move and against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.protocols.deadline import PASSED, relative_time
from backchannel.protocols.events import undeclared
from backchannel.protocols.relay import (
    IllegalMove,
    Pass,
    Propose,
    RelayMachine,
    Respond,
    common_position,
)
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.loader import load_scenario
from backchannel.scenario.model import Scenario

SCENARIO = load_scenario("buyer-seller")
BUYER, SELLER = SCENARIO.party_ids


def fresh(scenario: Scenario = SCENARIO, deadline: float = 100.0) -> RelayMachine:
    transcript = Transcript(scenario.name, "live", scenario.party_ids, 0)
    return RelayMachine(scenario, transcript, mediator="m", deadline_hours=deadline)


def test_an_accepted_proposal_passed_unedited_is_the_agreement() -> None:
    machine = fresh()
    machine.apply(Propose(BUYER, 5), 1.0)
    machine.apply(Pass(SELLER, "proposal", BUYER, 5, 5), 2.0)
    assert machine.view(SELLER, 2.0, 1).received[-1].outcome == 5
    assert not machine.is_over
    events = machine.apply(Respond(SELLER, "accept", 5), 3.0)
    assert [e.kind for e in events] == ["accept", "agreement"]
    result = machine.transcript.result
    assert result is not None and result.agreement == 5 and result.time_hours == 3.0
    assert result.utilities == {
        pid: float(SCENARIO.utilities[5, k]) for k, pid in enumerate(SCENARIO.party_ids)
    }
    with pytest.raises(IllegalMove, match="over"):
        machine.apply(Propose(BUYER, 6), 4.0)


def test_accepting_an_edited_text_is_no_agreement_until_the_proposer_stands_on_it() -> None:
    machine = fresh()
    machine.apply(Propose(BUYER, 5), 1.0)
    machine.apply(Pass(SELLER, "proposal", BUYER, 5, 7), 2.0)  # the mediator edited it
    machine.apply(Respond(SELLER, "accept", 7), 3.0)
    assert machine.agreement is None and machine.positions == {BUYER: 5, SELLER: 7}
    machine.apply(Pass(BUYER, "accept", SELLER, 7, 7), 4.0)
    machine.apply(Respond(BUYER, "accept", 7), 5.0)
    assert machine.agreement == 7


def test_a_rejection_withdraws_the_party_s_position() -> None:
    machine = fresh()
    machine.apply(Propose(BUYER, 5), 0.0)
    machine.apply(Pass(SELLER, "proposal", BUYER, 5, 5), 0.0)
    machine.apply(Respond(SELLER, "reject", 5), 0.0)
    assert machine.positions == {BUYER: 5, SELLER: None}
    machine.apply(Propose(SELLER, 9), 0.0)
    assert machine.rounds == 2 and machine.agreement is None


def test_who_may_move() -> None:
    machine = fresh()
    with pytest.raises(IllegalMove, match="nothing to accept yet"):
        machine.apply(Respond(SELLER, "accept", 5), 0.0)
    with pytest.raises(IllegalMove, match="no party 'mars'"):
        machine.apply(Propose("mars", 5), 0.0)
    with pytest.raises(IllegalMove, match="needs terms"):
        machine.apply(Pass(BUYER, "proposal", "m", None, None), 0.0)
    assert machine.transcript.events == []  # a refused move changes nothing


def test_the_deadline_refuses_late_moves_and_ends_the_talks_at_it() -> None:
    machine = fresh(deadline=10.0)
    machine.apply(Propose(BUYER, 5), 10.0)  # at the deadline still counts
    with pytest.raises(IllegalMove, match="deadline passed"):
        machine.apply(Pass(SELLER, "proposal", BUYER, 5, 5), 10.5)
    machine.expire()
    result = machine.transcript.result
    assert result is not None and result.reason == PASSED and result.time_hours == 10.0


def test_the_round_limit_refuses_one_proposal_too_many() -> None:
    machine = fresh()
    for _ in range(SCENARIO.max_rounds):
        machine.apply(Propose(BUYER, 5), 0.0)
    with pytest.raises(IllegalMove, match="round limit"):
        machine.apply(Propose(SELLER, 6), 0.0)


def test_times_never_go_back() -> None:
    machine = fresh()
    machine.apply(Propose(BUYER, 5), 4.0)
    (event,) = machine.apply(Propose(SELLER, 6), 1.0)
    assert event.time_hours == 4.0


def test_relative_time_is_the_clock_or_the_rounds_whichever_is_further() -> None:
    assert relative_time(12.0, 48.0, 1, 100) == 0.25
    assert relative_time(1.0, 48.0, 50, 100) == 0.5
    assert relative_time(96.0, 48.0, 1, 100) == 1.0
    machine = fresh(deadline=40.0)
    assert machine.view(BUYER, 10.0, 1).relative_time == max(10 / 40, 1 / SCENARIO.max_rounds)


def test_a_view_holds_the_party_s_own_utilities_only() -> None:
    machine = fresh()
    machine.apply(Propose(BUYER, 5), 0.0)
    machine.apply(Pass(SELLER, "proposal", BUYER, 5, 8), 1.0)
    view = machine.view(SELLER, 1.0, 1)
    assert np.array_equal(view.utilities, SCENARIO.utilities[:, 1])
    assert [o.outcome for o in view.received] == [8] and view.sent == ()
    assert machine.view(BUYER, 1.0, 1).received == ()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["propose", "accept", "reject", "pass"]),
            st.sampled_from([0, 1]),
            st.integers(0, 3),
            st.floats(0.0, 120.0),
        ),
        max_size=25,
    )
)
def test_agreement_is_exactly_every_party_on_one_package(moves) -> None:
    """Against a brute-force replay of positions, over random move sequences."""
    machine = fresh()
    positions: dict[str, int | None] = {BUYER: None, SELLER: None}
    passed: dict[str, int | None] = {BUYER: None, SELLER: None}
    expected = None
    for kind, who, outcome, at in moves:
        party, other = SCENARIO.party_ids[who], SCENARIO.party_ids[1 - who]
        move = {
            "propose": Propose(party, outcome),
            "accept": Respond(party, "accept", outcome),
            "reject": Respond(party, "reject", outcome),
            "pass": Pass(party, "proposal", other, outcome, outcome),
        }[kind]
        try:
            machine.apply(move, at)
        except IllegalMove:
            answerable = passed[party] is not None
            legal = expected is None and (kind in ("propose", "pass") or answerable)
            assert not legal or at > machine.deadline_hours
            continue
        assert expected is None, "a move after the agreement"
        if kind == "pass":
            passed[party] = outcome
        else:
            positions[party] = None if kind == "reject" else outcome
        if None not in positions.values() and len(set(positions.values())) == 1:
            expected = positions[BUYER]
    assert machine.agreement == expected
    assert common_position(positions) == expected
    times = [e.time_hours for e in machine.transcript.events]
    assert times == sorted(times)
    assert not [p for e in machine.transcript.events for p in undeclared(e.kind, dict(e.details))]


def test_the_step_engine_plays_the_machine_with_agents() -> None:
    """Protocol ``live``: every proposal goes through the mediator; the ending is the machine's."""
    transcript = run_negotiation(SCENARIO, RunOptions(protocol="live", seed=3))
    result = transcript.result
    assert result is not None
    offers = transcript.of_kind("offer")
    own = [e for e in offers if not e.via]
    passed = [e for e in offers if e.via]
    assert own and all(e.receiver == passed[0].via[0] for e in own)  # to the mediator only
    assert [e.outcome for e in passed] == [e.outcome for e in own][: len(passed)]
    assert result.agreed  # the buyer and seller of this seed come to terms
    for party in SCENARIO.party_ids:  # each stands on the agreement: its last proposal or yes
        stands = [
            e
            for e in transcript.events
            if e.sender == party and not e.via and e.kind in ("offer", "accept", "reject")
        ]
        assert stands[-1].kind != "reject" and stands[-1].delivered == result.agreement
    deadline = SCENARIO.deadline_days * 24.0
    assert result.time_hours <= deadline


def moves_of(transcript: Transcript, mediator: str):
    """The machine's moves a transcript records, as the live service stores them."""
    for event in transcript.events:
        if event.kind not in ("offer", "accept", "reject"):
            continue
        if event.via:
            kind = "proposal" if event.kind == "offer" else event.kind
            move = Pass(event.receiver, kind, event.sender, event.outcome, event.delivered)
        elif event.kind == "offer":
            move = Propose(event.sender, event.outcome)
        else:
            move = Respond(event.sender, event.kind, event.delivered)
        yield move, event.time_hours


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("mediator", [None, "hold", "reword", "scheduled"])
def test_replaying_a_step_engine_run_as_the_service_does_reaches_the_same_end(seed, mediator):
    """The service rebuilds its machine from stored moves; from a ``live`` run's moves it must
    reach the run's agreement at the same hour and round: one machine, two drivers."""
    ran = run_negotiation(SCENARIO, RunOptions(protocol="live", seed=seed, mediator=mediator))
    result = ran.result
    assert result is not None
    mediator_id = ran.events[0].via[0]
    machine = RelayMachine(
        SCENARIO,
        Transcript(SCENARIO.name, "live", SCENARIO.party_ids, seed),
        mediator=mediator_id,
        deadline_hours=SCENARIO.deadline_days * 24.0,
    )
    for move, at in moves_of(ran, mediator_id):
        machine.apply(move, at)
    if result.reason == "agreement":
        replayed = machine.transcript.result
        assert replayed is not None and replayed.agreement == result.agreement
        assert (replayed.time_hours, replayed.rounds) == (result.time_hours, result.rounds)
    else:
        assert machine.agreement is None and not machine.is_over
