"""Access checks as typed dependencies: who is calling, in which negotiation, in which seat."""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backchannel.service import eventlog, live, livestate
from backchannel.service.errors import ServiceError
from backchannel.service.security import MEDIATOR, Sessions
from backchannel.service.storage.group_commit import GroupCommit
from backchannel.service.storage.loop_engine import LoopEngines
from backchannel.service.storage.models import Negotiation, Seat

WRITER_THREADS = 8
"""Worker threads for writers' database work on a database with concurrent writers."""

ON_LOOP = "backchannel.writes_on_loop"
"""Request scope key: this request's database work runs on the event loop (asyncpg)."""
RETENTION_KEY = "idempotency_hours"
"""``session.info`` key: how long stored idempotent answers are kept, in hours."""


class WriteQueues:
    """Writers wait for their turn here, as coroutines, never as threads.

    A request that may write first waits on an asyncio lock and only then takes a worker
    thread. Waiting inside a synchronous dependency instead held one worker thread per waiter:
    past the pool's size the lock holder got no thread to finish in, and the server stopped
    answering.

    On SQLite (one writer at a time) the turn is the group commit's: writers take turns inside
    one shared transaction, committed once for all of them (``storage.group_commit``). On
    PostgreSQL each negotiation has its own lock and each writer its own transaction; the row
    locks do the rest across processes. With a ``postgresql+asyncpg`` URL a coroutine
    endpoint's writes (sending and relaying messages) run on the event loop
    (``storage.loop_engine``); a plain function endpoint runs in a worker thread as before.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        group: GroupCommit | None,
        loop: LoopEngines | None = None,
    ) -> None:
        self.factory = factory
        self.group = group
        self.loop = loop
        self._threads: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[asyncio.Semaphore, anyio.CapacityLimiter]
        ] = weakref.WeakKeyDictionary()
        self._locks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, weakref.WeakValueDictionary[str, asyncio.Lock]
        ] = weakref.WeakKeyDictionary()

    def lock(self, negotiation_id: str | None) -> asyncio.Lock | None:
        """The lock of one negotiation (None for a new one: nobody else can write to it)."""
        if negotiation_id is None:
            return None
        key = str(negotiation_id)
        locks = self._locks.setdefault(asyncio.get_running_loop(), weakref.WeakValueDictionary())
        found = locks.get(key)
        if found is None:
            found = locks[key] = asyncio.Lock()
        return found

    def writers(self) -> tuple[asyncio.Semaphore, anyio.CapacityLimiter]:
        """This event loop's writer slots, and the worker threads only slot holders run their
        database work in (a database with concurrent writers): a few, not one per waiting
        writer. Python runs one thread at a time, and forty threads taking turns spent more
        CPU handing the interpreter over than writing."""
        loop = asyncio.get_running_loop()
        found = self._threads.get(loop)
        if found is None:
            found = self._threads[loop] = (
                asyncio.Semaphore(WRITER_THREADS),
                anyio.CapacityLimiter(WRITER_THREADS),
            )
        return found

    @property
    def writes_in_turn(self) -> bool:
        """Whether a writer's database work runs on the event loop: with the group commit a
        writer holds the database's only write turn, so nothing could run beside it, and the
        hop to a worker thread and back cost more CPU than most writes."""
        return self.group is not None

    @asynccontextmanager
    async def session(
        self, negotiation_id: str | None, on_loop: bool = False
    ) -> AsyncIterator[Session]:
        """A session to write with, once it is this writer's turn. Leaving it (after the
        handler committed) returns only when the write is durable. With ``on_loop`` its work
        must run through ``run_db`` (it runs on the event loop)."""
        if self.group is not None:
            async with self.group.member() as session:
                yield session
            return
        lock = self.lock(negotiation_id)
        if on_loop and self.loop is not None:
            # No writer slot: nothing waits for a thread, and the pool queues the rest.
            async with lock if lock is not None else nullcontext(), self.loop.session() as session:
                yield session
            return
        # A writer holds one of the writer slots from its first statement to its last: only
        # slot holders run in the writer threads, so each always finds a thread, and at most
        # WRITER_THREADS connections wait on writers between their thread hops. (Holding a
        # connection while waiting for a thread, fifty writers emptied the pool, and a thread
        # then waited for a connection: seconds-long stalls.)
        async with lock if lock is not None else nullcontext(), self.writers()[0]:
            with self.factory() as session:
                yield session


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for this request; a request that may write waits for its turn first, and
    is answered only once its write is durable (the dependency ends before the answer is
    sent: ``scope="function"``)."""
    state = request.app.state
    if request.method in ("GET", "HEAD"):
        session = state.read_sessionmaker()
        try:
            yield session
        finally:
            session.close()
        return
    queues: WriteQueues = state.write_queues
    on_loop = queues.loop is not None and inspect.iscoroutinefunction(request.scope.get("endpoint"))
    request.scope[ON_LOOP] = on_loop
    async with queues.session(request.path_params.get("negotiation_id"), on_loop) as session:
        session.info[RETENTION_KEY] = state.settings.idempotency_hours
        session.info[livestate.SESSION_KEY] = state.live_states
        yield session


