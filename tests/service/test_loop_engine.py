"""PostgreSQL through asyncpg: the busiest writes run on the event loop, the rest in threads
through pg8000; pooled connections are checked only after sitting idle, and a database that
went away answers 503 once, then the service carries on with fresh connections."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from backchannel.service.app import create_app
from backchannel.service.storage import db, loop_engine
from backchannel.service.storage.db import loop_url, make_engine, ping_when_idle, thread_url
from backchannel.service.storage.loop_engine import LOOP_POOL_SIZE

from .conftest import OPERATOR, _settings
from .postgres import with_driver


def test_an_asyncpg_url_is_reached_through_pg8000_from_threads() -> None:
    url = "postgresql+asyncpg://me:secret@db.example:5433/talks?ssl=require"
    assert thread_url(url) == "postgresql+pg8000://me:secret@db.example:5433/talks?ssl=require"
    assert loop_url(url) == url
    for other in ("postgresql+pg8000://me@db/talks", "sqlite:///talks.db"):
        assert thread_url(other) == other
        assert loop_url(other) is None


@pytest.fixture(scope="module")
def own_database(postgres: str) -> Iterator[str]:
    """A database of this module's own (its connections are terminated on purpose)."""
    name = f"backchannel_loop_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield with_driver(postgres.rsplit("/", 1)[0] + "/" + name, "pg8000")
    finally:
        with admin.connect() as connection:
            _terminate(connection, name)
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def _terminate(connection, name: str) -> int:  # type: ignore[no-untyped-def]
    """Terminate every other connection to database ``name``, and wait until each backend has
    exited: a terminated backend is only signalled, and on a busy machine the next request
    could still reach it."""
    pids = (
        connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        .scalars()
        .all()
    )
    for pid in pids:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)")
    deadline = time.monotonic() + 30
    while pids and connection.execute(alive, {"pids": list(pids)}).scalar_one():
        assert time.monotonic() < deadline, "the terminated backends did not exit"
        time.sleep(0.01)
    return len(pids)


def terminate_connections(url: str) -> int:
    """Close every server connection to the database of ``url``, as a restart does."""
    admin = create_engine(with_driver(url, "pg8000"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return _terminate(connection, url.rsplit("/", 1)[1])
    finally:
        admin.dispose()


@contextmanager
def party_in_a_started_negotiation(app) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    """A party's browser in a started negotiation (each browser runs its own event loop)."""
    with (
        TestClient(app, base_url="http://testserver") as mediator,
        TestClient(app, base_url="http://testserver") as party,
    ):
        for c in (mediator, party):
            c.get("/")
            c.headers["X-CSRF-Token"] = c.cookies["bc_csrf"]
        mediator.headers["Authorization"] = f"Bearer {OPERATOR}"
        created = mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}).json()
        token = created["invitations"]["us"].rsplit("/", 1)[1]
        joined = party.post(
            "/join/" + token, data={"csrf": party.cookies["bc_csrf"]}, follow_redirects=False
        )
        assert joined.status_code == 303, joined.text
        started = mediator.post(f"/api/negotiations/{created['id']}/start")
        assert started.status_code == 200, started.text
        yield party, created["id"]


