"""Invitation tokens, server-side sessions, and the guard every request passes first.

An invitation token is 32 random bytes; only its SHA-256 is stored. Opening the link (a POST
from the invitation page) adds a *grant* (negotiation, role, seat and the seat's token
generation) to the browser's session. The session lives in the database with an expiry; the
HttpOnly, SameSite=Lax cookie holds only its id, signed with a key kept outside the database
(``keys``), so one browser may hold any number of grants. Reissuing an invitation bumps the
generation, which revokes every older link and grant.

The guard (``RequestGuard``) refuses a Host that is not configured (DNS rebinding), a cross-site
unsafe request, and an unsafe browser request without the double-submit CSRF token; it adds the
protective headers (CSP, framing, caching, referrer) to every answer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backchannel.service import eventlog
from backchannel.service.storage.models import BrowserSession, LogHead, SessionGrant
from backchannel.service.storage.prepared import Prepared

SESSION_COOKIE = "bc_session"
CSRF_COOKIE = "bc_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MEDIATOR = "mediator"
# Plain HTML forms (no script can add a header): the handler checks the CSRF form field itself.
FORM_POSTS = ("/join/", "/operator")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Grant:
    """The right to act in one negotiation as the mediator or as one party's seat."""

    negotiation: str
    role: str
    party: str | None
    generation: int


CHECKED_COOKIES = 65536
"""Session cookies whose signature was checked, kept (by cookie) with their id's hash."""

_grants, _sessions = SessionGrant.__table__, BrowserSession.__table__
_GRANT_STATEMENT = (
    select(_grants.c.role, _grants.c.party, _grants.c.generation, _sessions.c.expires_at)
    .join(_sessions, _sessions.c.id_hash == _grants.c.session_id)
    .where(_grants.c.session_id == bindparam("session"))
    .where(_grants.c.negotiation_id == bindparam("negotiation"))
)
_GRANT = Prepared(_GRANT_STATEMENT, "grant")
"""A caller's grant in one negotiation, with its session's expiry: one statement, built once
and prepared (every request checks a grant)."""
_heads = LogHead.__table__
_GRANT_AND_LOCK = Prepared(
    _GRANT_STATEMENT.add_columns(_heads.c.seq, _heads.c.hash)
    .join(_heads, _heads.c.negotiation_id == _grants.c.negotiation_id)
    .with_for_update(of=_heads),
    "grant_and_lock",
)
"""The grant, and the lock of the negotiation's log head for a request that writes: one
statement instead of two."""


class Sessions:
    """Browser sessions: a signed id in the cookie, the rights in the database."""

    def __init__(self, keys: list[str], hours: float, secure: bool = False) -> None:
        # itsdangerous signs with the last key and accepts every one (rotation).
        self.serializer = URLSafeSerializer(keys, salt="backchannel-session-id")
        self.lifetime = timedelta(hours=hours)
        self.secure = secure
        self._checked: dict[str, str] = {}

    def _id_hash(self, request: Request) -> str | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        known = self._checked.get(raw)
        if known is not None:
            return known
        try:
            value = self.serializer.loads(raw)
        except BadSignature:
            return None
        if not isinstance(value, str):
            return None
        # A cookie's signature and hash never change: each request of a session checked them
        # again (a tenth of a write's CPU with the grant's query). Only good cookies are kept.
        if len(self._checked) >= CHECKED_COOKIES:
            self._checked.clear()
        self._checked[raw] = found = token_hash(value)
        return found

    def current(self, db: Session, request: Request) -> BrowserSession | None:
        """The caller's unexpired session, if any."""
        id_hash = self._id_hash(request)
        if id_hash is None:
            return None
        found = db.get(BrowserSession, id_hash)
        if found is None or _aware(found.expires_at) <= datetime.now(UTC):
            return None
        return found

    def grant(
        self, db: Session, request: Request, negotiation_id: str, lock: bool = False
    ) -> Grant | None:
        """The caller's grant in one negotiation (one indexed lookup). With ``lock`` (a request
        that writes) the same statement locks the negotiation's log head, as
        ``eventlog.lock`` would, if the caller has a grant there."""
        id_hash = self._id_hash(request)
        if id_hash is None:
            return None
        parameters = {"session": id_hash, "negotiation": negotiation_id}
        rows = (_GRANT_AND_LOCK if lock else _GRANT).rows(db, parameters)
        if not rows:
            return None
        (row,) = rows
        if lock:
            eventlog.held(db, negotiation_id, row.seq, row.hash)
        if _aware(row.expires_at) <= datetime.now(UTC):
            return None
        return Grant(negotiation_id, row.role, row.party, row.generation)

    def _ensure(self, db: Session, request: Request, response: Response) -> BrowserSession:
        session = self.current(db, request)
        if session is not None:
            return session
        raw = new_token()
        now = datetime.now(UTC)
        session = BrowserSession(
            id_hash=token_hash(raw), operator=False, created_at=now, expires_at=now + self.lifetime
        )
        db.add(session)
        db.execute(delete(BrowserSession).where(BrowserSession.expires_at <= now))
        response.set_cookie(
            SESSION_COOKIE,
            self.serializer.dumps(raw),
            httponly=True,
            samesite="lax",
            secure=self.secure,
            max_age=int(self.lifetime.total_seconds()),
        )
        return session

    def store(self, db: Session, request: Request, response: Response, grant: Grant) -> None:
        """Add (or replace) the grant for its negotiation; the caller commits."""
        session = self._ensure(db, request, response)
        db.flush()
        found = db.get(SessionGrant, (session.id_hash, grant.negotiation))
        if found is None:
            found = SessionGrant(session_id=session.id_hash, negotiation_id=grant.negotiation)
            db.add(found)
        found.role, found.party, found.generation = grant.role, grant.party, grant.generation

    def sign_in_operator(self, db: Session, request: Request, response: Response) -> None:
        self._ensure(db, request, response).operator = True


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def form_csrf_ok(request: Request, given: str | None) -> bool:
    """The CSRF check of a plain HTML form: its hidden field must match the cookie."""
    expected = request.cookies.get(CSRF_COOKIE)
    return bool(expected and given and secrets.compare_digest(expected, given))


