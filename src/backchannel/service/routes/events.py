"""Live updates: a server-sent event stream that says *that* something changed, never what.

Each page then fetches its own view through the normal, access-checked endpoints. A party's
stream counts only the log entries whose effect it can see (its own messages, the status of the
negotiation, its own preferences), so it moves only when the party's own view does and carries
nothing about the rest of the negotiation. Access is checked again on every poll: a revoked or
expired session's stream ends.
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
from backchannel.service.errors import ServiceError
from backchannel.service.eventlog import EVERYONE
from backchannel.service.security import MEDIATOR
from backchannel.service.storage.models import LogEntry, LogHead

router = APIRouter(prefix="/api/negotiations/{negotiation_id}", tags=["events"])


def visible_version(request: Request, negotiation_id: str) -> int | None:
    """How many entries of the log the caller can see the effect of; None without access.
    A short-lived session: a stream must not hold a database transaction open."""
    with request.app.state.read_sessionmaker() as db:
        try:
            caller = current_caller(negotiation_id, request, db)
        except ServiceError:
            return None
        if caller.role == MEDIATOR:
            query = select(LogHead.seq).where(LogHead.negotiation_id == negotiation_id)
        else:
            query = select(func.count()).where(
                LogEntry.negotiation_id == negotiation_id,
                LogEntry.audience.in_((EVERYONE, caller.party or "")),
            )
        return int(db.execute(query).scalar_one_or_none() or 0)


@router.get("/events")
async def events(negotiation_id: str, request: Request) -> StreamingResponse:
    """Mediator and parties of this negotiation only."""
    settings = request.app.state.settings
    first = await run_in_threadpool(visible_version, request, negotiation_id)
    if first is None:  # the same answer as every other endpoint gives
        await run_in_threadpool(_raise_no_access, request, negotiation_id)

    async def stream() -> AsyncIterator[str]:
        deadline = time.monotonic() + settings.sse_max_seconds
        last = first
        yield f"retry: 2000\nevent: version\ndata: {last}\n\n"
        while time.monotonic() < deadline:
            await asyncio.sleep(settings.sse_poll_seconds)
            if await request.is_disconnected():
                return
            current = await run_in_threadpool(visible_version, request, negotiation_id)
            if current is None:
                return  # revoked or expired: the stream ends, and reconnecting gets a 401
            if current != last:
                last = current
                yield f"event: version\ndata: {current}\n\n"
            else:
                yield ": keep-alive\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def _raise_no_access(request: Request, negotiation_id: str) -> None:
    with request.app.state.read_sessionmaker() as db:
        current_caller(negotiation_id, request, db)
    raise ServiceError(401, "you have no access to this negotiation", "open your invitation link")
