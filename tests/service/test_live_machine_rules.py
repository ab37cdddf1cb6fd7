"""The live service drives the relay machine: its rules, its real-time deadline, its agents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from backchannel.protocols.deadline import PASSED
from backchannel.protocols.relay import Pass, Propose, RelayMachine
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.loader import load_scenario
from backchannel.service import agents
from backchannel.service.storage.models import Message, Negotiation

from .conftest import make_world, ok, package


def api(world, suffix: str = "") -> str:
    return f"/api/negotiations/{world.id}{suffix}"


@pytest.fixture
def opened_days_ago(app) -> Iterator[Callable[[str, float], None]]:
    """Make a negotiation look as if opened ``days`` ago and talked on its first day; its
    opening time is put back afterwards (``verify-log`` checks it; other tests share the
    database)."""
    shifted: dict[str, timedelta] = {}

    def shift(negotiation_id: str, days: float) -> None:
        shifted[negotiation_id] = timedelta(days=days)
        _shift(app, negotiation_id, timedelta(days=days))

    yield shift
    for negotiation_id, by in shifted.items():
        _shift(app, negotiation_id, -by)


def _shift(app, negotiation_id: str, by: timedelta) -> None:
    with app.state.sessionmaker() as db:
        negotiation = db.get(Negotiation, negotiation_id)
        negotiation.created_at = negotiation.created_at - by
        negotiation.opened_at = negotiation.opened_at - by  # hour 0 of its clock
        stored = select(Message).where(Message.negotiation_id == negotiation_id)
        for message in db.execute(stored).scalars():
            message.created_at = message.created_at - by
        db.commit()
    # Rewritten behind the service's back (the log head did not move): the kept state is stale.
    app.state.live_states.clear()


def test_a_move_after_the_deadline_is_refused_and_the_transcript_ends_at_it(
    app, opened_days_ago
) -> None:
    world = make_world(app)  # iran-us-2025: a 180-day deadline
    opened_days_ago(world.id, 181)
    iran, mediator = world.clients["iran"], world.clients["mediator"]
    late = iran.post(api(world, "/messages"), json={"kind": "accept"})
    assert late.status_code == 409, late.text
    assert "deadline passed" in late.json()["error"] and "close" in late.json()["fix"]
    relay = mediator.post(
        api(world, "/relay"),
        json={
            "to": "us",
            "kind": "proposal",
            "terms": package(ok(iran.get(api(world, "/room"))), 0),
        },
    )
    assert relay.status_code == 409 and "deadline" in relay.json()["error"]
    ok(iran.post(api(world, "/messages"), json={"kind": "note", "text": "still here"}), 201)
    export = ok(mediator.get(api(world, "/export")))
    transcript = export["transcript"]
    assert export["negotiation"]["status"] == "open"
    assert [e["kind"] for e in transcript["events"]][-1] == "breakdown"
    assert transcript["result"]["reason"] == PASSED
    assert transcript["result"]["time_hours"] == 180 * 24.0
    assert [e["kind"] for e in transcript["events"][1:3]] == ["offer", "offer"]  # kept, in time


def test_within_the_deadline_the_same_accept_makes_the_agreement(app, opened_days_ago) -> None:
    world = make_world(app)
    opened_days_ago(world.id, 179)
    answer = ok(world.clients["iran"].post(api(world, "/messages"), json={"kind": "accept"}), 201)
    assert answer["status"] == "agreed"


def test_nothing_can_be_accepted_before_the_mediator_passes_a_package(app) -> None:
    world = make_world(app)
    us = world.clients["us"]  # the US proposed; nothing was passed to it
    terms = package(ok(us.get(api(world, "/room"))), 1)
    refused = us.post(api(world, "/messages"), json={"kind": "accept", "terms": terms})
    assert refused.status_code == 409 and "nothing to accept yet" in refused.json()["error"]


def test_an_agent_seat_feels_real_time_not_round_counts() -> None:
    """The same proposal, passed at the start and near the deadline: a time-based agent
    asks for less late (its view's relative time is hours against the real deadline)."""
    scenario = load_scenario("buyer-seller")
    buyer, seller = scenario.party_ids
    deadline = scenario.deadline_days * 24.0
    column = scenario.party_index(seller)
    asked = []
    for now in (0.0, 0.95 * deadline):
        transcript = Transcript(scenario.name, "live", scenario.party_ids, 0)
        machine = RelayMachine(scenario, transcript, mediator="mediator", deadline_hours=deadline)
        worst_for_seller = int(scenario.utilities[:, column].argmin())
        machine.apply(Propose(buyer, worst_for_seller), now)
        machine.apply(Pass(seller, "proposal", buyer, worst_for_seller, worst_for_seller), now)
        assert machine.view(seller, now, machine.rounds).relative_time >= now / deadline
        move = agents.answer(machine, seller, "linear", seed=1, seat_id=1, now=now)
        assert not move.accept and move.counter is not None
        asked.append(float(scenario.utilities[move.counter, column]))
    assert asked[1] < asked[0]


def test_every_bundled_scenario_can_be_opened_live() -> None:
    """The live service keeps no timeline, so none of what needs one (the flagship's breakdown
    hazard reads a timeline indicator) may stay in the stored spec."""
    from backchannel.scenario.loader import bundled_names
    from backchannel.service.scenarios import bundled_spec, compiled

    for name in bundled_names():
        spec = bundled_spec(name)
        assert "timeline" not in spec and "breakdown" not in spec.get("negotiation", {})
        assert compiled(spec).name == name
