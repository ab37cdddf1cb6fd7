"""Build the public response documents from stored rows (one function per audience)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from backchannel.analysis.outcome_space import analyze_space
from backchannel.scenario.model import Scenario
from backchannel.service import live
from backchannel.service.scenarios import terms_of, utility
from backchannel.service.schemas import (
    AgreementOut,
    AssistantOut,
    DraftOut,
    IssueOut,
    MediatorMessageOut,
    MediatorViewOut,
    OptionOut,
    OwnIssueOut,
    OwnPreferencesOut,
    PartyMessageOut,
    PartyOut,
    PartyRoomOut,
    PointOut,
    ScenarioOut,
    SeatOut,
)
from backchannel.service.storage.models import Draft, Negotiation

FRONTIER_POINTS = 9


def scenario_out(model: Scenario, spec: dict[str, Any]) -> ScenarioOut:
    return ScenarioOut(
        name=model.name,
        title=model.title,
        description=spec.get("description", ""),
        issues=[
            IssueOut(id=i.id, name=i.name, unit=getattr(i, "unit", ""), options=list(i.labels))
            for i in model.space.issues
        ],
        parties=[PartyOut(id=p.id, name=p.name) for p in model.parties],
    )


def draft_changes(previous: Draft | None, draft: Draft) -> dict[str, dict[str, Any]]:
    """Per issue, what this draft changed: ``{issue: {"from": old, "to": new}}``."""
    before = previous.terms if previous is not None else {}
    return {
        issue: {"from": before.get(issue), "to": value}
        for issue, value in draft.terms.items()
        if before.get(issue) != value
    }


def drafts_out(db: Session, negotiation: Negotiation) -> list[DraftOut]:
    rows = live.drafts(db, negotiation)
    return [
        DraftOut(
            version=d.version,
            terms=d.terms,
            note=d.note,
            changes=draft_changes(rows[n - 1] if n else None, d),
            at=d.created_at,
        )
        for n, d in enumerate(rows)
    ]


def mediator_view(db: Session, negotiation: Negotiation) -> MediatorViewOut:
    """Messages are numbered 1, 2, 3... in the negotiation (``relay`` takes these numbers)."""
    model = live.scenario(db, negotiation)
    names = {p.id: p.name for p in model.parties}
    rows = live.messages(db, negotiation)
    numbers = {m.id: m.number for m in rows}
    return MediatorViewOut(
        id=negotiation.id,
        title=negotiation.title,
        status=negotiation.status,
        scenario=scenario_out(model, negotiation.scenario_spec),
        seats=[
            SeatOut(
                party=s.party_id,
                name=names[s.party_id],
                agent=s.agent,
                joined=s.joined,
                adjusted=s.preferences is not None,
            )
            for s in live.seats(db, negotiation)
        ],
        messages=[
            MediatorMessageOut(
                id=m.number,
                sender=m.sender,
                recipient=m.recipient,
                kind=m.kind,
                terms=m.terms,
                text=m.text,
                source=numbers.get(m.source_id) if m.source_id is not None else None,
                edited=m.edited,
                at=m.created_at,
            )
            for m in rows
        ],
        drafts=drafts_out(db, negotiation),
        positions={
            party: terms_of(model, o) if o is not None else None
            for party, o in live.positions(db, negotiation).items()
        },
        agreement=_agreement(model, negotiation),
    )


def _agreement(model: Scenario, negotiation: Negotiation) -> AgreementOut | None:
    if negotiation.agreement is None:
        return None
    return AgreementOut(terms=terms_of(model, negotiation.agreement))


def own_preferences(model: Scenario, party_id: str) -> OwnPreferencesOut:
    party = model.party(party_id)
    issues = []
    for column, issue in enumerate(model.space.issues):
        table = party.utility.tables[column]
        forbidden = party.utility.forbidden[column]
        issues.append(
            OwnIssueOut(
                id=issue.id,
                name=issue.name,
                unit=getattr(issue, "unit", ""),
                weight=float(party.utility.weights[column]),
                options=[
                    OptionOut(label=label, value=float(v), red_line=bool(f))
                    for label, v, f in zip(issue.labels, table, forbidden, strict=True)
                ],
            )
        )
    return OwnPreferencesOut(issues=issues, reservation=party.reservation)


def party_room(db: Session, negotiation: Negotiation, party_id: str) -> PartyRoomOut:
    """Messages are numbered 1, 2, 3... in what this party sees, so the numbers say nothing
    about the rest of the negotiation."""
    model = live.scenario(db, negotiation)
    party = model.party(party_id)
    shown = []
    for m in live.messages(db, negotiation, party_id):
        value, allowed = (
            utility(model, party_id, m.outcome) if m.outcome is not None else (None, None)
        )
        shown.append(
            PartyMessageOut(
                id=m.party_number,
                direction="sent" if m.sender == party_id else "received",
                kind=m.kind,
                terms=m.terms,
                text=m.text,
                utility=value,
                below_walk_away=None if value is None else value < party.reservation,
                crosses_red_line=None if allowed is None else not allowed,
                at=m.created_at,
            )
        )
    agreed = negotiation.agreement
    return PartyRoomOut(
        id=negotiation.id,
        title=negotiation.title,
        status=negotiation.status,
        party=PartyOut(id=party.id, name=party.name),
        can_adjust=negotiation.status == "setup",
        preferences=own_preferences(model, party_id),
        messages=shown,
        agreement=_agreement(model, negotiation),
        agreement_utility=utility(model, party_id, agreed)[0] if agreed is not None else None,
    )


def _point(model: Scenario, index: int | None) -> PointOut | None:
    if index is None:
        return None
    return PointOut(
        terms=terms_of(model, index),
        utilities={
            p.id: round(float(u), 4)
            for p, u in zip(model.parties, model.utilities[index], strict=True)
        },
    )


def assistant(db: Session, negotiation: Negotiation) -> AssistantOut:
    """Zone of agreement, frontier and bargaining solutions on what the parties confided."""
    model = live.scenario(db, negotiation)
    analysis = analyze_space(model)
    count = len(analysis.frontier)
    picks = np.unique(np.linspace(0, count - 1, min(FRONTIER_POINTS, count)).round().astype(int))
    latest = live.drafts(db, negotiation)
    confided = [s.party_id for s in live.seats(db, negotiation) if s.preferences]
    note = (
        f"Computed on the preferences confided by {', '.join(confided)} and the scenario's "
        "preferences for the others."
        if confided
        else "Computed on the scenario's preferences (no party has adjusted its own yet)."
    )
    return AssistantOut(
        outcome_count=analysis.outcome_count,
        zopa_size=analysis.zopa_size,
        zopa_exists=analysis.zopa_exists,
        reservations={p.id: p.reservation for p in model.parties},
        frontier=[_point(model, int(analysis.frontier[i])) for i in picks] if count else [],
        nash=_point(model, analysis.nash),
        kalai_smorodinsky=_point(model, analysis.kalai_smorodinsky),
        utilitarian=_point(model, analysis.utilitarian),
        latest_draft=_point(model, latest[-1].outcome) if latest else None,
        note=note,
    )
