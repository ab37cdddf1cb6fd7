"""Negotiations: create (from a bundled or uploaded scenario), mediator view, seats, lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from backchannel.agents.registry import describe_strategies
from backchannel.report.transcript_document import transcript_document
from backchannel.scenario.loader import TRANSCRIPT_FORMAT, bundled_names
from backchannel.service import eventlog, live, presenters
from backchannel.service.deps import Db, Mediator
from backchannel.service.errors import ServiceError
from backchannel.service.idempotency import IdempotencyKey, fingerprint, once
from backchannel.service.operator import require_operator
from backchannel.service.routes.sessions import invitation_link
from backchannel.service.scenarios import MAX_UPLOAD_BYTES, bundled_spec, with_adjustments
from backchannel.service.schemas import (
    AgentIn,
    CreatedOut,
    InvitationOut,
    MediatorViewOut,
    as_utc,
)
from backchannel.service.security import MEDIATOR, Grant
from backchannel.service.transcript import hours_now, live_transcript

router = APIRouter(prefix="/api", tags=["negotiations"])


@router.get("/scenarios")
def scenarios() -> list[str]:
    """Bundled scenarios a negotiation can start from."""
    return bundled_names()


@router.get("/strategies")
def strategies() -> dict[str, str]:
    """Built-in agents that can fill a seat."""
    return describe_strategies()


MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + (64 << 10)  # the file, and the form's framing around it
_FORM_FIELDS = {
    "scenario": {"type": "string", "description": "a bundled scenario's name"},
    "file": {
        "type": "string",
        "format": "binary",
        "description": "a scenario file (.yaml, .yml, .json)",
    },
}
_CREATE_FORM = {
    "requestBody": {
        "content": {
            "multipart/form-data": {"schema": {"type": "object", "properties": _FORM_FIELDS}},
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {"scenario": _FORM_FIELDS["scenario"]}}
            },
        }
    }
}


@router.post("/negotiations", status_code=201, openapi_extra=_CREATE_FORM)
async def create(request: Request, response: Response) -> CreatedOut:
    """Open a negotiation from a bundled scenario (``scenario``) or an uploaded ``file``; the
    caller becomes its mediator and gets one link per seat.

    Only the operator may (header ``Authorization: Bearer <operator token>`` or a browser
    signed in at ``/operator``), unless the server runs with ``--open``. The declared length is
    checked before the body is read, the upload in a child process (time and memory budget),
    and the database is written in a worker thread, so a large file never stalls other
    requests; the write lock is waited for as a coroutine, and only once the scenario is known
    to be good.
    """
    await run_in_threadpool(_require_operator, request)
    _check_length(request)
    async with request.form(max_files=1, max_fields=8) as form:
        scenario, file = form.get("scenario"), form.get("file")
        if isinstance(file, StarletteUpload) and file.filename:
            content = await file.read(MAX_UPLOAD_BYTES + 1)
            spec = await request.app.state.upload_checker.check(file.filename, content)
        elif isinstance(scenario, str) and scenario:
            spec = await run_in_threadpool(bundled_spec, scenario)
        else:
            raise ServiceError(
                422,
                "no scenario given",
                f"send 'scenario' (one of: {', '.join(bundled_names())}) or upload a 'file'",
            )
    async with request.app.state.write_queues.session(None) as db:  # durable when it ends
        negotiation_id, title, mediator_token, tokens = await run_in_threadpool(
            _store, db, request, response, spec
        )
    return CreatedOut(
        id=negotiation_id,
        title=title,
        mediator_link=invitation_link(request, mediator_token),
        invitations={party: invitation_link(request, t) for party, t in tokens.items()},
    )


def _check_length(request: Request) -> None:
    """Refuse a body larger than an upload can be, from its declared length, before reading it."""
    declared = request.headers.get("content-length")
    if declared is None:
        raise ServiceError(411, "the request has no Content-Length", "send the form in one piece")
    if not declared.isdigit() or int(declared) > MAX_REQUEST_BYTES:
        raise ServiceError(
            413,
            f"the request is larger than {MAX_REQUEST_BYTES:,} bytes",
            f"upload a scenario file of at most {MAX_UPLOAD_BYTES:,} bytes",
        )


def _require_operator(request: Request) -> None:
    with request.app.state.read_sessionmaker() as db:
        require_operator(request, db)


def _store(
    db: Session, request: Request, response: Response, spec: dict[str, Any]
) -> tuple[str, str, str, dict[str, str]]:
    """The negotiation and its creator's mediator grant, in one transaction."""
    negotiation, mediator_token, tokens = live.create(db, spec)
    grant = Grant(negotiation.id, MEDIATOR, None, 1)
    request.app.state.sessions.store(db, request, response, grant)
    db.commit()
    return negotiation.id, negotiation.title, mediator_token, tokens


