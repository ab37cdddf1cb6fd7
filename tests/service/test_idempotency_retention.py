"""Stored idempotent answers are kept for ``Settings.idempotency_hours`` and then deleted; the
upload budget comes from ``Settings`` (environment or ``serve`` options)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from backchannel.service import idempotency
from backchannel.service.app import create_app
from backchannel.service.deps import Caller
from backchannel.service.schemas import ActionAckOut
from backchannel.service.security import MEDIATOR
from backchannel.service.settings import Settings
from backchannel.service.storage.models import IdempotentRequest, Negotiation
from backchannel.service.uploads import MEGABYTE, Budget

from .conftest import _settings, make_world, ok
from .postgres import free_port


def stored_keys(world) -> set[str]:
    with world.app.state.sessionmaker() as db:
        query = select(IdempotentRequest.key).where(IdempotentRequest.negotiation_id == world.id)
        return set(db.execute(query).scalars())


def age(world, key: str, hours: float) -> None:
    """Make the answer stored under ``key`` look ``hours`` old."""
    with world.app.state.sessionmaker() as db:
        db.execute(
            update(IdempotentRequest)
            .where(IdempotentRequest.key == key)
            .values(created_at=datetime.now(UTC) - timedelta(hours=hours))
        )
        db.commit()


def note(world, key: str, text: str):  # type: ignore[no-untyped-def]
    return world.clients["us"].post(
        f"/api/negotiations/{world.id}/messages",
        json={"kind": "note", "text": text},
        headers={"Idempotency-Key": key},
    )


def count(world, text: str) -> int:
    view = ok(world.clients["mediator"].get(f"/api/negotiations/{world.id}"))
    return sum(1 for m in view["messages"] if m["text"] == text)


def test_answers_past_their_retention_are_deleted(world, monkeypatch: pytest.MonkeyPatch) -> None:
    old, recent, later = (uuid.uuid4().hex for _ in range(3))
    ok(note(world, old, "kept a day"), 201)
    ok(note(world, recent, "kept an hour"), 201)
    age(world, old, world.app.state.settings.idempotency_hours + 1)
    age(world, recent, 1)
    monkeypatch.setitem(idempotency._pruned, "at", float("-inf"))  # the next action prunes
    ok(note(world, later, "prunes"), 201)
    keys = stored_keys(world)
    assert old not in keys
    assert {recent, later} <= keys
    again = note(world, recent, "kept an hour")  # within retention: replayed, not repeated
    assert again.status_code == 201 and count(world, "kept an hour") == 1


def test_a_key_past_its_retention_is_a_new_action(world, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(idempotency._pruned, "at", float("inf"))  # no bulk delete meanwhile
    key = uuid.uuid4().hex
    ok(note(world, key, "sent again after two days"), 201)
    age(world, key, 48)
    ok(note(world, key, "sent again after two days"), 201)
    assert count(world, "sent again after two days") == 2
    assert key in stored_keys(world)  # the new answer is kept under the key


def test_the_upload_budget_comes_from_the_settings(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKCHANNEL_UPLOAD_SECONDS", "7.5")
    monkeypatch.setenv("BACKCHANNEL_UPLOAD_MEMORY_MB", "256")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'budget.db'}",
        secret_key="budget-test-secret-0123456789abcdef",
        open_mode=True,
        upload_concurrent=3,
    )
    app = create_app(settings)
    assert app.state.upload_checker.budget == Budget(7.5, 256 * MEGABYTE, 3)
    assert (
        create_app(
            settings.model_copy(update={"upload_seconds": 1.0})
        ).state.upload_checker.budget.seconds
        == 1.0
    )


def test_serve_refuses_a_bad_upload_budget_with_the_setting_named() -> None:
    from typer.testing import CliRunner

    from backchannel.cli.main import app as cli

    port = str(free_port())
    result = CliRunner().invoke(cli, ["serve", "--upload-memory-mb", "8", "--port", port])
    assert result.exit_code != 0
    assert "upload_memory_mb" in result.output


def test_a_key_stored_meanwhile_by_another_process_is_answered_as_stored(postgres: str) -> None:
    """Two server processes act on one key at once (PostgreSQL): the one whose answer is stored
    second finds the key taken when it stores its own, rolls back, and replays the stored one."""
    app = create_app(_settings(postgres))
    world = make_world(app)
    factory = app.state.sessionmaker
    stored = ActionAckOut(id=1, status="open")
    asked = idempotency.fingerprint("relay-minimal", None)
    with factory() as db:
        caller = Caller(db.get(Negotiation, world.id), MEDIATOR, None, None)

        def act_while_the_other_process_stores() -> ActionAckOut:
            with factory() as other:
                other.execute(
                    insert(IdempotentRequest.__table__),
                    {
                        "negotiation_id": world.id,
                        "caller": "mediator",
                        "key": "meanwhile-key",
                        "fingerprint": asked.digest,
                        "response": stored.model_dump(mode="json"),
                        "created_at": datetime.now(UTC),
                    },
                )
                other.commit()
            return ActionAckOut(id=2, status="open")

        answer = idempotency.once(
            db,
            caller,
            "meanwhile-key",
            asked,
            ActionAckOut,
            act_while_the_other_process_stores,
        )
    assert answer == stored
