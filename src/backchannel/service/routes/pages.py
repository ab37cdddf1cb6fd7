"""Server-rendered pages: home, the mediator's desk and a party's room (plus live fragments)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from backchannel.scenario.loader import DEFAULT_SCENARIO, bundled_names
from backchannel.service import presenters
from backchannel.service.agents import strategy_descriptions
from backchannel.service.deps import Db, current_caller
from backchannel.service.operator import is_operator
from backchannel.service.security import MEDIATOR, csrf_value

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, **context: object) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context)


@router.get("/")
def home(request: Request, db: Db) -> HTMLResponse:
    """The start page for the operator; anyone else is asked for the operator token first."""
    if not is_operator(request, db):
        return _render(request, "operator.html", csrf=csrf_value(request), wrong=False)
    return _render(request, "home.html", scenarios=bundled_names(), default=DEFAULT_SCENARIO)


def _context(request: Request, negotiation_id: str, db: Db) -> tuple[str, dict[str, object]]:
    caller = current_caller(negotiation_id, request, db)
    if caller.role == MEDIATOR:
        view = presenters.mediator_view(db, caller.negotiation)
        return "mediate", {"view": view, "strategies": strategy_descriptions()}
    room = presenters.party_room(db, caller.negotiation, caller.party or "")
    return "room", {"room": room}


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    """Browsers ask for this path on pages that name no icon (the API's JSON, for example)."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/n/{negotiation_id}")
def negotiation_page(negotiation_id: str, request: Request, db: Db) -> HTMLResponse:
    """The mediator's desk or the caller's own room, depending on the session."""
    page, context = _context(request, negotiation_id, db)
    return _render(request, f"{page}.html", negotiation_id=negotiation_id, **context)


@router.get("/n/{negotiation_id}/live")
def live_fragment(negotiation_id: str, request: Request, db: Db) -> HTMLResponse:
    """The part of the page that changes, re-rendered for live updates."""
    page, context = _context(request, negotiation_id, db)
    return _render(request, f"_{page}_live.html", negotiation_id=negotiation_id, **context)