def csrf_value(request: Request) -> str:
    """The CSRF token this browser has, or the one the guard is about to give it."""
    return request.cookies.get(CSRF_COOKIE) or str(request.scope.get("bc_csrf_new", ""))


class RequestGuard:
    """ASGI middleware: refuse an unknown Host, an address with a NUL character and cross-site
    unsafe requests before any handler runs, give every browser its CSRF cookie, and add the
    protective headers."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.allowed_hosts = {h.lower().strip("[]") for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        headers = _first_values(scope["headers"])
        host = _host_name(headers.get("host", ""))
        if not self.any_host and host not in self.allowed_hosts:
            response = JSONResponse(
                {
                    "error": f"this server does not answer to the host name '{host[:100]}'",
                    "fix": "use the server's configured address (operators: add the name to "
                    "BACKCHANNEL_ALLOWED_HOSTS)",
                },
                status_code=400,
            )
            await response(scope, receive, _with_headers(send, scope))
            return
        if "\x00" in scope["path"]:  # no page or record has one, and PostgreSQL refuses it
            response = JSONResponse(
                {
                    "error": "the address holds a NUL character (%00)",
                    "fix": "remove %00 from the address",
                },
                status_code=400,
            )
            await response(scope, receive, _with_headers(send, scope))
            return
        if not request.cookies.get(CSRF_COOKIE):
            scope["bc_csrf_new"] = new_token()
        send = _with_headers(send, scope)
        problem = None if scope["method"] in SAFE_METHODS else _cross_site_problem(request, headers)
        if problem is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {"error": problem, "fix": "send the request from the Backchannel page itself"},
            status_code=403,
        )
        await response(scope, receive, send)


def _host_name(host: str) -> str:
    """The Host header's name, without port (``[::1]:8000`` is ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name if rest == "" or (rest[:1] == ":" and rest[1:].isdigit()) else host
    name, colon, port = host.rpartition(":")
    if colon and name.count(":") == 0:
        return name if port.isdigit() else host  # 'localhost:80@evil' is no host name
    return host


def _with_headers(send: Send, scope: Scope) -> Send:
    path = str(scope.get("path", ""))
    fresh_csrf = scope.get("bc_csrf_new")
    chosen = _PROTECTIVE if not path.startswith("/static/") else _PROTECTIVE[:-1]
    cookie = f"{CSRF_COOKIE}={fresh_csrf}; Path=/; SameSite=Strict" if fresh_csrf else None

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = protected(message.get("headers", ()), chosen, cookie)
        await send(message)

    return wrapped


_PROTECTIVE = (  # name, value, and whether it replaces a value the response set itself
    (b"x-content-type-options", b"nosniff", False),
    (b"referrer-policy", b"no-referrer", True),
    (b"x-frame-options", b"DENY", True),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("latin-1"), False),
    (b"cache-control", b"no-store", True),  # last: static files keep their own
)


def protected(
    raw: Iterable[tuple[bytes, bytes]],
    chosen: Sequence[tuple[bytes, bytes, bool]],
    cookie: str | None,
) -> list[tuple[bytes, bytes]]:
    """A response's headers with the protective ones, exactly as Starlette's ``MutableHeaders``
    sets them one after the other (``setdefault``, or for a replacing one: the first header of
    that name takes the value in its place, later ones go), then the cookie appended; in one
    pass over the list instead of one per header."""
    replacing = {name: value for name, value, replaces in chosen if replaces}
    headers: list[tuple[bytes, bytes]] = []
    present: set[bytes] = set()
    for name, value in raw:
        if name in replacing:
            if name in present:
                continue
            value = replacing[name]
        present.add(name)
        headers.append((name, value))
    headers.extend((name, value) for name, value, _ in chosen if name not in present)
    if cookie is not None:
        headers.append((b"set-cookie", cookie.encode("latin-1")))
    return headers


def _first_values(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Each request header's first value, by its lower-case name: what ``Request.headers.get``
    answers, read in one pass (a missing header costs no raised and caught ``KeyError``)."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        if key not in headers:
            headers[key] = value.decode("latin-1")
    return headers


def _cross_site_problem(request: Request, headers: Mapping[str, str]) -> str | None:
    """Every unsafe request from a browser carries the double-submit CSRF token (header, or the
    form field for plain forms, checked by their handlers); a caller that shows a credential in
    the Authorization header is not a browser acting on ambient cookies. The pages send
    ``Referrer-Policy: no-referrer``, under which browsers send ``Origin: null`` on their own
    same-origin posts, so an opaque origin is refused only where the token is missing."""
    origin = headers.get("origin")
    if origin and origin != "null":
        host = headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            return f"cross-site request refused (origin {origin} is not {host})"
    if request.scope["path"].startswith(FORM_POSTS):
        return None  # checked by the handler, against the form's hidden field
    if "authorization" in headers and SESSION_COOKIE not in request.cookies:
        return None
    expected = request.cookies.get(CSRF_COOKIE)
    given = headers.get(CSRF_HEADER)
    if not expected or not given or not secrets.compare_digest(expected, given):
        return "missing or wrong CSRF token (header X-CSRF-Token must match cookie bc_csrf)"
    return None
