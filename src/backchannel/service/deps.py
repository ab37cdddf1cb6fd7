"""Access checks as typed dependencies: who is calling, in which negotiation, in which seat."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backchannel.service.errors import ServiceError, not_found
from backchannel.service.security import MEDIATOR, Sessions
from backchannel.service.storage.models import Negotiation, Seat


def get_db(request: Request) -> Iterator[Session]:
    """A session for this request: requests that may write take the write lock up front.

    On SQLite, writers in this process also queue on a lock of their own: waiting there is
    cheaper and fairer than SQLite's busy handler, which sleeps and retries.
    """
    state = request.app.state
    reads_only = request.method in ("GET", "HEAD") and not request.url.path.startswith("/join/")
    if reads_only:
        session = state.read_sessionmaker()
        try:
            yield session
        finally:
            session.close()
        return
    with state.write_lock:
        session = state.sessionmaker()
        try:
            yield session
        finally:
            session.close()


Db = Annotated[Session, Depends(get_db)]


@dataclass(frozen=True)
class Caller:
    """The caller's standing in one negotiation."""

    negotiation: Negotiation
    role: str
    party: str | None
    seat: Seat | None


def current_caller(negotiation_id: str, request: Request, db: Db) -> Caller:
    """The mediator or a party of this negotiation; 401 for anyone else or a revoked link."""
    negotiation = db.get(Negotiation, negotiation_id)
    if negotiation is None:
        raise not_found("negotiation")
    sessions: Sessions = request.app.state.sessions
    grant = sessions.grants(request).get(negotiation_id)
    if grant is None:
        raise ServiceError(
            401,
            "you have no access to this negotiation",
            "open the invitation link you were given",
        )
    if grant.role == MEDIATOR:
        if grant.generation != negotiation.mediator_generation:
            raise _revoked()
        return Caller(negotiation, MEDIATOR, None, None)
    seat = (
        db.query(Seat)
        .filter(Seat.negotiation_id == negotiation_id, Seat.party_id == grant.party)
        .one_or_none()
    )
    if seat is None or seat.generation != grant.generation:
        raise _revoked()
    return Caller(negotiation, "party", seat.party_id, seat)


def _revoked() -> ServiceError:
    return ServiceError(
        401,
        "this invitation was revoked",
        "ask the mediator for a new invitation link",
    )


def require_mediator(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    if caller.role != MEDIATOR:
        raise ServiceError(403, "only the mediator may do this", "ask the mediator")
    return caller


def require_party(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    if caller.role != "party":
        raise ServiceError(403, "only a party may do this", "open a party's invitation link")
    return caller


Member = Annotated[Caller, Depends(current_caller)]
Mediator = Annotated[Caller, Depends(require_mediator)]
Party = Annotated[Caller, Depends(require_party)]
