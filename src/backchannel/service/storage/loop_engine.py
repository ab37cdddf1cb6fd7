"""PostgreSQL writes on the event loop: asyncpg under SQLAlchemy's asyncio layer.

With a driver that blocks (pg8000) every write runs in a worker thread, and each of its round
trips hands the interpreter from thread to thread: on two cores that hand-over cost more CPU
than the write itself. asyncpg waits on the event loop instead. The request's ordinary
(synchronous) session code runs unchanged inside ``greenlet_spawn``: where it would block on
the database it yields to the loop, which serves other requests meanwhile.

asyncpg's connections belong to the event loop that opened them, so each loop gets its own
engine and pool (a server process has one loop; a test client may start one per request), and
the engine lives as long as its loop: the loop closes it on shutdown (``_closed_with``).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.util import greenlet_spawn

from backchannel.service.storage.db import POOL_OVERFLOW, load_json, ping_when_idle

LOOP_POOL_SIZE = 24
"""Connections the event loop keeps open: writers of different negotiations run at once."""
THREAD_POOL_SIZE = 8
"""Connections kept for threads beside a loop engine: reads and the rarer writes. With the
loop's, and each pool's overflow (``POOL_OVERFLOW``), a process opens at most 48, as many as
a process without a loop engine (``POOL_SIZE`` + ``POOL_OVERFLOW``)."""

Result = TypeVar("Result")
log = logging.getLogger(__name__)


class LoopEngines:
    """One asyncpg engine per event loop, and sessions on it that behave as the service's."""

    def __init__(
        self,
        url: str,
        factory: sessionmaker[Session],
        ping_after_idle: float | None = None,
    ) -> None:
        try:
            make_url(url).get_dialect().import_dbapi()
        except ImportError as error:
            raise RuntimeError(
                f"{url.split(':', 1)[0]} needs the {error.name or 'asyncpg'} package: "
                "pip install 'backchannel[web]' (or use postgresql+pg8000://)"
            ) from None
        self.url = url
        self.factory = factory  # its class carries the event log's commit listeners
        self.ping_after_idle = ping_after_idle
        self._engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncEngine] = (
            weakref.WeakKeyDictionary()
        )
        self._guards: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncGenerator[None, None]
        ] = weakref.WeakKeyDictionary()

    async def engine(self) -> AsyncEngine:
        """The running loop's engine, made at its first use."""
        loop = asyncio.get_running_loop()
        found = self._engines.get(loop)
        if found is None:
            found = create_async_engine(
                self.url,
                pool_size=LOOP_POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                json_deserializer=load_json,
            )
            ping_when_idle(found.sync_engine, self.ping_after_idle)
            guard = _closed_with(found)
            await anext(guard)
            self._engines[loop] = found
            self._guards[loop] = guard
        return found

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Session]:
        """A synchronous session on the loop's engine: use it only inside ``run``. Leaving
        closes it (rolling back what was not committed) and returns its connection."""
        wrapper = AsyncSession(
            bind=await self.engine(), sync_session_class=self.factory.class_, expire_on_commit=False
        )
        try:
            yield wrapper.sync_session
        finally:
            await wrapper.close()

    @staticmethod
    async def run(work: Callable[[], Result]) -> Result:
        """Run synchronous database work on the loop, yielding to it at each round trip."""
        return await greenlet_spawn(work)

    async def fill(self, count: int = LOOP_POOL_SIZE) -> None:
        """Open ``count`` connections now, before the first request. A new asyncpg connection
        asks the server about its types (and SQLAlchemy sets up JSON) before its first
        statement: made on demand, fifty writers arriving at once waited 170 ms for that at
        the median, the slowest 300 ms, and were the slowest one percent of a load run."""
        engine = await self.engine()
        connections = [engine.connect() for _ in range(count)]
        opened = await asyncio.gather(*(c.start() for c in connections), return_exceptions=True)
        for connection, outcome in zip(connections, opened, strict=True):
            if not isinstance(outcome, BaseException):
                await connection.close()
        failed = [o for o in opened if isinstance(o, BaseException)]
        if failed:  # not fatal: the pool opens connections as writers need them
            log.warning("opened %d of %d connections: %s", count - len(failed), count, failed[0])

    async def dispose(self) -> None:
        """Close the running loop's connections (the server is stopping)."""
        loop = asyncio.get_running_loop()
        self._engines.pop(loop, None)
        guard = self._guards.pop(loop, None)
        if guard is not None:
            await guard.aclose()


async def _closed_with(engine: AsyncEngine) -> AsyncGenerator[None, None]:
    """Disposes ``engine`` when closed. A loop closes the asynchronous generators still open
    on it before it stops (``shutdown_asyncgens``, run by ``asyncio.run`` and anyio), so an
    engine kept suspended here closes its connections while its loop can still do so."""
    try:
        yield
    finally:
        await engine.dispose()
