"""Invitations and sign-in: a link's token is exchanged for a grant in the browser's session
(the token is never stored), and the operator signs in once to open negotiations."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.service import eventlog, live
from backchannel.service.deps import Caller, Db, current_caller, no_access
from backchannel.service.errors import ServiceError
from backchannel.service.operator import holds_operator_credential, token_matches
from backchannel.service.schemas import InvitationIn, InvitationOut, SessionOut
from backchannel.service.security import (
    MEDIATOR,
    Grant,
    csrf_value,
    form_csrf_ok,
    token_hash,
)
from backchannel.service.storage.models import Negotiation, Seat

router = APIRouter(tags=["sessions"])


def invitation_link(request: Request, token: str) -> str:
    """Built from the configured public address, never from the request's Host header."""
    return f"{request.app.state.settings.public_url.rstrip('/')}/join/{token}"


def _invalid() -> ServiceError:
    return ServiceError(
        401,
        "this invitation link is not valid (wrong, or revoked by the mediator)",
        "ask the mediator for a new invitation link",
    )


def find(db: Session, token: str) -> tuple[Grant, Seat | None]:
    """The grant an invitation token gives (changes nothing); 401 if unknown or revoked."""
    digest = token_hash(token)
    negotiation = db.execute(
        select(Negotiation).where(Negotiation.mediator_token_hash == digest)
    ).scalar_one_or_none()
    if negotiation is not None:
        return Grant(negotiation.id, MEDIATOR, None, negotiation.mediator_generation), None
    seat = db.execute(select(Seat).where(Seat.token_hash == digest)).scalar_one_or_none()
    if seat is None:
        raise _invalid()
    return Grant(seat.negotiation_id, "party", seat.party_id, seat.generation), seat


def redeem(db: Session, request: Request, response: Response, token: str) -> Grant:
    """Sign this browser in with the token: its grant joins the session; committed."""
    grant, seat = find(db, token)
    if seat is not None and not seat.joined:
        eventlog.lock(db, seat.negotiation_id)
        db.refresh(seat)
        if not seat.joined:
            seat.joined = True
            eventlog.append(db, seat.negotiation_id, "joined", {"party": seat.party_id})
    request.app.state.sessions.store(db, request, response, grant)
    db.commit()
    return grant


def replaces_mediator(db: Session, request: Request, grant: Grant) -> bool:
    """True when this browser is the negotiation's mediator and the link is a party's: using
    it here would silently turn the mediator's desk into that party's room."""
    held = request.app.state.sessions.grant(db, request, grant.negotiation)
    return held is not None and held.role == MEDIATOR and grant.role != MEDIATOR


def _mediator_keeps_desk(grant: Grant) -> ServiceError:
    return ServiceError(
        409,
        f"this is the invitation link for the party '{grant.party}', and this browser is the "
        "negotiation's mediator",
        "send the link to that party; to see their room yourself, open the link in a private "
        "window or another browser",
    )


def _conflict_page(request: Request, grant: Grant) -> HTMLResponse:
    context = {"grant": grant, "page": page_for(grant)}
    return request.app.state.templates.TemplateResponse(request, "join_conflict.html", context, 409)


def page_for(grant: Grant) -> str:
    return f"/n/{grant.negotiation}"


@router.post("/api/sessions")
def open_session(body: InvitationIn, request: Request, response: Response, db: Db) -> SessionOut:
    """Exchange an invitation token for a session cookie (a mediator's browser keeps its desk)."""
    if replaces_mediator(db, request, grant := find(db, body.token)[0]):
        raise _mediator_keeps_desk(grant)
    grant = redeem(db, request, response, body.token)
    return SessionOut(
        negotiation=grant.negotiation,
        role="mediator" if grant.role == MEDIATOR else "party",
        party=grant.party,
        page=page_for(grant),
    )


@router.get("/join/{token}", include_in_schema=False)
def join_page(token: str, request: Request, db: Db) -> HTMLResponse:
    """The invitation link shows a page; only its button (a POST) signs in, so a link opened
    by a crawler or a hostile page changes nothing. In the browser of the negotiation's
    mediator a party's link does not replace the desk: a page says so."""
    grant, _ = find(db, token)
    if replaces_mediator(db, request, grant):
        return _conflict_page(request, grant)
    context = {"token": token, "role": grant.role, "csrf": csrf_value(request)}
    return request.app.state.templates.TemplateResponse(request, "join.html", context)


@router.post("/join/{token}", include_in_schema=False, response_model=None)
def join(
    token: str, request: Request, db: Db, csrf: str = Form("")
) -> RedirectResponse | HTMLResponse:
    """Sets the session cookie and opens the right page."""
    if not form_csrf_ok(request, csrf):
        raise ServiceError(403, "this form has expired", "open the invitation link again")
    if replaces_mediator(db, request, grant := find(db, token)[0]):
        return _conflict_page(request, grant)
    response = RedirectResponse("/", status_code=303)
    grant = redeem(db, request, response, token)
    response.headers["location"] = page_for(grant)
    return response


@router.get("/operator", include_in_schema=False)
def operator_page(request: Request) -> HTMLResponse:
    context = {"csrf": csrf_value(request), "wrong": False}
    return request.app.state.templates.TemplateResponse(request, "operator.html", context)


@router.post("/operator", include_in_schema=False)
def operator_sign_in(
    request: Request, db: Db, token: str = Form(""), csrf: str = Form("")
) -> Response:
    """The operator enters the token once; this browser may then open negotiations."""
    if not form_csrf_ok(request, csrf):
        raise ServiceError(403, "this form has expired", "open /operator again")
    if request.app.state.operator_token is not None and not token_matches(request, token):
        context = {"csrf": csrf_value(request), "wrong": True}
        return request.app.state.templates.TemplateResponse(
            request, "operator.html", context, status_code=401
        )
    response = RedirectResponse("/", status_code=303)
    request.app.state.sessions.sign_in_operator(db, request, response)
    db.commit()
    return response


@router.post("/api/negotiations/{negotiation_id}/mediator/invitation")
def reissue_mediator(
    negotiation_id: str, request: Request, response: Response, db: Db
) -> InvitationOut:
    """A fresh mediator link: every other mediator session and the old link stop working; this
    browser keeps (or, for the operator, takes) the desk. The operator may do it for a mediator
    who lost both link and session; a party may not."""
    try:
        caller: Caller | None = current_caller(negotiation_id, request, db)
    except ServiceError:
        caller = None
        if not holds_operator_credential(request, db):
            raise
    if caller is not None and caller.role != MEDIATOR:
        raise ServiceError(403, "only the mediator may do this", "ask the mediator")
    eventlog.lock(db, negotiation_id)
    negotiation = db.get(Negotiation, negotiation_id)
    if negotiation is None:
        raise no_access()
    token = live.reissue_mediator(db, negotiation)
    grant = Grant(negotiation.id, MEDIATOR, None, negotiation.mediator_generation)
    request.app.state.sessions.store(db, request, response, grant)
    db.commit()
    return InvitationOut(party=MEDIATOR, link=invitation_link(request, token))
