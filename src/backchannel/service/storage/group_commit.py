"""Group commit for SQLite: the writes queued at one moment share one transaction and one fsync.

SQLite has one writer at a time, and each commit waits for the disk (``synchronous=FULL``).
Committing every request on its own caps the service at one fsync per write. Here writers
still take turns (one at a time, in the order they arrived), but each runs inside a SAVEPOINT
of one open transaction on one connection: its own ``commit()`` releases the savepoint, its
failure rolls back only its savepoint. When a writer finishes and nobody is waiting (or the
batch is full), the transaction commits once, for everyone in it.

No writer is answered before its write is durable: each waits for the commit of its batch.
If that commit fails, every writer of the batch is answered 503 and none of their writes is
kept (the whole transaction rolls back), so nothing acknowledged is ever lost.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backchannel.service.errors import ServiceError
from backchannel.service.storage.db import BUSY_TIMEOUT_MS

_LOCK_TAKEN = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
"""What SQLite answers a BEGIN IMMEDIATE that would have to wait for another writer."""

DEFERRED_HEADS = "group_commit_heads"
"""``session.info`` key: where a member's committed log heads wait for the batch's commit."""

log = logging.getLogger(__name__)


def not_stored() -> ServiceError:
    return ServiceError(
        503,
        "the change could not be stored: the database did not confirm it, so none of it was kept",
        "send it again in a moment",
    )


class _Batch:
    """The writers of one event loop: their turn, their open transaction, their waiters."""

    def __init__(self) -> None:
        self.turn = asyncio.Lock()
        self.waiting = 0
        self.connection: Connection | None = None
        self.members: list[asyncio.Future[None]] = []
        self.heads: dict[str, tuple[int, str]] = {}
        self.tasks: set[asyncio.Task[None]] = set()


class GroupCommit:
    """Hands each writer a session inside the shared transaction; commits batches."""

    def __init__(
        self,
        engine: Engine,
        factory: sessionmaker[Session],
        max_batch: int,
        on_commit: Callable[[dict[str, tuple[int, str]]], None] | None = None,
    ) -> None:
        self.engine = engine
        self.factory = factory
        self.max_batch = max_batch
        self.on_commit = on_commit
        self.commits = 0  # batches committed (for tests and the benchmark)
        self._batches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batch] = (
            weakref.WeakKeyDictionary()
        )

    def _batch(self) -> _Batch:
        loop = asyncio.get_running_loop()
        batch = self._batches.get(loop)
        if batch is None:  # built once per loop (it holds a lock and a few containers)
            batch = self._batches[loop] = _Batch()
        return batch

    @asynccontextmanager
    async def member(self) -> AsyncIterator[Session]:
        """A session for one writer; leaving it waits until the writer's batch is durable
        (raising 503 if the batch could not be committed)."""
        batch = self._batch()
        await self._join(batch)
        assert batch.connection is not None
        session = self.factory(bind=batch.connection, join_transaction_mode="create_savepoint")
        session.info[DEFERRED_HEADS] = batch.heads
        try:
            yield session
        except BaseException:
            await self._leave(batch, session, acknowledged=False)
            raise
        await self._leave(batch, session, acknowledged=True)

    async def _join(self, batch: _Batch) -> None:
        batch.waiting += 1
        try:
            await batch.turn.acquire()
        except BaseException:
            batch.waiting -= 1
            # Cancelled while waiting (the server is stopping): the writer before may have left
            # the batch open for this one; make sure someone commits it.
            self._spawn(batch, self._commit_if_abandoned(batch))
            raise
        batch.waiting -= 1
        if batch.connection is not None:
            return
        try:
            batch.connection = self._begin(patient=False) or await run_in_threadpool(self._begin)
        except BaseException as error:
            batch.turn.release()
            if isinstance(error, Exception):
                log.exception("could not begin a write transaction")
                raise not_stored() from None
            raise

    def _begin(self, patient: bool = True) -> Connection | None:
        """The write transaction (``BEGIN IMMEDIATE``: the database's write lock). A patient
        begin waits for a lock another process holds, in a worker thread. An impatient one runs
        on the event loop, where waiting would stall every request: None if the lock is taken.
        The lock is free unless another process writes, and a begin is a few microseconds of
        SQLite, less than the trip to a worker thread and back (about a fifth of a write's CPU,
        with writes one at a time)."""
        connection = self.engine.connect()
        driver = connection.connection.dbapi_connection
        try:
            if patient:
                connection.begin()
                return connection
            driver.execute("PRAGMA busy_timeout=0")
            try:
                connection.begin()
            finally:
                driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except OperationalError as error:
            connection.close()
            if not patient and getattr(error.orig, "sqlite_errorcode", None) in _LOCK_TAKEN:
                return None
            raise
        except BaseException:
            connection.close()
            raise
        return connection

    async def _leave(self, batch: _Batch, session: Session, acknowledged: bool) -> None:
        """Give the turn to the next writer, or commit the batch if nobody waits; then wait
        for the batch's fate."""
        session.close()  # rolls back this writer's savepoint if it did not commit it
        done: asyncio.Future[None] | None = None
        if acknowledged:
            done = asyncio.get_running_loop().create_future()
            batch.members.append(done)
        if batch.waiting > 0 and len(batch.members) < self.max_batch:
            batch.turn.release()
        else:
            task = self._spawn(batch, self._commit(batch))
            if done is None:
                await asyncio.shield(task)
        if done is not None:
            await done

    @staticmethod
    def _spawn(batch: _Batch, work: Any) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        batch.tasks.add(task)
        task.add_done_callback(batch.tasks.discard)
        return task

    async def _commit_if_abandoned(self, batch: _Batch) -> None:
        """Commit a batch left open with nobody waiting to continue it."""
        await batch.turn.acquire()
        if batch.connection is not None and batch.waiting == 0:
            await self._commit(batch)  # releases the turn
        else:
            batch.turn.release()

    async def _commit(self, batch: _Batch) -> None:
        """Commit the open transaction (the turn is held), answer its writers, pass the turn."""
        members, batch.members = batch.members, []
        heads, batch.heads = batch.heads, {}
        connection, batch.connection = batch.connection, None
        try:
            if connection is not None:
                await run_in_threadpool(self._commit_connection, connection, heads)
        except Exception:
            log.exception("a group commit failed; its %d writers are answered 503", len(members))
            await run_in_threadpool(_discard, connection)
            for member in members:
                if not member.done():
                    member.set_exception(not_stored())
        else:
            self.commits += 1
            for member in members:
                if not member.done():
                    member.set_result(None)
        finally:
            batch.turn.release()

    def _commit_connection(self, connection: Connection, heads: dict[str, Any]) -> None:
        connection.commit()
        connection.close()
        if self.on_commit is not None and heads:
            try:
                self.on_commit(heads)  # after the commit: the anchor names only durable heads
            except OSError:
                log.exception("the log anchor could not be appended to")


def _discard(connection: Any) -> None:
    """Roll back and drop a connection whose commit failed (it may be unusable)."""
    try:
        connection.rollback()
    except Exception:
        connection.invalidate()
    finally:
        connection.close()
