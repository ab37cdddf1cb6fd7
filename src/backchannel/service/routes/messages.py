"""A party's room (its own view), its messages to the mediator, and the mediator's relay."""

from __future__ import annotations

from fastapi import APIRouter

from backchannel.service import live, presenters, safety
from backchannel.service.deps import Caller, Db, Mediator, Party
from backchannel.service.idempotency import IdempotencyKey, fingerprint, once
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


@router.post("/messages", status_code=201)
def send(body: PartyMessageIn, caller: Party, db: Db, key: IdempotencyKey = None) -> PartyRoomOut:
    """Propose, accept, reject or write to the mediator (acknowledged once durable).

    Proposing or accepting a package that crosses one of the party's own red lines, or is worth
    less than its walk-away value, is refused (409) unless ``confirm_below_walkaway`` is true.
    """
    party = caller.party or ""

    def act() -> PartyRoomOut:
        if caller.negotiation.status == "open":  # otherwise live refuses, with its own reason
            model = live.scenario(db, caller.negotiation)
            outcome = _binding_outcome(db, caller, body)
            safety.require_confirmation(
                model, party, body.kind, outcome, body.confirm_below_walkaway
            )
        live.party_message(db, caller.negotiation, party, body.kind, body.terms, body.text)
        return presenters.party_room(db, caller.negotiation, party)

    return once(db, caller, key, fingerprint("messages", body), PartyRoomOut, act)


@router.post("/relay", status_code=201)
def relay(body: RelayIn, caller: Mediator, db: Db, key: IdempotencyKey = None) -> MediatorViewOut:
    """Pass a message on to one party, as it is or edited (the party sees only what is passed)."""

    def act() -> MediatorViewOut:
        live.relay(db, caller.negotiation, body.to, body.kind, body.terms, body.text, body.source)
        return presenters.mediator_view(db, caller.negotiation)

    return once(db, caller, key, fingerprint("relay", body), MediatorViewOut, act)
