"""Who may open negotiations: the operator (a token, or a browser signed in with it).

In open mode (``--open``) anyone who reaches the server may; otherwise the caller shows the
operator token in the ``Authorization: Bearer`` header (API) or signs in once in the browser.
"""

from __future__ import annotations

import secrets

from fastapi import Request
from sqlalchemy.orm import Session

from backchannel.service.errors import ServiceError

OPERATOR_HEADER = "authorization"


def token_matches(request: Request, given: str | None) -> bool:
    expected: str | None = request.app.state.operator_token
    return bool(expected and given and secrets.compare_digest(expected, given.strip()))


def is_operator(request: Request, db: Session) -> bool:
    """True in open mode, with the operator token, or in a browser signed in as operator."""
    if request.app.state.operator_token is None:
        return True
    return holds_operator_credential(request, db)


def holds_operator_credential(request: Request, db: Session) -> bool:
    """The operator token or an operator's browser (never just open mode)."""
    if request.app.state.operator_token is None:
        return False
    scheme, _, token = request.headers.get(OPERATOR_HEADER, "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(request, token):
        return True
    session = request.app.state.sessions.current(db, request)
    return bool(session is not None and session.operator)


def require_operator(request: Request, db: Session) -> None:
    if not is_operator(request, db):
        raise ServiceError(
            401,
            "only the server's operator may open negotiations",
            "sign in at /operator with the operator token that 'backchannel serve' printed "
            "(API: header 'Authorization: Bearer <token>')",
        )
