"""``create_app(settings)``: the web application, built on demand (no work at import)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from backchannel.service import eventlog, heap, keys
from backchannel.service.deps import WriteQueues
from backchannel.service.errors import ServiceError, install_handlers
from backchannel.service.livestate import LiveStates
from backchannel.service.routes import (
    assistant,
    drafts,
    events,
    messages,
    negotiations,
    pages,
    sessions,
)
from backchannel.service.security import RequestGuard, Sessions
from backchannel.service.settings import Settings
from backchannel.service.storage.db import (
    POOL_SIZE,
    loop_url,
    make_engine,
    migrate,
    session_factory,
)
from backchannel.service.storage.group_commit import GroupCommit
from backchannel.service.storage.loop_engine import THREAD_POOL_SIZE, LoopEngines
from backchannel.service.uploads import MEGABYTE, Budget, UploadChecker

ROUTERS = (messages, negotiations, sessions, drafts, assistant, events, pages)
"""Matched in this order; no two routes answer the same method and address (tested), so the
order only decides how soon a request finds its route: the busiest (messages, relay) first."""
SETTINGS_ENVIRONMENT = "BACKCHANNEL_SERVE_SETTINGS"
"""The settings ``serve --workers`` resolved once, as JSON, for each server process it starts."""


def create_app_from_environment() -> FastAPI:
    """The application of one of several server processes (``serve --workers N``), its heap
    settled as ``serve`` settles a single process's."""
    app = create_app(Settings.model_validate_json(os.environ[SETTINGS_ENVIRONMENT]))
    heap.settle()
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """With a loop engine: its connections are opened on start and closed on stopping."""
    loop_engines: LoopEngines | None = app.state.write_queues.loop
    if loop_engines is not None:
        await loop_engines.fill()
    yield
    if loop_engines is not None:
        await loop_engines.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings``: database connected and migrated, routes mounted.

    The API's interactive documentation pages are off (they load scripts from a public CDN);
    the schema stays at ``/openapi.json``."""
    settings = settings or Settings()
    loop_engine_url = loop_url(settings.database_url)
    engine = make_engine(
        settings.database_url, pool_size=THREAD_POOL_SIZE if loop_engine_url else POOL_SIZE
    )
    if settings.migrate_on_start:
        migrate(engine)
    app = FastAPI(
        lifespan=_lifespan,
        title="Backchannel",
        summary="Live mediated negotiation",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    anchor = keys.anchor_file(settings) if settings.anchor_log else None
    if anchor is not None:
        anchor.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    eventlog.install(app.state.sessionmaker, anchor)
    reader = make_engine(settings.database_url, immediate=False) if _is_sqlite(settings) else engine
    app.state.read_sessionmaker = session_factory(reader)
    group = None
    if _is_sqlite(settings):
        group = GroupCommit(
            engine,
            app.state.sessionmaker,
            settings.group_commit_max,
            on_commit=(lambda heads: eventlog.write_anchor(anchor, heads)) if anchor else None,
        )
    loop_engines = LoopEngines(loop_engine_url, app.state.sessionmaker) if loop_engine_url else None
    app.state.write_queues = WriteQueues(app.state.sessionmaker, group, loop_engines)
    app.state.live_states = LiveStates()
    app.state.sessions = Sessions(
        keys.cookie_keys(settings), settings.session_hours, secure=settings.cookie_secure
    )
    app.state.operator_token = None if settings.open_mode else keys.operator_token(settings)
    app.state.upload_checker = UploadChecker(
        Budget(
            seconds=settings.upload_seconds,
            memory_bytes=settings.upload_memory_mb * MEGABYTE,
            concurrent=settings.upload_concurrent,
        )
    )
    package = resources.files("backchannel.service")
    app.state.templates = Jinja2Templates(directory=str(package / "templates"))
    app.state.templates.env.filters["value"] = _shown_value
    app.mount("/static", StaticFiles(directory=str(package / "static")), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    install_handlers(app)
    _html_errors(app)
    app.add_middleware(RequestGuard, allowed_hosts=settings.allowed_hosts)

    return app


def _shown_value(value: object) -> str:
    """Show 8.0 as '8' and 3.67 as '3.67', as the scenario file writes them."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _is_sqlite(settings: Settings) -> bool:
    return settings.database_url.startswith("sqlite")


def _html_errors(app: FastAPI) -> None:
    """Pages answer errors with a readable page; the API keeps its JSON answers."""
    json_handler = app.exception_handlers[ServiceError]

    async def handler(request: Request, error: ServiceError) -> HTMLResponse | JSONResponse:
        if request.url.path.startswith("/api/"):
            return await json_handler(request, error)  # type: ignore[no-any-return]
        return app.state.templates.TemplateResponse(
            request, "error.html", {"error": error}, status_code=error.status
        )

    app.add_exception_handler(ServiceError, handler)
