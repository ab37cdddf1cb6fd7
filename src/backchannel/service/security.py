"""Invitation tokens, signed session cookies and protection against cross-site requests.

An invitation token is 32 random bytes; only its SHA-256 is stored. Opening the link exchanges
it for a signed, HttpOnly, SameSite=Lax cookie holding *grants* (negotiation, role, seat and
the seat's token generation): reissuing a seat's invitation bumps the generation, which revokes
every older link and cookie. Unsafe requests that carry the session cookie must also carry the
double-submit CSRF token, and any request whose Origin names another site is refused.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "bc_session"
CSRF_COOKIE = "bc_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MEDIATOR = "mediator"


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


class Sessions:
    """Reads and writes the signed session cookie."""

    def __init__(self, secret: str, secure: bool = False) -> None:
        self.serializer = URLSafeSerializer(secret, salt="backchannel-session")
        self.secure = secure

    def grants(self, request: Request) -> dict[str, Grant]:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return {}
        try:
            data: Any = self.serializer.loads(raw)
        except BadSignature:
            return {}
        grants = {}
        if isinstance(data, dict):
            for key, item in data.items():
                try:
                    grants[key] = Grant(key, str(item["r"]), item.get("p"), int(item["g"]))
                except (KeyError, TypeError, ValueError):
                    continue
        return grants

    def store(self, request: Request, response: Response, grant: Grant) -> None:
        grants = self.grants(request)
        grants[grant.negotiation] = grant
        value = self.serializer.dumps(
            {g.negotiation: {"r": g.role, "p": g.party, "g": g.generation} for g in grants.values()}
        )
        response.set_cookie(
            SESSION_COOKIE,
            value,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            max_age=60 * 60 * 24 * 30,
        )


class CrossSiteGuard:
    """ASGI middleware: refuse cross-site unsafe requests before any handler runs, and give
    every browser its CSRF cookie (plus a few protective headers) on the way out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        send = _with_headers(send, request.cookies.get(CSRF_COOKIE))
        problem = None if scope["method"] in SAFE_METHODS else _cross_site_problem(request)
        if problem is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {"error": problem, "fix": "send the request from the Backchannel page itself"},
            status_code=403,
        )
        await response(scope, receive, send)


def _with_headers(send: Send, csrf: str | None) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("X-Content-Type-Options", "nosniff")
            headers.setdefault("Referrer-Policy", "same-origin")
            if not csrf:
                headers.append(
                    "Set-Cookie", f"{CSRF_COOKIE}={new_token()}; Path=/; SameSite=Strict"
                )
        await send(message)

    return wrapped


def _cross_site_problem(request: Request) -> str | None:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            return f"cross-site request refused (origin {origin} is not {host})"
    elif origin == "null":
        return "cross-site request refused (opaque origin)"
    if SESSION_COOKIE in request.cookies:
        expected = request.cookies.get(CSRF_COOKIE)
        given = request.headers.get(CSRF_HEADER)
        if not expected or not given or not secrets.compare_digest(expected, given):
            return "missing or wrong CSRF token (header X-CSRF-Token must match cookie bc_csrf)"
    return None
