"""Invitations: a link's token is exchanged for a session cookie (the token is never stored)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.service import eventlog
from backchannel.service.deps import Db
from backchannel.service.errors import ServiceError
from backchannel.service.schemas import InvitationIn, SessionOut
from backchannel.service.security import MEDIATOR, Grant, token_hash
from backchannel.service.storage.models import Negotiation, Seat

router = APIRouter(tags=["sessions"])


def identify(db: Session, token: str) -> Grant:
    """The grant an invitation token gives, without using it; 401 if unknown or revoked."""
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
    return Grant(seat.negotiation_id, "party", seat.party_id, seat.generation)


def redeem(db: Session, token: str) -> Grant:
    """Use an invitation token: a party's seat counts as joined from now on."""
    grant = identify(db, token)
    if grant.role != MEDIATOR:
        seat = db.execute(select(Seat).where(Seat.token_hash == token_hash(token))).scalar_one()
        if not seat.joined:
            seat.joined = True
            eventlog.append(db, seat.negotiation_id, "joined", {"party": seat.party_id})
            db.commit()
    return grant


def replaces_mediator(request: Request, grant: Grant) -> bool:
    """True when this browser is the negotiation's mediator and the link is a party's: using
    it here would silently turn the mediator's desk into that party's room."""
    held = request.app.state.sessions.grants(request).get(grant.negotiation)
    return held is not None and held.role == MEDIATOR and grant.role != MEDIATOR


def _mediator_keeps_desk(grant: Grant) -> ServiceError:
    return ServiceError(
        409,
        f"this is the invitation link for the party '{grant.party}', and this browser is the "
        "negotiation's mediator",
        "send the link to that party; to see their room yourself, open the link in a private "
        "window or another browser",
    )


def page_for(grant: Grant) -> str:
    return f"/n/{grant.negotiation}"


@router.post("/api/sessions")
def open_session(body: InvitationIn, request: Request, response: Response, db: Db) -> SessionOut:
    """Exchange an invitation token for a session cookie (a mediator's browser keeps its desk)."""
    if replaces_mediator(request, grant := identify(db, body.token)):
        raise _mediator_keeps_desk(grant)
    grant = redeem(db, body.token)
    request.app.state.sessions.store(request, response, grant)
    return SessionOut(
        negotiation=grant.negotiation,
        role="mediator" if grant.role == MEDIATOR else "party",
        party=grant.party,
        page=page_for(grant),
    )


@router.get("/join/{token}", include_in_schema=False, response_model=None)
def join(token: str, request: Request, db: Db) -> RedirectResponse | HTMLResponse:
    """The invitation link: sets the session cookie and opens the right page. In the browser
    of the negotiation's mediator a party's link does not replace the desk: a page says so."""
    if replaces_mediator(request, grant := identify(db, token)):
        return request.app.state.templates.TemplateResponse(
            request, "join_conflict.html", {"grant": grant, "page": page_for(grant)}, 409
        )
    grant = redeem(db, token)
    response = RedirectResponse(page_for(grant), status_code=303)
    request.app.state.sessions.store(request, response, grant)
    return response
