"""Group commit on SQLite: writers that queue up share one transaction and one fsync, and none
is answered before its write is durable; a failed commit fails every writer of its batch."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.sql import expression
from starlette.concurrency import run_in_threadpool

from backchannel.service.errors import ServiceError
from backchannel.service.storage.db import make_engine, session_factory
from backchannel.service.storage.group_commit import GroupCommit

from .server import SERVE, Server, browser, join

WRITERS = 12


def group(tmp_path: Path, max_batch: int = 64) -> tuple[GroupCommit, Path]:
    database = tmp_path / "group.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE rows (writer INTEGER PRIMARY KEY)"))
    return GroupCommit(engine, session_factory(engine), max_batch), database


def stored(database: Path) -> list[int]:
    """The rows another connection sees: what is committed."""
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT writer FROM rows ORDER BY writer")]


async def writer(
    commit: GroupCommit,
    number: int,
    queued: int = 0,
    fail: bool = False,
    then: Callable[[], object] | None = None,
) -> None:
    """Insert one row and commit it; the first writer holds its turn until ``queued`` others
    wait, so that they all land in one batch. ``then`` is scheduled on the loop just before the
    writer gives up its turn (it runs before the writer woken next)."""
    async with commit.member() as session:
        while queued and commit._batch().waiting < queued:
            await asyncio.sleep(0.001)

        def work() -> None:
            session.execute(text("INSERT INTO rows VALUES (:n)"), {"n": number})
            if fail:
                raise ValueError("this writer fails before committing")
            session.commit()

        await run_in_threadpool(work)
        if then is not None:
            asyncio.get_running_loop().call_soon(then)


async def all_writers(commit: GroupCommit, count: int, **options: bool) -> list[object]:
    first = writer(commit, 0, queued=count - 1)
    rest = [
        writer(commit, n, fail=options.get("fail_odd", False) and n % 2 == 1)
        for n in range(1, count)
    ]
    return await asyncio.gather(first, *rest, return_exceptions=True)


def test_queued_writers_share_one_commit_and_are_answered_after_it(tmp_path: Path) -> None:
    commit, database = group(tmp_path)
    seen_when_answered: dict[int, list[int]] = {}

    async def answered(number: int, queued: int) -> None:
        await writer(commit, number, queued)
        seen_when_answered[number] = stored(database)

    async def run() -> None:
        await asyncio.gather(answered(0, WRITERS - 1), *(answered(n, 0) for n in range(1, WRITERS)))

    asyncio.run(run())
    assert commit.commits == 1
    for number, seen in seen_when_answered.items():
        assert number in seen  # durable, seen by another connection, before it was answered
    assert stored(database) == list(range(WRITERS))


def test_a_failing_commit_fails_every_writer_of_its_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit, database = group(tmp_path)
    real = commit._commit_connection
    failures = []

    def failing(connection, heads):  # type: ignore[no-untyped-def]
        failures.append(1)
        raise OSError("disk I/O error")

    monkeypatch.setattr(commit, "_commit_connection", failing)
    results = asyncio.run(all_writers(commit, WRITERS))
    assert len(failures) == 1
    assert all(isinstance(r, ServiceError) and r.status == 503 for r in results), results
    assert stored(database) == []  # none of the batch was kept, and none was acknowledged
    monkeypatch.setattr(commit, "_commit_connection", real)
    asyncio.run(writer(commit, 99))  # the next batch works
    assert stored(database) == [99]


def test_a_failing_writer_leaves_its_batch_intact(tmp_path: Path) -> None:
    commit, database = group(tmp_path)
    results = asyncio.run(all_writers(commit, WRITERS, fail_odd=True))
    failed = [n for n, r in enumerate(results) if isinstance(r, ValueError)]
    assert failed == list(range(1, WRITERS, 2))
    assert [n for n, r in enumerate(results) if r is None] == list(range(0, WRITERS, 2))
    assert stored(database) == list(range(0, WRITERS, 2))
    assert commit.commits == 1


def test_savepoints_go_to_the_driver_and_keep_their_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member's savepoint is opened, released or rolled back on the driver's connection, not
    through a statement SQLAlchemy builds and compiles for each write."""

    def built(*_args: object) -> None:
        raise AssertionError("a savepoint statement was built through SQLAlchemy")

    for clause in ("SavepointClause", "ReleaseSavepointClause", "RollbackToSavepointClause"):
        monkeypatch.setattr(expression, clause, built)
    commit, database = group(tmp_path)
    seen: list[str] = []
    trace = seen.append
    event.listen(commit.engine, "checkout", lambda dbapi, *_: dbapi.set_trace_callback(trace))
    results = asyncio.run(all_writers(commit, 4, fail_odd=True))
    assert [r is None for r in results] == [True, False, True, False]
    assert stored(database) == [0, 2]
    said = [s.split('"')[0].strip() for s in seen if "SAVEPOINT" in s]
    assert said.count("SAVEPOINT") == 4
    assert said.count("RELEASE SAVEPOINT") == 2
    assert said.count("ROLLBACK TO SAVEPOINT") == 2


