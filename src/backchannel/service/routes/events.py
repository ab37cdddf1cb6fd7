"""Live updates: a server-sent event stream that says *that* something changed, never what.

Each page then fetches its own view through the normal, access-checked endpoints, so the stream
cannot leak anything: it carries only a counter of the negotiation's log entries.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from backchannel.service.deps import current_caller
from backchannel.service.storage.models import LogEntry

router = APIRouter(prefix="/api/negotiations/{negotiation_id}", tags=["events"])


def _version(request: Request, negotiation_id: str) -> int:
    with request.app.state.read_sessionmaker() as db:
        query = select(func.count(LogEntry.seq)).where(LogEntry.negotiation_id == negotiation_id)
        return int(db.execute(query).scalar_one())


def _check_access(request: Request, negotiation_id: str) -> None:
    # A short-lived session: a stream must not hold a database transaction open.
    with request.app.state.read_sessionmaker() as db:
        current_caller(negotiation_id, request, db)


@router.get("/events")
async def events(negotiation_id: str, request: Request) -> StreamingResponse:
    """Mediator and parties of this negotiation only."""
    settings = request.app.state.settings
    await run_in_threadpool(_check_access, request, negotiation_id)

    async def stream() -> AsyncIterator[str]:
        deadline = time.monotonic() + settings.sse_max_seconds
        last = await run_in_threadpool(_version, request, negotiation_id)
        yield f"retry: 2000\nevent: version\ndata: {last}\n\n"
        while time.monotonic() < deadline:
            await asyncio.sleep(settings.sse_poll_seconds)
            if await request.is_disconnected():
                return
            current = await run_in_threadpool(_version, request, negotiation_id)
            if current != last:
                last = current
                yield f"event: version\ndata: {current}\n\n"
            else:
                yield ": keep-alive\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
