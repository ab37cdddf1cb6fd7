"""The mediator's single negotiating text: versions, each with its changes."""

from __future__ import annotations

from fastapi import APIRouter

from backchannel.service import live, presenters
from backchannel.service.deps import Db, Mediator
from backchannel.service.idempotency import IdempotencyKey, fingerprint, once
from backchannel.service.schemas import DraftIn, DraftOut

router = APIRouter(prefix="/api/negotiations/{negotiation_id}/drafts", tags=["drafts"])


@router.get("")
def list_drafts(caller: Mediator, db: Db) -> list[DraftOut]:
    return presenters.drafts_out(db, caller.negotiation)


@router.post("", status_code=201)
def add_draft(body: DraftIn, caller: Mediator, db: Db, key: IdempotencyKey = None) -> DraftOut:
    """A new version of the single negotiating text (its note stays with the draft)."""

    def act() -> DraftOut:
        live.add_draft(db, caller.negotiation, body.terms, body.note)
        db.flush()
        return presenters.drafts_out(db, caller.negotiation)[-1]

    return once(db, caller, key, fingerprint("drafts", body), DraftOut, act)
