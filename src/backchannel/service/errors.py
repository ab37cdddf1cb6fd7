"""Errors a caller can fix, and the handlers that turn every error into a clear JSON answer."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backchannel.scenario.errors import ScenarioError

log = logging.getLogger("backchannel.service")


class ServiceError(Exception):
    """A request the service refuses, with the status, what is wrong and how to fix it."""

    def __init__(self, status: int, message: str, fix: str = "", **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.fix = status, shown(message), shown(fix)
        self.extra = shown(extra)

    def document(self) -> dict[str, Any]:
        return {"error": self.message, "fix": self.fix, **self.extra}


MAX_SHOWN = 300


def shown(value: Any) -> Any:
    """An error document as it can be sent: text cut to a few hundred characters and any
    character that is not valid Unicode replaced, so echoing a caller's input never fails."""
    if isinstance(value, str):
        text = value.encode("utf-8", "replace").decode("utf-8")
        return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}... ({len(text):,} chars)"
    if isinstance(value, dict):
        return {shown(k): shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shown(v) for v in value]
    return value


class ErrorResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return super().render(shown(content))


_VALIDATOR_STEPS = {"str", "float", "int", "bool", "none", "list", "dict"}


def field_path(location: tuple[Any, ...] | list[Any]) -> str:
    """``body.terms.enrichment`` for pydantic's location, without its internal steps
    (``function-after[...]``, ``constrained-str``, union branches, ``[key]``)."""
    kept = [
        str(part)
        for part in location
        if not (
            isinstance(part, str)
            and (part in _VALIDATOR_STEPS or part.startswith("constrained-") or "[" in part)
        )
    ]
    return ".".join(kept)


def not_found(what: str) -> ServiceError:
    return ServiceError(404, f"no such {what}", "check the address")


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(_request: Request, error: ServiceError) -> JSONResponse:
        return ErrorResponse(error.document(), status_code=error.status)

    @app.exception_handler(ScenarioError)
    async def _scenario(_request: Request, error: ScenarioError) -> JSONResponse:
        problems = [
            {"path": p.path, "line": p.line, "message": p.message, "fix": p.fix}
            for p in error.problems
        ]
        document = {
            "error": f"the scenario '{error.file}' cannot be used",
            "fix": "correct the problems listed and try again",
            "problems": problems,
        }
        return ErrorResponse(document, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems: dict[str, str] = {}
        for e in error.errors():  # a union reports once per branch: keep the first
            problems.setdefault(field_path(e["loc"]), str(e["msg"]).removeprefix("Value error, "))
        document = {
            "error": "the request is not valid",
            "fix": "correct the fields listed under 'problems'",
            "problems": [{"path": p, "message": m} for p, m in problems.items()],
        }
        return ErrorResponse(document, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        fix = "check the address" if error.status_code == 404 else "see the API documentation"
        return ErrorResponse(
            {"error": str(error.detail), "fix": fix},
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, error: DBAPIError) -> JSONResponse:
        if not (error.connection_invalidated or isinstance(error, OperationalError)):
            return await _internal(request, error)
        # The database went away (a restart closes every connection): the transaction was
        # lost, so nothing of this request was kept, and the pool now opens fresh connections.
        log.warning("database unreachable on %s %s: %s", request.method, request.url.path, error)
        return ErrorResponse(
            {
                "error": "the database could not be reached, so nothing of this was stored",
                "fix": "send it again in a moment",
            },
            status_code=503,
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return ErrorResponse(
            {"error": "internal error", "fix": "this is a bug; please report it"},
            status_code=500,
        )
