"""Prepared statements answer exactly as the session would, on SQLite and on PostgreSQL: the
same rows with the same Python values, the same errors, in the session's transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError

from backchannel.service.storage import prepared
from backchannel.service.storage.models import LogEntry, LogHead, Message
from backchannel.service.storage.prepared import Prepared

from .conftest import World

_messages, _entries, _heads = Message.__table__, LogEntry.__table__, LogHead.__table__


def on_session(world: World, body: Callable[[Any], None]) -> None:
    """Run ``body`` with a writer's session: on the event loop through asyncpg for an app that
    writes there (checking that the asyncpg runner, not the session, runs the statements),
    else in this thread."""
    engines = world.app.state.write_queues.loop
    if engines is None:
        with world.app.state.sessionmaker() as db:
            body(db)
        return

    def checked(db: Any) -> None:
        driver = db.connection().connection.dbapi_connection
        assert prepared._Asyncpg.fits(driver)
        body(db)

    async def on_the_loop() -> None:
        async with engines.session() as db:
            await engines.run(lambda: checked(db))
        await engines.dispose()

    asyncio.run(on_the_loop())


_MOVE_HEAD = Prepared(
    update(_heads)
    .where(_heads.c.negotiation_id == bindparam("which"))
    .values(hash=bindparam("new_hash")),
    "move",
)
_ADD_ENTRY = Prepared(insert(_entries), "add_entry")


def _entry_already_there(negotiation: str, seq: int, digest: str) -> dict[str, Any]:
    """A log entry with the number the head already has: the database refuses it."""
    return {
        "negotiation_id": negotiation,
        "seq": seq,
        "kind": "note",
        "audience": "mediator",
        "body": "{}",
        "prev_hash": digest,
        "hash": digest,
    }


def _head(db, world: World) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    """The world's negotiation, its log head's number and hash."""
    head = db.get(LogHead, world.id)
    return world.id, head.seq, head.hash


def test_rows_and_values_match_the_session(world: World) -> None:
    """A message with JSON terms, a time and a flag goes in through the prepared INSERT and
    comes back identical through the session; its id is the one RETURNING gave."""
    moment = datetime(2026, 12, 1, 16, 0, 5, 123456, tzinfo=UTC)

    def body(db: Any) -> None:
        negotiation, _, _ = _head(db, world)
        add = Prepared(insert(_messages).returning(_messages.c.id), "add_message")
        values = {
            "negotiation_id": negotiation,
            "sender": "us",
            "recipient": "mediator",
            "kind": "note",
            "outcome": None,
            "terms": {"enrichment": "3.67", "sanctions": "phased"},
            "text": "100% sure, 'quoted' and %s",
            "source_id": None,
            "number": 10_000,
            "party_number": 10_000,
            "edited": True,
            "created_at": moment,
        }
        (added,) = add.rows(db, values)
        stored = db.execute(select(Message).where(Message.id == added.id)).scalar_one()
        assert stored.terms == values["terms"]
        assert stored.text == values["text"]
        assert stored.edited is True
        assert stored.created_at.replace(tzinfo=UTC) == moment
        read = Prepared(
            select(_messages.c.id, _messages.c.created_at, _messages.c.terms).where(
                _messages.c.id == bindparam("id")
            ),
            "read_message",
        )
        (row,) = read.rows(db, {"id": added.id})
        expected = db.execute(read.statement, {"id": added.id}).one()
        assert tuple(row) == tuple(expected)
        assert row.terms == values["terms"]
        db.rollback()
        assert db.execute(select(Message).where(Message.id == added.id)).first() is None, (
            "the prepared INSERT ran in the session's transaction"
        )

    on_session(world, body)


def test_a_broken_rule_comes_out_as_the_sessions_error(world: World) -> None:
    """A second log entry with the same number is refused as IntegrityError, as from the
    session (the idempotency retry and the service's error answers rely on its type)."""

    def body(db: Any) -> None:
        negotiation, seq, digest = _head(db, world)
        with pytest.raises(IntegrityError):
            _ADD_ENTRY.rows(db, _entry_already_there(negotiation, seq, digest))
        db.rollback()

    on_session(world, body)


def test_a_statement_without_returning_has_no_rows_and_changes_what_it_names(
    world: World,
) -> None:
    def body(db: Any) -> None:
        negotiation, _, _ = _head(db, world)
        assert _MOVE_HEAD.rows(db, {"which": negotiation, "new_hash": "changed"}) == []
        assert db.get(LogHead, negotiation).hash == "changed"
        db.rollback()

    on_session(world, body)


def test_each_transaction_of_a_session_runs_on_its_own_connection(world: World) -> None:
    """The connection a session's statements run on is kept only for its transaction: after
    a commit, and after a refused statement rolled back, the next statement runs in the
    session's new transaction (and so a rollback undoes it, and only it)."""

    def body(db: Any) -> None:
        negotiation, seq, digest = _head(db, world)
        try:
            _MOVE_HEAD.rows(db, {"which": negotiation, "new_hash": "committed"})
            db.commit()
            _MOVE_HEAD.rows(db, {"which": negotiation, "new_hash": "rolled back"})
            db.rollback()
            assert db.get(LogHead, negotiation).hash == "committed"
            with pytest.raises(IntegrityError):
                _ADD_ENTRY.rows(db, _entry_already_there(negotiation, seq, digest))
            db.rollback()
            _MOVE_HEAD.rows(db, {"which": negotiation, "new_hash": "after the refusal"})
            db.rollback()
            assert db.get(LogHead, negotiation).hash == "committed"
        finally:
            _MOVE_HEAD.rows(db, {"which": negotiation, "new_hash": digest})
            db.commit()

    on_session(world, body)


def test_a_value_the_statement_needs_must_be_given(world: World) -> None:
    """A column with a default the session would fill in (a message's time) must be given:
    said plainly, instead of storing a row without it."""
    add = Prepared(insert(_messages), "add_message")
    with world.app.state.sessionmaker() as db:
        negotiation, _, _ = _head(db, world)
        values = {"negotiation_id": negotiation, "sender": "us", "recipient": "mediator"}
        with pytest.raises(ValueError, match=r"add_message: give a value for .*created_at"):
            add.rows(db, values | {"kind": "note"})
        db.rollback()


def test_literal_percent_signs_survive_numbering() -> None:
    """pg8000 numbers values ($1, $2); the dialect writes a literal percent sign as %%."""
    numbered = prepared._Pg8000.placeholders("SELECT '%%' || %s, %s", 2)
    assert numbered == "SELECT '%' || $1, $2"
    with pytest.raises(ValueError):
        prepared._Pg8000.placeholders("SELECT %s", 2)


def test_each_postgresql_connection_prepares_a_statement_once(postgres: str) -> None:
    """On PostgreSQL the statement is parsed once per connection, then only bound and run."""
    from backchannel.service.storage.db import make_engine, session_factory

    engine = make_engine(postgres)
    try:
        factory = session_factory(engine)
        echo = Prepared(select(literal_column("1").label("one"), bindparam("x").label("x")), "echo")
        with factory() as db:
            driver = db.connection().connection.dbapi_connection
            calls: list[str] = []
            original = driver.prepare_statement

            def counting(sql, oids):  # type: ignore[no-untyped-def]
                calls.append(sql)
                return original(sql, oids)

            driver.prepare_statement = counting
            first = echo.rows(db, {"x": "a"})
            second = echo.rows(db, {"x": "b"})
            assert [tuple(first[0]), tuple(second[0])] == [(1, "a"), (1, "b")]
            assert len(calls) == 1
    finally:
        engine.dispose()


def test_an_unknown_driver_gets_the_sessions_execution(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepared, "_RUNNERS", {})
    read = Prepared(
        select(_heads.c.negotiation_id).where(_heads.c.negotiation_id == bindparam("id")), "head"
    )
    with world.app.state.sessionmaker() as db:
        negotiation, _, _ = _head(db, world)
        assert [row.negotiation_id for row in read.rows(db, {"id": negotiation})] == [negotiation]
        assert read.rows(db, {"id": "none"}) == []


def test_postgresql_commits_in_one_simple_query(
    postgres: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write commits: pg8000's own commit takes three round trips, the engine's one."""
    from pg8000.core import CoreConnection

    from backchannel.service.storage.db import make_engine

    sent: list[tuple[str, str]] = []
    for name in ("execute_simple", "execute_unnamed"):
        original = getattr(CoreConnection, name)

        def record(self, statement, *args, _name=name, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            sent.append((_name, statement))
            return _original(self, statement, *args, **kwargs)

        monkeypatch.setattr(CoreConnection, name, record)
    engine = make_engine(postgres)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TEMPORARY TABLE kept (x integer)")
            connection.commit()
            assert sent[-1] == ("execute_simple", "commit")
            assert not connection.connection.dbapi_connection._in_transaction
    finally:
        engine.dispose()


def test_a_closed_connection_s_socket_error_comes_out_as_pg8000_s_network_error() -> None:
    """Reading from a connection the server closed, pg8000 raises the socket's own error;
    the runner gives the "network error" pg8000 gives for a write, which SQLAlchemy takes for
    a disconnect (the request is answered 503 and the pool replaced)."""
    from pg8000 import InterfaceError

    class Closed:
        _in_transaction = True
        autocommit = False
        py_types = None

        def prepare_statement(self, sql, types):  # type: ignore[no-untyped-def]
            return ("statement", None, ())

        def execute_named(self, *args):  # type: ignore[no-untyped-def]
            raise ConnectionResetError(104, "Connection reset by peer")

    with pytest.raises(InterfaceError, match="network error"):
        prepared._Pg8000.execute(Closed(), "SELECT 1", ())
