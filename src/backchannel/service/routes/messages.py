"""A party's room (its own view), its messages to the mediator, and the mediator's relay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel

from backchannel.service import live, presenters, safety
from backchannel.service.deps import Caller, Db, Mediator, Party, run_db
from backchannel.service.idempotency import IdempotencyKey, fingerprint, once
from backchannel.service.lean_route import lean_post
from backchannel.service.scenarios import outcome_of, terms_of, utility
from backchannel.service.schemas import (
    ActionAckOut,
    MediatorViewOut,
    PartyMessageIn,
    PartyRoomOut,
    PreferencesIn,
    RelayIn,
    UtilityIn,
    UtilityOut,
)
from backchannel.service.storage.models import Message

router = APIRouter(prefix="/api/negotiations/{negotiation_id}", tags=["messages"])


@router.get("/room")
def room(caller: Party, db: Db) -> PartyRoomOut:
    """The party's own room: its preferences and only what it sent or was passed."""
    return presenters.party_room(db, caller.negotiation, caller.party or "")


@router.put("/room/preferences")
def adjust(body: PreferencesIn, caller: Party, db: Db) -> PartyRoomOut:
    """Adjust (and so confide to the mediator) this party's weights and walk-away value."""
    live.adjust(db, caller.negotiation, caller.party or "", body.weights, body.reservation)
    db.commit()
    return presenters.party_room(db, caller.negotiation, caller.party or "")


@router.post("/room/utility")
def package_utility(body: UtilityIn, caller: Party, db: Db) -> UtilityOut:
    """This party's utility for a package it composes."""
    model = live.scenario(db, caller.negotiation)
    index = outcome_of(model, body.terms)
    value, allowed = utility(model, caller.party or "", index)
    return UtilityOut(
        terms=terms_of(model, index),
        utility=value,
        crosses_red_line=not allowed,
        above_reservation=value >= model.party(caller.party or "").reservation,
    )


def _binding_outcome(db: Db, caller: Caller, body: PartyMessageIn) -> int | None:
    """The package a proposal or acceptance commits the party to (None for other moves)."""
    if body.kind not in safety.BINDING_KINDS:
        return None
    if body.terms is not None:
        return outcome_of(live.scenario(db, caller.negotiation), body.terms)
    party = caller.party or ""
    passed = [
        m
        for m in live.messages(db, caller.negotiation, party)
        if m.recipient == party and m.kind == "proposal"
    ]
    return passed[-1].outcome if passed else None


MinimalAnswer = Annotated[
    str | None,
    Header(
        alias="Prefer",
        description="'return=minimal' answers a write with the message's number and the "
        "negotiation's status only, instead of the whole room or desk",
    ),
]


def _minimal(prefer: str | None) -> bool:
    return prefer is not None and "return=minimal" in prefer.replace(" ", "").lower()


def _created(answer: BaseModel) -> Response:
    """A write's answer (201), serialised by its own model: the model is the route's declared
    answer already, so FastAPI's second validation of it is skipped (a tenth of a write)."""
    return Response(answer.model_dump_json(), status_code=201, media_type="application/json")


@lean_post(router, "/messages", status_code=201, response_model=PartyRoomOut | ActionAckOut)
async def send(
    request: Request,
    body: PartyMessageIn,
    caller: Party,
    db: Db,
    key: IdempotencyKey = None,
    prefer: MinimalAnswer = None,
) -> Response:
    """Propose, accept, reject or write to the mediator (acknowledged once durable).

    Proposing or accepting a package that crosses one of the party's own red lines, or is worth
    less than its walk-away value, is refused (409) unless ``confirm_below_walkaway`` is true.
    """
    party = caller.party or ""

    def act() -> Message:
        if caller.negotiation.status == "open":  # otherwise live refuses, with its own reason
            model = live.scenario(db, caller.negotiation)
            outcome = _binding_outcome(db, caller, body)
            safety.require_confirmation(
                model, party, body.kind, outcome, body.confirm_below_walkaway
            )
        return live.party_message(db, caller.negotiation, party, body.kind, body.terms, body.text)

    if _minimal(prefer):

        def ack() -> ActionAckOut:
            return ActionAckOut(id=act().party_number, status=caller.negotiation.status)

        return _created(
            await run_db(
                request,
                lambda: once(
                    db, caller, key, fingerprint("messages-minimal", body), ActionAckOut, ack
                ),
            )
        )

    def room() -> PartyRoomOut:
        act()
        return presenters.party_room(db, caller.negotiation, party)

    return _created(
        await run_db(
            request,
            lambda: once(db, caller, key, fingerprint("messages", body), PartyRoomOut, room),
        )
    )


@lean_post(router, "/relay", status_code=201, response_model=MediatorViewOut | ActionAckOut)
async def relay(
    request: Request,
    body: RelayIn,
    caller: Mediator,
    db: Db,
    key: IdempotencyKey = None,
    prefer: MinimalAnswer = None,
) -> Response:
    """Pass a message on to one party, as it is or edited (the party sees only what is passed)."""

    def act() -> Message:
        return live.relay(
            db, caller.negotiation, body.to, body.kind, body.terms, body.text, body.source
        )

    if _minimal(prefer):

        def ack() -> ActionAckOut:
            return ActionAckOut(id=act().number, status=caller.negotiation.status)

        return _created(
            await run_db(
                request,
                lambda: once(
                    db, caller, key, fingerprint("relay-minimal", body), ActionAckOut, ack
                ),
            )
        )

    def view() -> MediatorViewOut:
        act()
        return presenters.mediator_view(db, caller.negotiation)

    return _created(
        await run_db(
            request,
            lambda: once(db, caller, key, fingerprint("relay", body), MediatorViewOut, view),
        )
    )
