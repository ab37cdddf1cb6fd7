"""The state a write keeps (relay machine, message counts) is the state a replay of the stored
messages gives, and it is used only while nobody else has written to the negotiation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, object_session

from backchannel.service import eventlog, live
from backchannel.service.livestate import SESSION_KEY, LiveStates
from backchannel.service.storage.models import Negotiation

from .conftest import World, make_world, ok, package


def _room(world: World) -> dict:
    return ok(world.clients["us"].get(world.path("/api/negotiations/{id}/room")))


def _propose_and_pass(world: World, option: int) -> None:
    base = world.path("/api/negotiations/{id}")
    terms = package(_room(world), option)
    proposal = {"kind": "proposal", "terms": terms, "confirm_below_walkaway": True}
    sent = ok(world.clients["us"].post(f"{base}/messages", json=proposal), 201)
    assert sent["messages"][-1]["kind"] == "proposal"
    number = int(ok(world.clients["mediator"].get(base))["messages"][-1]["id"])
    ok(world.clients["mediator"].post(f"{base}/relay", json={"to": "iran", "source": number}), 201)


def _states(app: FastAPI) -> LiveStates:
    return app.state.live_states  # type: ignore[no-any-return]


def _assert_kept_state_is_the_replay(world: World, messages: bool = True) -> None:
    kept = _states(world.app).kept(world.id)
    assert kept is not None, "the last write kept its state"
    seq, head_hash, state = kept
    with world.app.state.sessionmaker() as db:
        head = eventlog.lock(db, world.id)
        assert head is not None and (head.seq, head.hash) == (seq, head_hash)
        negotiation = db.get(Negotiation, world.id)
        assert negotiation is not None
        replayed = live.machine(db, negotiation)
        kept_machine = state.machine
        for name in ("positions", "received", "sent", "shown", "rounds", "now", "agreement"):
            assert getattr(kept_machine, name) == getattr(replayed, name), name
        assert kept_machine.transcript.events == replayed.transcript.events
        assert state.rows is not None, "the write kept the negotiation's row and seats"
        kept_negotiation, kept_seats = state.rows
        for name in ("status", "agreement", "mediator_generation", "mediator_token_hash", "seed"):
            assert getattr(kept_negotiation, name) == getattr(negotiation, name), name
        seat_fields = (
            "id",
            "party_id",
            "generation",
            "token_hash",
            "agent",
            "joined",
            "preferences",
        )
        fresh_seats = [
            tuple(getattr(s, f) for f in seat_fields) for s in live.seats(db, negotiation)
        ]
        assert [tuple(getattr(s, f) for f in seat_fields) for s in kept_seats] == fresh_seats
        rows = live.messages(db, negotiation)
        by_number = {m.number: m for m in rows}
        assert bool(state.recent) == messages, "the latest messages are remembered"
        message_fields = ("id", "sender", "recipient", "kind", "outcome", "terms", "text")
        message_fields += ("source_id", "party_number", "edited")
        for number, message in state.recent.items():
            stored = by_number[number]
            for name in message_fields:
                assert getattr(message, name) == getattr(stored, name), (number, name)
        assert state.counts["all"] == len(rows)
        for party in ("us", "iran"):
            own = [m for m in rows if party in (m.sender, m.recipient)]
            assert state.counts.get(party, 0) == len(own), party
        db.rollback()


def test_the_kept_state_is_the_state_a_replay_gives(world: World) -> None:
    states = _states(world.app)
    hits = states.hits
    for option in range(3):
        _propose_and_pass(world, option)
    assert states.hits > hits, "later writes used the state the write before kept"
    _assert_kept_state_is_the_replay(world)


def _elsewhere(world: World, write: Callable[[Session, Negotiation], object]) -> None:
    """Another server process writes: its own session, without this process's kept states."""
    with world.app.state.sessionmaker() as other:
        eventlog.lock(other, world.id)
        negotiation = other.get(Negotiation, world.id)
        assert negotiation is not None
        write(other, negotiation)
        other.commit()


def _propose_and_pass_elsewhere(terms: dict) -> Callable[[Session, Negotiation], None]:
    def write(db: Session, negotiation: Negotiation) -> None:
        sent = live.party_message(db, negotiation, "us", "proposal", terms, "")
        live.relay(db, negotiation, "iran", None, None, None, sent.number)

    return write


def test_messages_stored_by_another_process_are_caught_up_not_rebuilt(world: World) -> None:
    _propose_and_pass(world, 0)
    states = _states(world.app)
    _elsewhere(world, lambda db, n: live.party_message(db, n, "us", "note", None, "elsewhere"))
    _elsewhere(world, _propose_and_pass_elsewhere(package(_room(world), 1)))
    counted = (states.caught_up, states.misses)
    _propose_and_pass(world, 2)
    assert (states.caught_up, states.misses) == (counted[0] + 1, counted[1]), (
        "only messages were stored elsewhere: the kept state read just those"
    )
    messages = ok(world.clients["mediator"].get(world.path("/api/negotiations/{id}")))["messages"]
    ids = [int(m["id"]) for m in messages]
    assert ids == list(range(1, len(ids) + 1)), "numbered without gaps or repeats"
    assert "elsewhere" in [m["text"] for m in messages]
    _assert_kept_state_is_the_replay(world)