def test_messages_are_written_on_the_loop_and_other_writes_in_threads(
    own_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []
    original = loop_engine.LoopEngines.run

    async def counted(work):  # type: ignore[no-untyped-def]
        runs.append("loop")
        return await original(work)

    monkeypatch.setattr(loop_engine.LoopEngines, "run", staticmethod(counted))
    app = create_app(_settings(with_driver(own_database, "asyncpg")))
    with party_in_a_started_negotiation(app) as (c, negotiation):
        assert runs == []  # creating, joining and starting run in threads
        for n in range(3):
            note = {"kind": "note", "text": f"on the loop {n}"}
            sent = c.post(f"/api/negotiations/{negotiation}/messages", json=note)
            assert sent.status_code == 201, sent.text
        assert len(runs) == 6  # each write: the caller's grant, then the message
        room = c.get(f"/api/negotiations/{negotiation}/room").json()
        assert [m["text"] for m in room["messages"][-3:]] == [f"on the loop {n}" for n in range(3)]


@pytest.mark.parametrize("driver", ["pg8000", "asyncpg"])
def test_a_write_after_the_database_restarted_answers_503_then_the_service_recovers(
    own_database: str, driver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However slowly this machine runs, the connections count as used a moment ago.
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    app = create_app(_settings(with_driver(own_database, driver)))
    with party_in_a_started_negotiation(app) as (c, negotiation):
        address = f"/api/negotiations/{negotiation}/messages"
        first = c.post(address, json={"kind": "note", "text": "before"})
        assert first.status_code == 201, first.text
        assert terminate_connections(own_database) >= 1
        # Used a moment ago, the connection is not checked again: this write meets the
        # closed connection, and nothing of it is kept.
        lost = c.post(address, json={"kind": "note", "text": "lost"})
        assert lost.status_code == 503, lost.text
        assert lost.json()["fix"] == "send it again in a moment"
        again = c.post(address, json={"kind": "note", "text": "again"})
        assert again.status_code == 201, again.text
        room = c.get(address.rsplit("/", 1)[0] + "/room")
        if room.status_code == 503:  # with asyncpg, reads have a pool of their own
            room = c.get(address.rsplit("/", 1)[0] + "/room")
        texts = [m["text"] for m in room.json()["messages"]]
        assert texts[-2:] == ["before", "again"]


def test_a_pg8000_connection_idle_past_the_limit_is_checked_and_replaced(
    own_database: str,
) -> None:
    for seconds, survives in ((0.0, True), (3600.0, False)):
        engine = make_engine(own_database, ping_after_idle=seconds)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            terminate_connections(own_database)
            if survives:
                with engine.connect() as connection:
                    assert connection.execute(text("SELECT 1")).scalar_one() == 1
            else:
                with pytest.raises(DBAPIError), engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()


def test_an_asyncpg_connection_idle_past_the_limit_is_checked_and_replaced(
    own_database: str,
) -> None:
    async def check(seconds: float) -> bool:
        engine = create_async_engine(with_driver(own_database, "asyncpg"))
        ping_when_idle(engine.sync_engine, seconds)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            terminate_connections(own_database)
            try:
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            except DBAPIError:
                return False
            return True
        finally:
            await engine.dispose()

    assert asyncio.run(check(0.0)) is True
    assert asyncio.run(check(3600.0)) is False


def test_the_loop_engine_opens_its_connections_when_the_server_starts(own_database: str) -> None:
    terminate_connections(own_database)
    app = create_app(_settings(with_driver(own_database, "asyncpg")))
    admin = create_engine(own_database, isolation_level="AUTOCOMMIT")
    count = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name")
    name = own_database.rsplit("/", 1)[1]
    try:
        with TestClient(app, base_url="http://testserver"), admin.connect() as connection:
            opened = connection.execute(count, {"name": name}).scalar_one()
            assert opened >= LOOP_POOL_SIZE  # before any request: the first writers need not wait
        with admin.connect() as connection:  # and closed when it stops
            assert connection.execute(count, {"name": name}).scalar_one() < LOOP_POOL_SIZE
    finally:
        admin.dispose()


def test_an_asyncpg_url_without_asyncpg_installed_names_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    real_import = builtins.__import__

    def without_asyncpg(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.split(".")[0] == "asyncpg":
            raise ModuleNotFoundError(f"No module named {name!r}", name="asyncpg")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_asyncpg)
    with pytest.raises(RuntimeError, match=r"needs the asyncpg package: pip install"):
        loop_engine.LoopEngines("postgresql+asyncpg://me@db.example/talks", None)  # type: ignore[arg-type]