def test_a_batch_is_at_most_max_batch_writers(tmp_path: Path) -> None:
    commit, database = group(tmp_path, max_batch=4)
    asyncio.run(all_writers(commit, WRITERS))
    assert stored(database) == list(range(WRITERS))
    assert commit.commits >= WRITERS // 4


def test_the_service_answers_503_and_keeps_nothing_when_a_batch_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from backchannel.service.app import create_app
    from backchannel.service.settings import Settings

    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'service.db'}",
            secret_key="group-commit-test-secret-0123456789",
            open_mode=True,
            allowed_hosts=["testserver"],
            data_dir=tmp_path / "data",
        )
    )
    with TestClient(app) as c:
        c.get("/")
        c.headers["X-CSRF-Token"] = c.cookies["bc_csrf"]
        created = c.post("/api/negotiations", data={"scenario": "iran-us-2025"}).json()
        group_commit = app.state.write_queues.group
        monkeypatch.setattr(
            group_commit, "_commit_connection", lambda *_: (_ for _ in ()).throw(OSError("full"))
        )
        refused = c.post(f"/api/negotiations/{created['id']}/start")
        assert refused.status_code == 503, refused.text
        assert "none of it was kept" in refused.json()["error"]
        monkeypatch.undo()
        view = c.get(f"/api/negotiations/{created['id']}").json()
        assert view["status"] == "setup"  # the refused start was not kept
        assert c.post(f"/api/negotiations/{created['id']}/start").status_code == 200
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            SERVE,
            "verify-log",
            "--database-url",
            str(app.state.settings.database_url),
        ],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_many_writers_in_many_negotiations_keep_order_and_numbers(tmp_path: Path) -> None:
    """Several negotiations, several browsers per seat, all writing at once through group
    commit: every message is numbered once per negotiation and once per room, in order, and
    the log (with its anchor) verifies."""
    server = Server(tmp_path / "many.db")
    try:
        negotiations = []
        for _ in range(3):
            mediator = browser(server.base, operator=True)
            created = mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}).json()
            seats = {}
            for party in ("us", "iran"):
                seats[party] = []
                for _ in range(5):
                    c = browser(server.base)
                    join(c, created["invitations"][party])
                    seats[party].append(c)
            assert mediator.post(f"/api/negotiations/{created['id']}/start").status_code == 200
            negotiations.append((created["id"], mediator, seats))
        statuses: list[int] = []
        start = threading.Barrier(30)

        def write(c: httpx.Client, negotiation: str, who: str) -> None:
            start.wait()
            for n in range(4):
                answer = c.post(
                    f"/api/negotiations/{negotiation}/messages",
                    json={"kind": "note", "text": f"{who} {n}"},
                    headers={"Prefer": "return=minimal"},
                )
                statuses.append(answer.status_code)

        threads = [
            threading.Thread(target=write, args=(c, negotiation, f"{party}{i}"))
            for negotiation, _, seats in negotiations
            for party, clients in seats.items()
            for i, c in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses.count(201) == 120, sorted(set(statuses))
        for negotiation, mediator, seats in negotiations:
            view = mediator.get(f"/api/negotiations/{negotiation}").json()
            assert [m["id"] for m in view["messages"]] == list(range(1, 41))
            for party, clients in seats.items():
                room = clients[0].get(f"/api/negotiations/{negotiation}/room").json()
                assert [m["id"] for m in room["messages"]] == list(range(1, 21))
                assert {m["text"] for m in room["messages"]} == {
                    f"{party}{i} {n}" for i in range(5) for n in range(4)
                }
    finally:
        server.kill()
    check = subprocess.run(
        [
            *(sys.executable, "-c", SERVE, "verify-log", "--database-url", server.url_db),
            *("--anchor", str(tmp_path / "data" / "log-anchor")),
        ],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_batch_left_open_by_a_cancelled_waiter_is_still_committed(tmp_path: Path) -> None:
    """The first writer leaves the batch open for the one waiting behind it; that one is
    cancelled (the server stopping) before its turn: the first is still answered, durably."""
    commit, database = group(tmp_path)

    async def run() -> None:
        # The first leaves its batch open for the second, and the second is cancelled after
        # the turn has passed to it but before it runs: deterministic, whatever the timing.
        first = asyncio.ensure_future(writer(commit, 1, queued=1, then=lambda: second.cancel()))
        second = asyncio.ensure_future(writer(commit, 2))
        await asyncio.wait_for(first, timeout=30)
        with pytest.raises(asyncio.CancelledError):
            await second

    asyncio.run(run())
    assert stored(database) == [1]
    assert commit.commits == 1


def busy_timeout(connection) -> int:  # type: ignore[no-untyped-def]
    return int(connection.connection.dbapi_connection.execute("PRAGMA busy_timeout").fetchone()[0])


def test_a_batch_begins_on_the_event_loop_when_the_write_lock_is_free(tmp_path: Path) -> None:
    """No trip to a worker thread for the BEGIN: the transaction is open and holds the write
    lock, and the connection keeps its patience for later statements."""
    commit, database = group(tmp_path)
    connection = commit._begin(patient=False)
    assert connection is not None
    try:
        assert connection.in_transaction()
        assert busy_timeout(connection) == 30000
        other = sqlite3.connect(database, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # the batch holds the database's write lock
        other.close()
    finally:
        connection.rollback()
        connection.close()


def test_a_write_lock_held_elsewhere_is_waited_for_off_the_event_loop(tmp_path: Path) -> None:
    """Another process holds the write lock: the batch's BEGIN does not wait on the loop (it
    says so at once, patience restored), the writer waits in a worker thread while the loop
    serves others, and stores its row once the lock is released."""
    commit, database = group(tmp_path)
    statements: list[str] = []
    commit.engine.dispose()  # new connections, each tracing its statements

    @event.listens_for(commit.engine, "connect")
    def _trace(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.set_trace_callback(statements.append)

    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    assert commit._begin(patient=False) is None
    begun = statements.index("BEGIN IMMEDIATE")
    assert statements[begun - 1] == "PRAGMA busy_timeout=0"  # it did not wait for the lock
    with commit.engine.connect() as connection:
        assert busy_timeout(connection) == 30000
    ticks = 0

    async def run() -> None:
        nonlocal ticks
        waiting = asyncio.ensure_future(writer(commit, 7))
        for _ in range(20):  # the loop keeps turning while the writer waits for the lock
            await asyncio.sleep(0.01)
            ticks += 1
        assert not waiting.done()
        holder.execute("ROLLBACK")
        await asyncio.wait_for(waiting, timeout=30)

    try:
        asyncio.run(run())
    finally:
        holder.close()
    assert ticks == 20
    assert stored(database) == [7]
