"""Errors a caller can fix, and the handlers that turn every error into a clear JSON answer."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backchannel.scenario.errors import ScenarioError

log = logging.getLogger("backchannel.service")


class ServiceError(Exception):
    """A request the service refuses, with the status, what is wrong and how to fix it."""

    def __init__(self, status: int, message: str, fix: str = "", **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.fix, self.extra = status, message, fix, extra

    def document(self) -> dict[str, Any]:
        return {"error": self.message, "fix": self.fix, **self.extra}


def not_found(what: str) -> ServiceError:
    return ServiceError(404, f"no such {what}", "check the address")


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(_request: Request, error: ServiceError) -> JSONResponse:
        return JSONResponse(error.document(), status_code=error.status)

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
        return JSONResponse(document, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "path": ".".join(str(part) for part in e["loc"]),
                "message": str(e["msg"]).removeprefix("Value error, "),
            }
            for e in error.errors()
        ]
        document = {
            "error": "the request is not valid",
            "fix": "correct the fields listed under 'problems'",
            "problems": problems,
        }
        return JSONResponse(document, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        fix = "check the address" if error.status_code == 404 else "see the API documentation"
        return JSONResponse(
            {"error": str(error.detail), "fix": fix},
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": "internal error", "fix": "this is a bug; please report it"},
            status_code=500,
        )