def test_a_change_made_elsewhere_that_is_not_a_message_rebuilds_the_state(world: World) -> None:
    _propose_and_pass(world, 0)
    states = _states(world.app)
    _elsewhere(world, lambda db, n: live.party_message(db, n, "us", "note", None, "elsewhere"))
    terms = package(_room(world), 1)
    _elsewhere(world, lambda db, n: live.add_draft(db, n, terms, "a draft"))
    misses = states.misses
    _propose_and_pass(world, 2)
    assert states.misses > misses, "a draft moved the head too: the kept state was rebuilt"
    _assert_kept_state_is_the_replay(world)


def test_a_state_kept_by_a_write_that_rolled_back_is_never_caught_up(world: World) -> None:
    """The write keeps its state before it commits; if the commit does not happen, another
    process's write takes the same place in the chain, with another hash."""
    _propose_and_pass(world, 0)
    states = _states(world.app)
    terms = package(_room(world), 3)
    with world.app.state.sessionmaker() as db:
        db.info[SESSION_KEY] = states
        eventlog.lock(db, world.id)
        negotiation = live.negotiation_for_write(db, world.id)
        assert negotiation is not None
        live.party_message(db, negotiation, "us", "proposal", terms, "never stored")
        db.rollback()
    _elsewhere(world, lambda db, n: live.party_message(db, n, "us", "note", None, "first"))
    _elsewhere(world, lambda db, n: live.party_message(db, n, "us", "note", None, "second"))
    misses = states.misses
    _propose_and_pass(world, 2)
    assert states.misses > misses, "the kept state's own entry is not in the chain"
    assert "never stored" not in [m["text"] for m in _room(world)["messages"]]
    _assert_kept_state_is_the_replay(world)


def test_a_refused_write_keeps_nothing_and_the_next_write_is_right(world: World) -> None:
    _propose_and_pass(world, 1)
    base = world.path("/api/negotiations/{id}")
    refused = world.clients["mediator"].post(f"{base}/relay", json={"to": "iran", "source": 999})
    assert refused.status_code == 404
    # Refused by the machine itself, after the write took the kept state: nothing was passed
    # to this party, so it has nothing to reject.
    terms = package(_room(world), 0)
    rejected = world.clients["us"].post(f"{base}/messages", json={"kind": "reject", "terms": terms})
    assert rejected.status_code == 409, rejected.text
    _propose_and_pass(world, 0)
    _assert_kept_state_is_the_replay(world)


def test_a_writer_whose_predecessor_has_not_closed_its_session_reads_the_rows_anew(
    world: World,
) -> None:
    """Two event loops of one process (a test client's) are kept apart only by the database's
    lock: the next writer may start between the last one's commit and the end of its session.
    The rows that writer kept are still its session's, so the next one reads its own."""
    _propose_and_pass(world, 0)
    states = _states(world.app)
    sessions = [world.app.state.sessionmaker() for _ in range(2)]
    try:
        for db, text in zip(sessions, ("first", "second"), strict=True):
            db.info[SESSION_KEY] = states
            eventlog.lock(db, world.id)
            negotiation = live.negotiation_for_write(db, world.id)
            assert negotiation is not None and object_session(negotiation) is db
            live.party_message(db, negotiation, "us", "note", None, text)
            db.commit()  # the first session stays open while the second writes
    finally:
        for db in sessions:
            db.close()
    texts = [m["text"] for m in _room(world)["messages"]]
    assert texts[-2:] == ["first", "second"]
    _assert_kept_state_is_the_replay(world)


@pytest.mark.parametrize("first_mover", ["person", "agent"])
def test_starting_keeps_the_state_so_the_first_message_reads_nothing_again(
    app: FastAPI, first_mover: str
) -> None:
    world = make_world(app, start=False)
    base = world.path("/api/negotiations/{id}")
    mediator = world.clients["mediator"]
    if first_mover == "agent":  # its opening proposal is stored when the negotiation starts
        ok(mediator.post(f"{base}/seats/iran/agent", json={"strategy": "conceder"}))
    ok(mediator.post(f"{base}/start"))
    _assert_kept_state_is_the_replay(world, messages=first_mover == "agent")
    states = _states(app)
    counted = (states.hits, states.misses)
    party = "us"
    note = {"kind": "note", "text": "the first word"}
    ok(world.clients[party].post(f"{base}/messages", json=note), 201)
    assert (states.hits, states.misses) == (counted[0] + 1, counted[1])
    _assert_kept_state_is_the_replay(world)
