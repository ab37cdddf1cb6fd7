"""The record covers what is served: replay a negotiation's log and compare it with its rows.

The service serves negotiations, seats, messages and drafts from their tables; the hash chain
(``eventlog``) proves the log was not edited. This module closes the gap between the two: it
rebuilds from the log what every row must hold and names each row that differs, is missing, or
is not in the log at all (``UPDATE messages SET text='FORGED'``, a deleted message, an agreement
set by hand). ``verify`` runs both checks over the whole database in one consistent snapshot.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.service.eventlog import (
    MEDIATOR,
    Verdict,
    canonical,
    entries_of,
    verify_chain,
)
from backchannel.service.schemas import as_utc
from backchannel.service.storage.models import Draft, LogHead, Message, Negotiation, Seat


def spec_digest(spec: dict[str, Any]) -> str:
    """The fingerprint of a negotiation's scenario, recorded when it is created."""
    return hashlib.sha256(canonical(spec).encode("utf-8")).hexdigest()


@dataclass
class Expected:
    """What a negotiation's rows must hold, rebuilt from its log."""

    status: str = "setup"
    agreement: int | None = None
    opened_at: str | None = None
    """When it was started (logged since that moment is stored)."""
    mediator_generation: int = 1
    title: str | None = None
    spec: str | None = None
    seats: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    drafts: dict[int, dict[str, Any]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)


def replay(bodies: list[dict[str, Any]]) -> Expected:
    """Apply each entry, in order, to an empty negotiation."""
    state = Expected()
    for body in bodies:
        kind, data = body.get("kind"), body.get("data") or {}
        _APPLY.get(str(kind), _ignore)(state, data)
    return state


def _created(state: Expected, data: dict[str, Any]) -> None:
    state.title, state.spec = data.get("title"), data.get("spec_sha256")
    for party in data.get("parties", []):
        state.seats[party] = {"agent": None, "preferences": None, "joined": False, "generation": 1}


def _message(state: Expected, data: dict[str, Any]) -> None:
    party = data["recipient"] if data["sender"] == MEDIATOR else data["sender"]
    state.numbers["all"] = state.numbers.get("all", 0) + 1
    state.numbers[party] = state.numbers.get(party, 0) + 1
    expected = {
        "sender": data["sender"],
        "recipient": data["recipient"],
        "kind": data["kind"],
        "terms": data.get("terms"),
        "text": data.get("text", ""),
        "source_id": data.get("source"),
        "edited": bool(data.get("edited")),
        "number": state.numbers["all"],
        "party_number": state.numbers[party],
    }
    if "outcome" in data:
        expected["outcome"] = data["outcome"]
    state.messages[int(data["id"])] = expected


def _seat(state: Expected, data: dict[str, Any], **change: Any) -> None:
    if data.get("party") in state.seats:
        state.seats[data["party"]].update(change)


def _reissued(state: Expected, data: dict[str, Any]) -> None:
    if data.get("party") in state.seats:
        state.seats[data["party"]]["generation"] += 1


def _mediator_reissued(state: Expected, _data: dict[str, Any]) -> None:
    state.mediator_generation += 1


def _status(status: str):  # type: ignore[no-untyped-def]
    def apply(state: Expected, data: dict[str, Any]) -> None:
        state.status = status
        if status == "agreed":
            state.agreement = data.get("outcome")
        if status == "open":
            state.opened_at = data.get("at")

    return apply


def _ignore(_state: Expected, _data: dict[str, Any]) -> None:
    return None


_APPLY = {
    "created": _created,
    "message": _message,
    "seat": lambda s, d: _seat(s, d, agent=d.get("agent")),
    "preferences": lambda s, d: _seat(
        s, d, preferences={"weights": d.get("weights"), "reservation": d.get("reservation")}
    ),
    "joined": lambda s, d: _seat(s, d, joined=True),
    "invitation_reissued": _reissued,
    "mediator_invitation_reissued": _mediator_reissued,
    "draft": lambda s, d: s.drafts.__setitem__(
        int(d["version"]), {"terms": d.get("terms"), "note": d.get("note", "")}
    ),
    "started": _status("open"),
    "agreement": _status("agreed"),
    "closed": _status("closed"),
}


def compare(session: Session, negotiation: Negotiation, expected: Expected) -> list[str]:
    """Every row of the negotiation that differs from what its log says, named."""
    where = f"negotiation {negotiation.id}"
    problems = []
    fields = {
        "status": negotiation.status,
        "agreement": negotiation.agreement,
        "mediator_generation": negotiation.mediator_generation,
    }
    if expected.title is not None:
        fields["title"] = negotiation.title
    if expected.spec is not None:
        fields["spec"] = spec_digest(negotiation.scenario_spec)
    if expected.opened_at is not None:  # its deadline counts from it
        opened = negotiation.opened_at
        fields["opened_at"] = None if opened is None else as_utc(opened).isoformat()
    for name, value in fields.items():
        if getattr(expected, name) != value:
            problems.append(f"{where}: its {name} was changed outside the service (not in the log)")
    seats = session.execute(select(Seat).where(Seat.negotiation_id == negotiation.id)).scalars()
    problems += _rows(
        where,
        "seat",
        {s.party_id: s for s in seats},
        expected.seats,
    )
    messages = session.execute(
        select(Message).where(Message.negotiation_id == negotiation.id)
    ).scalars()
    problems += _rows(where, "message", {m.id: m for m in messages}, expected.messages)
    drafts = session.execute(select(Draft).where(Draft.negotiation_id == negotiation.id)).scalars()
    problems += _rows(where, "draft", {d.version: d for d in drafts}, expected.drafts)
    return problems


def _rows(where: str, what: str, rows: dict[Any, Any], expected: dict[Any, dict]) -> list[str]:
    problems = []
    for key in sorted(set(expected) - set(rows), key=str):
        problems.append(f"{where}: {what} {key} is in the log but its row was deleted")
    for key in sorted(set(rows) - set(expected), key=str):
        problems.append(f"{where}: {what} row {key} is not in the log (added outside the service)")
    for key in sorted(set(rows) & set(expected), key=str):
        changed = [
            name
            for name, value in expected[key].items()
            if _plain(getattr(rows[key], name)) != _plain(value)
        ]
        if changed:
            problems.append(
                f"{where}: {what} {key} was edited outside the service ({', '.join(changed)} "
                "differ from the log)"
            )
    return problems


def _plain(value: Any) -> Any:
    """JSON-equal values compare equal (a stored 0.5 and a logged 0.5, a tuple and a list)."""
    return json.loads(json.dumps(value, sort_keys=True)) if value is not None else None


def verify(session: Session) -> Verdict:
    """Check every negotiation: its chain, and its rows against the chain."""
    verdict = Verdict()
    heads = {h.negotiation_id: h for h in session.execute(select(LogHead)).scalars()}
    negotiations = {n.id: n for n in session.execute(select(Negotiation)).scalars()}
    for negotiation_id in sorted(set(heads) | set(negotiations)):
        head = heads.get(negotiation_id)
        entries = entries_of(session, negotiation_id)
        verdict.entries += len(entries)
        verdict.negotiations += 1
        problems, verdict.heads[negotiation_id] = verify_chain(negotiation_id, entries, head)
        verdict.problems += problems
        negotiation = negotiations.get(negotiation_id)
        if negotiation is None:
            verdict.problems.append(f"negotiation {negotiation_id}: its row was deleted")
            continue
        bodies = []
        for entry in entries:
            try:
                bodies.append(json.loads(entry.body))
            except json.JSONDecodeError:
                continue
        verdict.problems += compare(session, negotiation, replay(bodies))
    return verdict
