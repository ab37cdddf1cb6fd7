"""Database engine (SQLite tuned for durability, or any SQLAlchemy URL) and migrations."""

from __future__ import annotations

import json
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

POOL_SIZE = 40
"""Database connections one server process keeps open (PostgreSQL and other servers)."""
POOL_OVERFLOW = 8
"""More connections it may open for a burst beyond that, closed again after use."""
BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite statement waits for another process's write lock before giving up."""
PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled connection unused for longer than this is checked before it is handed out."""
LOOP_DRIVER = "postgresql+asyncpg"
"""The URL scheme whose busiest writes run on the event loop (``storage/loop_engine.py``)."""
THREAD_DRIVER = "postgresql+pg8000"
"""The driver the same database is reached with from threads (migrations, reads, the rest)."""
_IDLE_SINCE = "idle_since"


def thread_url(url: str) -> str:
    """The URL for work done in threads. asyncpg runs only on an event loop, so a
    ``postgresql+asyncpg`` URL is reached through pg8000 there: same server, same database."""
    parsed = make_url(url)
    if parsed.drivername != LOOP_DRIVER:
        return url
    return parsed.set(drivername=THREAD_DRIVER).render_as_string(hide_password=False)


def loop_url(url: str) -> str | None:
    """The URL of the event loop's engine, if the service should have one."""
    return url if make_url(url).drivername == LOOP_DRIVER else None


def make_engine(
    url: str,
    immediate: bool = True,
    pool_size: int = POOL_SIZE,
    ping_after_idle: float | None = None,
) -> Engine:
    """An engine; SQLite runs in WAL mode with ``synchronous=FULL`` so commits survive a crash.

    With ``immediate`` (for requests that write) a SQLite transaction takes the write lock at
    its start, so two writers never fail on upgrading a read lock; readers use plain ``BEGIN``.
    A ``postgresql+asyncpg`` URL gives the engine for threads (``thread_url``).
    """
    url = thread_url(url)
    if not url.startswith("sqlite"):
        # Connections are kept, not opened per burst: a writer holds its connection for the
        # whole request, and with 10 kept (and 20 more opened and closed as needed), 50 writers
        # at once made PostgreSQL start a new backend process for most of their requests (a
        # tenth of the service's CPU, more of the database's). ``serve --workers N`` may use
        # N x (POOL_SIZE + POOL_OVERFLOW) connections; PostgreSQL allows 100 by default.
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=POOL_OVERFLOW, json_deserializer=load_json
        )
        event.listen(engine, "connect", _commit_in_one_round_trip)
        event.listen(engine, "handle_error", _lost_socket_is_a_disconnect)
        ping_when_idle(engine, ping_after_idle)
        return engine
    _ensure_folder(url)
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        json_deserializer=load_json,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    _savepoints_on_the_driver(engine)
    return engine


def _savepoints_on_the_driver(engine: Engine) -> None:
    """Every write under group commit opens and releases a savepoint; SQLAlchemy builds and
    compiles a statement for each (about a sixth of a write's CPU). The same three statements
    go straight to the driver's connection instead, with the same effect on the transaction.
    The names are SQLAlchemy's own (``sa_savepoint_N``)."""

    def run(connection: Any, statement: str) -> None:
        connection.connection.dbapi_connection.execute(statement)

    dialect: Any = engine.dialect  # this engine's own dialect object, nobody else's
    dialect.do_savepoint = lambda c, name: run(c, f'SAVEPOINT "{name}"')
    dialect.do_release_savepoint = lambda c, name: run(c, f'RELEASE SAVEPOINT "{name}"')
    dialect.do_rollback_to_savepoint = lambda c, name: run(c, f'ROLLBACK TO SAVEPOINT "{name}"')


def ping_when_idle(engine: Engine, seconds: float | None = None) -> None:
    """Check a connection before handing it out only if it sat unused for ``seconds``
    (``PING_AFTER_IDLE_SECONDS`` as it is at each checkout if None).

    A database restart closes every connection, and a check (one round trip) before each use
    would find that out; on every write it cost about a tenth of the PostgreSQL service's
    throughput. A connection in use moments ago is alive unless the database went down just
    now: that write fails (503, "send it again"), the pool drops its connections, and the retry
    finds fresh ones. A connection whose check fails is replaced before anyone gets it."""

    def now(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        limit = PING_AFTER_IDLE_SECONDS if seconds is None else seconds
        if since is not None and time.monotonic() - since <= limit:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the pooled connection was closed") from error
        record.info[_IDLE_SINCE] = time.monotonic()

    event.listen(engine, "connect", now)
    event.listen(engine, "checkin", now)
    event.listen(engine, "checkout", check)


def _lost_socket_is_a_disconnect(context: Any) -> Exception | None:
    """pg8000 lets a socket's error through as it is when reading from a connection the server
    closed (``ConnectionResetError``), where writing to one gives its ``InterfaceError``
    ("network error"). SQLAlchemy then neither wraps it nor drops the pool's connections, and
    the request was answered 500; as a DB-API disconnect it is answered 503 and the pool
    replaced, as for the write."""
    error = context.original_exception
    if not isinstance(error, OSError):
        return None
    dbapi = context.dialect.loaded_dbapi
    context.is_disconnect = True
    return DBAPIError.instance(
        context.statement,
        context.parameters,
        dbapi.InterfaceError("network error"),
        dbapi.Error,
        connection_invalidated=True,
        dialect=context.dialect,
    )


def _commit_in_one_round_trip(dbapi_connection: Any, _record: Any) -> None:
    """pg8000 commits through its extended protocol (parse, describe, execute: three round
    trips, on every write); a COMMIT sent as a simple query is one, with the same outcome.
    Other drivers are left as they are."""
    simple = getattr(dbapi_connection, "execute_simple", None)
    if simple is not None:
        dbapi_connection.commit = lambda: simple("commit")


SMALL_JSON = 2048
_IMMUTABLE = (str, int, float, bool, type(None))


def load_json(text: str) -> Any:
    """``json.loads`` for JSON columns, remembering small documents it has read.

    A write reads the negotiation's messages again (their terms are small, flat objects that
    repeat from request to request); parsing each every time was a fifth of the service's CPU
    per write. Each call still returns a new object: a flat object is copied, anything nested
    is parsed anew, so no caller can change what another one reads.
    """
    if len(text) > SMALL_JSON:
        return json.loads(text)
    flat, value = _parsed(text)
    if flat:
        return dict(value) if isinstance(value, dict) else value
    return json.loads(text)


@lru_cache(maxsize=16384)
def _parsed(text: str) -> tuple[bool, Any]:
    """The parsed document, and whether a shallow copy of it is a full copy."""
    value = json.loads(text)
    if isinstance(value, dict):
        return all(isinstance(v, _IMMUTABLE) for v in value.values()), value
    return isinstance(value, _IMMUTABLE), value


def _ensure_folder(url: str) -> None:
    database = url.split("///", 1)[1] if "///" in url else ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (the server does this on start)."""
    config = Config()
    folder = resources.files("backchannel.service.storage") / "migrations"
    config.set_main_option("script_location", str(folder))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
