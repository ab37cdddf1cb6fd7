"""The append-only, hash-chained event log, and its verification.

Each entry stores ``body`` (canonical JSON of what happened) and ``hash = sha256(prev_hash +
body)``, where ``prev_hash`` is the hash of the entry before it. Editing an entry breaks its hash;
deleting one breaks the link of the next (or the head record, for the last). An entry is written
in the same database transaction as the change it records, so both commit or neither does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.service.storage.models import LogEntry, LogHead

GENESIS = "0" * 64


def canonical(data: Any) -> str:
    """One fixed JSON text for a value: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(
    session: Session, negotiation_id: str | None, kind: str, data: dict[str, Any]
) -> LogEntry:
    """Add an entry inside the caller's transaction (which must commit before acknowledging)."""
    head = session.execute(select(LogHead).where(LogHead.id == 1).with_for_update()).scalar_one()
    seq = head.seq + 1
    body = canonical(
        {
            "seq": seq,
            "negotiation": negotiation_id,
            "kind": kind,
            "at": datetime.now(UTC).isoformat(),
            "data": data,
        }
    )
    entry = LogEntry(
        seq=seq,
        negotiation_id=negotiation_id,
        kind=kind,
        body=body,
        prev_hash=head.hash,
        hash=chain_hash(head.hash, body),
    )
    session.add(entry)
    head.seq, head.hash = seq, entry.hash
    session.flush()
    return entry


@dataclass(frozen=True)
class Verdict:
    entries: int
    problems: list[str]
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> Verdict:
    """Walk the whole chain; every problem names the entry (by sequence number) and what broke."""
    problems: list[str] = []
    previous_hash, expected_seq, count = GENESIS, 1, 0
    # The head first: entries appended while we read (after it) are left for the next check,
    # so a busy server never looks tampered with.
    head = session.get(LogHead, 1)
    last = head.seq if head is not None else None
    query = select(LogEntry).order_by(LogEntry.seq)
    if last is not None:
        query = query.where(LogEntry.seq <= last)
    rows = session.execute(query).scalars()
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            missing = (
                f"{expected_seq}"
                if entry.seq == expected_seq + 1
                else (f"{expected_seq}-{entry.seq - 1}")
            )
            problems.append(f"entry {missing} is missing (deleted): the log jumps to {entry.seq}")
        if entry.prev_hash != previous_hash:
            problems.append(
                f"entry {entry.seq}: its link to the previous entry is broken "
                "(an entry before it was deleted or edited)"
            )
        if chain_hash(entry.prev_hash, entry.body) != entry.hash:
            problems.append(f"entry {entry.seq}: its content was edited (hash does not match)")
        else:
            problems.extend(_body_matches(entry))
        previous_hash, expected_seq = entry.hash, entry.seq + 1
    if head is None:
        problems.append("the log head record is missing")
    elif head.seq != expected_seq - 1 or head.hash != previous_hash:
        problems.append(
            f"entry {head.seq}: the last entry recorded by the head is missing or edited "
            f"(the log ends at entry {expected_seq - 1})"
        )
    return Verdict(entries=count, problems=problems, head_hash=previous_hash)


def _body_matches(entry: LogEntry) -> list[str]:
    try:
        body = json.loads(entry.body)
    except json.JSONDecodeError:
        return [f"entry {entry.seq}: its content is not valid JSON"]
    if (body.get("seq"), body.get("negotiation"), body.get("kind")) != (
        entry.seq,
        entry.negotiation_id,
        entry.kind,
    ):
        return [f"entry {entry.seq}: its columns were edited (they disagree with its content)"]
    return []


def entries_for(session: Session, negotiation_id: str) -> list[dict[str, Any]]:
    """A negotiation's entries as plain records, for the exported transcript."""
    rows = session.execute(
        select(LogEntry).where(LogEntry.negotiation_id == negotiation_id).order_by(LogEntry.seq)
    ).scalars()
    return [
        {"seq": e.seq, "body": json.loads(e.body), "prev_hash": e.prev_hash, "hash": e.hash}
        for e in rows
    ]
