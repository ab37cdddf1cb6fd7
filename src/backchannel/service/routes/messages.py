"""A party's room (its own view), its messages to the mediator, and the mediator's relay."""

from __future__ import annotations

from fastapi import APIRouter

from backchannel.service import live, presenters
from backchannel.service.deps import Db, Mediator, Party
from backchannel.service.scenarios import outcome_of, terms_of, utility
from backchannel.service.schemas import (
    MediatorViewOut,
    PartyMessageIn,
    PartyRoomOut,
    PreferencesIn,
    RelayIn,
    UtilityIn,
    UtilityOut,
)

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


@router.post("/messages", status_code=201)
def send(body: PartyMessageIn, caller: Party, db: Db) -> PartyRoomOut:
    """Propose, accept, reject or write to the mediator (acknowledged once durable)."""
    live.party_message(db, caller.negotiation, caller.party or "", body.kind, body.terms, body.text)
    db.commit()
    return presenters.party_room(db, caller.negotiation, caller.party or "")


@router.post("/relay", status_code=201)
def relay(body: RelayIn, caller: Mediator, db: Db) -> MediatorViewOut:
    """Pass a message on to one party, as it is or edited (the party sees only what is passed)."""
    live.relay(db, caller.negotiation, body.to, body.kind, body.terms, body.text, body.source)
    db.commit()
    return presenters.mediator_view(db, caller.negotiation)
