"""Invitations: a link's token is exchanged for a session cookie (the token is never stored)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.service import eventlog
from backchannel.service.deps import Db
from backchannel.service.errors import ServiceError
from backchannel.service.schemas import InvitationIn, SessionOut
from backchannel.service.security import MEDIATOR, Grant, token_hash
from backchannel.service.storage.models import Negotiation, Seat

router = APIRouter(tags=["sessions"])


def redeem(db: Session, token: str) -> Grant:
    """The grant an invitation token gives; 401 if it is unknown or was revoked."""
    digest = token_hash(token)
    negotiation = db.execute(
        select(Negotiation).where(Negotiation.mediator_token_hash == digest)
    ).scalar_one_or_none()
    if negotiation is not None:
        return Grant(negotiation.id, MEDIATOR, None, negotiation.mediator_generation)
    seat = db.execute(select(Seat).where(Seat.token_hash == digest)).scalar_one_or_none()
    if seat is None:
        raise ServiceError(
            401,
            "this invitation link is not valid (wrong, or revoked by the mediator)",
            "ask the mediator for a new invitation link",
        )
    if not seat.joined:
        seat.joined = True
        eventlog.append(db, seat.negotiation_id, "joined", {"party": seat.party_id})
        db.commit()
    return Grant(seat.negotiation_id, "party", seat.party_id, seat.generation)


def page_for(grant: Grant) -> str:
    return f"/n/{grant.negotiation}"


@router.post("/api/sessions")
def open_session(body: InvitationIn, request: Request, response: Response, db: Db) -> SessionOut:
    """Exchange an invitation token for a session cookie."""
    grant = redeem(db, body.token)
    request.app.state.sessions.store(request, response, grant)
    return SessionOut(
        negotiation=grant.negotiation,
        role="mediator" if grant.role == MEDIATOR else "party",
        party=grant.party,
        page=page_for(grant),
    )


@router.get("/join/{token}", include_in_schema=False)
def join(token: str, request: Request, db: Db) -> RedirectResponse:
    """The invitation link: sets the session cookie and opens the right page."""
    grant = redeem(db, token)
    response = RedirectResponse(page_for(grant), status_code=303)
    request.app.state.sessions.store(request, response, grant)
    return response
