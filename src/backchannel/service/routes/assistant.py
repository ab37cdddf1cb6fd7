"""The mediator's assistant: analysis of what the parties confided."""

from __future__ import annotations

from fastapi import APIRouter

from backchannel.service import presenters
from backchannel.service.deps import Db, Mediator
from backchannel.service.schemas import AssistantOut

router = APIRouter(prefix="/api/negotiations/{negotiation_id}", tags=["assistant"])


@router.get("/assistant")
def assistant(caller: Mediator, db: Db) -> AssistantOut:
    """Zone of agreement, Pareto frontier, Nash and Kalai–Smorodinsky packages."""
    return presenters.assistant(db, caller.negotiation)
