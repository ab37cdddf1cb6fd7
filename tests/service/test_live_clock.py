"""A live negotiation's clock starts when the mediator starts it: a negotiation set up days
before it is started keeps its whole deadline, and its opening time is in its log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import update

from backchannel.service.record import verify
from backchannel.service.storage.models import Negotiation

from .conftest import make_world, ok, package


def _set(app: FastAPI, negotiation_id: str, **values: object) -> None:
    with app.state.sessionmaker() as db:
        db.execute(update(Negotiation).where(Negotiation.id == negotiation_id).values(**values))
        db.commit()
    app.state.live_states.clear()  # changed outside the service


def _problems(app: FastAPI, negotiation_id: str) -> list[str]:
    """What ``verify-log`` finds in this negotiation's rows (other tests share the database)."""
    with app.state.sessionmaker() as db:
        return [p for p in verify(db).problems if negotiation_id in p]


def test_the_deadline_counts_from_the_start_not_from_the_creation(app: FastAPI) -> None:
    world = make_world(app, start=False)
    base = world.path("/api/negotiations/{id}")
    deadline_days = 180  # the flagship's
    _set(app, world.id, created_at=datetime.now(UTC) - timedelta(days=deadline_days + 20))
    before = datetime.now(UTC)
    ok(world.clients["mediator"].post(f"{base}/start"))
    room = ok(world.clients["us"].get(f"{base}/room"))
    proposal = {"kind": "proposal", "terms": package(room, 0), "confirm_below_walkaway": True}
    ok(world.clients["us"].post(f"{base}/messages", json=proposal), 201)
    export = ok(world.clients["mediator"].get(f"{base}/export"))
    opened_at = datetime.fromisoformat(export["negotiation"]["opened_at"])
    assert before <= opened_at <= datetime.now(UTC)
    proposed = [e for e in export["transcript"]["events"] if e["kind"] == "offer"]
    assert proposed and 0.0 <= proposed[0]["time_hours"] < 0.1, "hour 0 is the start"
    assert _problems(app, world.id) == []


def test_an_opening_time_changed_outside_the_service_is_found(app: FastAPI) -> None:
    world = make_world(app)
    with app.state.sessionmaker() as db:
        negotiation = db.get(Negotiation, world.id)
        assert negotiation is not None and negotiation.opened_at is not None
        earlier = negotiation.opened_at - timedelta(days=10)
    _set(app, world.id, opened_at=earlier)
    problems = _problems(app, world.id)
    _set(app, world.id, opened_at=negotiation.opened_at)  # other tests verify the database
    assert problems and all("opened_at" in problem for problem in problems), problems
    assert _problems(app, world.id) == []