Db = Annotated[Session, Depends(get_db, scope="function")]

Result = TypeVar("Result")


async def run_db(request: Request, work: Callable[[], Result]) -> Result:
    """Run a request's database work: a writer holding the group commit's turn runs it on the
    event loop (``WriteQueues.writes_in_turn``), and so does a writer on the loop's asyncpg
    engine, yielding at each round trip; readers, and other writers on a database with
    concurrent writers, run it in a worker thread so that waiting on the database blocks
    nobody else."""
    queues: WriteQueues = request.app.state.write_queues
    if request.method in ("GET", "HEAD"):
        return await run_in_threadpool(work)
    if queues.writes_in_turn:
        return work()
    if request.scope.get(ON_LOOP):
        return await LoopEngines.run(work)
    return await anyio.to_thread.run_sync(work, limiter=queues.writers()[1])


@dataclass(frozen=True)
class Caller:
    """The caller's standing in one negotiation."""

    negotiation: Negotiation
    role: str
    party: str | None
    seat: Seat | None


def no_access() -> ServiceError:
    """The one answer for an unknown negotiation and for one the caller may not see, so the
    answer does not tell whether a negotiation id exists."""
    return ServiceError(
        401,
        "you have no access to this negotiation (or it does not exist)",
        "open the invitation link you were given",
    )


def current_caller(negotiation_id: str, request: Request, db: Db) -> Caller:
    """The mediator or a party of this negotiation; 401 for anyone else or a revoked link.

    A request that may write locks the negotiation's log head first, so what it reads next is
    what the previous writer committed (also across server processes)."""
    sessions: Sessions = request.app.state.sessions
    writes = request.method not in ("GET", "HEAD")
    grant = sessions.grant(db, request, negotiation_id, lock=writes)
    if grant is None:
        raise no_access()
    if writes:
        eventlog.lock(db, negotiation_id)  # taken with the grant: no statement
        negotiation = live.negotiation_for_write(db, negotiation_id)
    else:
        negotiation = db.get(Negotiation, negotiation_id)
    if negotiation is None:
        raise no_access()
    if grant.role == MEDIATOR:
        if grant.generation != negotiation.mediator_generation:
            raise _revoked()
        return Caller(negotiation, MEDIATOR, None, None)
    # All seats, read once for the request: the handler reads them again (``live.seats``).
    seat = next((s for s in live.seats(db, negotiation) if s.party_id == grant.party), None)
    if seat is None or seat.generation != grant.generation:
        raise _revoked()
    return Caller(negotiation, "party", seat.party_id, seat)


def _revoked() -> ServiceError:
    return ServiceError(
        401,
        "this invitation was revoked",
        "ask the mediator for a new invitation link",
    )


async def caller_of(negotiation_id: str, request: Request, db: Db) -> Caller:
    """``current_caller`` as a dependency, run where the request's database work runs."""
    return await run_db(request, lambda: current_caller(negotiation_id, request, db))


# The two checks below are coroutines on purpose (a plain function dependency would cost a
# round trip through the thread pool on every request), and each calls ``caller_of`` itself
# rather than depending on it: one level of dependency solving less on every write.
async def require_mediator(negotiation_id: str, request: Request, db: Db) -> Caller:
    caller = await caller_of(negotiation_id, request, db)
    if caller.role != MEDIATOR:
        raise ServiceError(403, "only the mediator may do this", "ask the mediator")
    return caller


async def require_party(negotiation_id: str, request: Request, db: Db) -> Caller:
    caller = await caller_of(negotiation_id, request, db)
    if caller.role != "party":
        raise ServiceError(403, "only a party may do this", "open a party's invitation link")
    return caller


Mediator = Annotated[Caller, Depends(require_mediator)]
Party = Annotated[Caller, Depends(require_party)]