@router.get("/negotiations/{negotiation_id}")
def mediator_view(caller: Mediator, db: Db) -> MediatorViewOut:
    """Everything: seats, every message sent and passed on, drafts, positions."""
    return presenters.mediator_view(db, caller.negotiation)


@router.post("/negotiations/{negotiation_id}/seats/{party}/agent")
def set_agent(party: str, body: AgentIn, caller: Mediator, db: Db) -> MediatorViewOut:
    """Fill a seat with a built-in agent (or give it back to a person with ``null``)."""
    live.set_agent(db, caller.negotiation, party, body.strategy)
    db.commit()
    return presenters.mediator_view(db, caller.negotiation)


@router.post("/negotiations/{negotiation_id}/seats/{party}/invitation")
def reissue(party: str, request: Request, caller: Mediator, db: Db) -> InvitationOut:
    """A fresh link for a seat; the old link and its sessions are revoked."""
    token = live.reissue(db, caller.negotiation, party)
    db.commit()
    return InvitationOut(party=party, link=invitation_link(request, token))


@router.post("/negotiations/{negotiation_id}/start")
def start(caller: Mediator, db: Db, key: IdempotencyKey = None) -> MediatorViewOut:
    def act() -> MediatorViewOut:
        live.start(db, caller.negotiation)
        return presenters.mediator_view(db, caller.negotiation)

    return once(db, caller, key, fingerprint("start", None), MediatorViewOut, act)


@router.post("/negotiations/{negotiation_id}/close")
def close(caller: Mediator, db: Db, key: IdempotencyKey = None) -> MediatorViewOut:
    def act() -> MediatorViewOut:
        live.close(db, caller.negotiation)
        return presenters.mediator_view(db, caller.negotiation)

    return once(db, caller, key, fingerprint("close", None), MediatorViewOut, act)


@router.get("/negotiations/{negotiation_id}/export")
def export(caller: Mediator, db: Db) -> dict[str, Any]:
    """The full record: the negotiation as a transcript (the record ``backchannel run --json``
    writes, which ``backchannel analyze`` reads), the scenario as confided, and the stored
    rows and log it was replayed from."""
    negotiation = caller.negotiation
    view = presenters.mediator_view(db, negotiation)
    model, messages = live.scenario(db, negotiation), live.messages(db, negotiation)
    seats = live.seats(db, negotiation)
    adjustments = {s.party_id: s.preferences for s in seats if s.preferences}
    transcript = live_transcript(model, negotiation, seats, messages, hours_now(negotiation))
    opened_at = negotiation.opened_at  # hour 0 of its clock (None before it was started)
    return {
        "format": TRANSCRIPT_FORMAT,
        "version": 2,
        "exported_at": datetime.now(UTC).isoformat(),
        "negotiation": {
            "id": negotiation.id,
            "title": negotiation.title,
            "status": negotiation.status,
            "created_at": as_utc(negotiation.created_at).isoformat(),
            "opened_at": None if opened_at is None else as_utc(opened_at).isoformat(),
        },
        # The scenario as played: the file's, with each party's confided preferences.
        "scenario": with_adjustments(negotiation.scenario_spec, adjustments),
        "adjusted_preferences": adjustments,
        "seats": [s.model_dump(mode="json") for s in view.seats],
        "messages": [m.model_dump(mode="json") for m in view.messages],
        "drafts": [d.model_dump(mode="json") for d in view.drafts],
        "agreement": view.agreement.model_dump(mode="json") if view.agreement else None,
        "log": eventlog.entries_for(db, negotiation.id),
        # The negotiation as the relay machine recorded it, in the schema of run --json.
        "transcript": transcript_document(model, transcript),
    }
