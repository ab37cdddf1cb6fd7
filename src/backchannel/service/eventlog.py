"""The append-only, hash-chained event log of each negotiation, and its verification.

Each negotiation has its own chain: an entry stores ``body`` (canonical JSON of what happened)
and ``hash = sha256(prev_hash + body)``, where ``prev_hash`` is the hash of the negotiation's
entry before it. Editing an entry breaks its hash; deleting one breaks the link of the next (or
the head record, for the last). An entry is written in the same database transaction as the
change it records, so both commit or neither does; ``record.check`` then replays the entries
and compares them with the rows the service serves. Every request that writes to a negotiation
first locks the negotiation's head row (``lock``), so its chain is a line even when several
server processes share one PostgreSQL database, and writes to different negotiations never
wait for each other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from backchannel.service.storage.group_commit import DEFERRED_HEADS
from backchannel.service.storage.models import LogEntry, LogHead
from backchannel.service.storage.prepared import Prepared

GENESIS = "0" * 64
MEDIATOR = "mediator"
EVERYONE = "all"
HEADS_KEY = "log_heads_written"


def canonical(data: Any) -> str:
    """One fixed JSON text for a value: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def audience(kind: str, data: dict[str, Any]) -> str:
    """Who sees the effect of an entry: everyone, the mediator only, or the mediator and one
    party. A party's live stream counts only entries for everyone or for itself."""
    if kind == "message":
        return str(data["recipient"] if data["sender"] == MEDIATOR else data["sender"])
    if kind in ("preferences", "invitation_reissued"):
        return str(data["party"])
    if kind in ("created", "started", "agreement", "closed"):
        return EVERYONE
    return MEDIATOR


def start_chain(session: Session, negotiation_id: str) -> None:
    """The empty chain of a new negotiation (in the transaction that creates it)."""
    session.add(LogHead(negotiation_id=negotiation_id, seq=0, hash=GENESIS))
    session.flush()


@dataclass
class Head:
    """A negotiation's head as this transaction locked and moved it."""

    seq: int
    hash: str


# The statements of every write, built once: building and compiling ORM statements (and
# flushing an entry object) cost more than running them.
_heads, _entries = LogHead.__table__, LogEntry.__table__
_LOCK = (
    select(_heads.c.seq, _heads.c.hash)
    .where(_heads.c.negotiation_id == bindparam("negotiation"))
    .with_for_update()
)
_MOVE_STATEMENT = (
    update(_heads)
    .where(_heads.c.negotiation_id == bindparam("entry_negotiation_id"))
    .values(seq=bindparam("entry_seq"), hash=bindparam("entry_hash"))
)
_ADD = Prepared(insert(_entries), "add_entry")
_MOVE = Prepared(_MOVE_STATEMENT, "move_head")
_ADD_AND_MOVE = Prepared(
    _MOVE_STATEMENT.add_cte(
        insert(_entries)
        .values({column.name: bindparam(f"entry_{column.name}") for column in _entries.columns})
        .cte("added")
    ),
    "add_entry_and_move_head",
)
"""Both in one statement where the database allows a data-modifying WITH (PostgreSQL): one
round trip fewer per write."""


def lock(session: Session, negotiation_id: str) -> Head | None:
    """Lock the negotiation's head until the transaction ends (``SELECT ... FOR UPDATE``; on
    SQLite the transaction already holds the database's write lock). Call it before reading
    anything a write depends on: later reads then see every earlier committed write."""
    kept = session.info.setdefault("locked_heads", {})
    if negotiation_id not in kept:
        row = session.execute(_LOCK, {"negotiation": negotiation_id}).one_or_none()
        kept[negotiation_id] = None if row is None else Head(int(row.seq), str(row.hash))
    return kept[negotiation_id]  # type: ignore[no-any-return]


def held(session: Session, negotiation_id: str, seq: int, head_hash: str) -> Head:
    """Record a head whose lock this transaction took with a statement of its own (the access
    check reads the grant and locks the head in one round trip: ``security.Sessions``)."""
    head = Head(int(seq), str(head_hash))
    session.info.setdefault("locked_heads", {})[negotiation_id] = head
    return head


def locked_head(session: Session, negotiation_id: str) -> Head | None:
    """The negotiation's head if this transaction holds its lock (read no row to find out)."""
    return session.info.get("locked_heads", {}).get(negotiation_id)  # type: ignore[no-any-return]


def append(session: Session, negotiation_id: str, kind: str, data: dict[str, Any]) -> str:
    """Add an entry inside the caller's transaction (which must commit before acknowledging);
    its hash."""
    head = lock(session, negotiation_id)
    if head is None:
        raise LookupError(f"negotiation {negotiation_id} has no log")
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
    digest = chain_hash(head.hash, body)
    entry = {
        "negotiation_id": negotiation_id,
        "seq": seq,
        "kind": kind,
        "audience": audience(kind, data),
        "body": body,
        "prev_hash": head.hash,
        "hash": digest,
    }
    named = {f"entry_{name}": value for name, value in entry.items()}
    if session.get_bind().dialect.name == "postgresql":
        _ADD_AND_MOVE.rows(session, named)
    else:
        _ADD.rows(session, entry)
        _MOVE.rows(session, named)
    head.seq, head.hash = seq, digest
    session.info.setdefault(HEADS_KEY, {})[negotiation_id] = (seq, digest)
    return digest


def install(factory: sessionmaker[Session], anchor: Path | None) -> None:
    """After a commit, append the heads it moved to the anchor file; after a commit or a
    rollback, forget the locks (they are gone) and the heads read under them."""

    @event.listens_for(factory, "after_commit")
    def _committed(session: Session) -> None:
        heads = session.info.pop(HEADS_KEY, {})
        _forget(session)
        deferred = session.info.get(DEFERRED_HEADS)
        if deferred is not None:  # a savepoint of a group commit: anchored when it commits
            deferred.update(heads)
        elif anchor is not None:
            write_anchor(anchor, heads)

    @event.listens_for(factory, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(HEADS_KEY, None)
        _forget(session)


def _forget(session: Session) -> None:
    session.info.pop("locked_heads", None)


def write_anchor(path: Path, heads: dict[str, tuple[int, str]]) -> None:
    """Append committed heads to the anchor file: ``negotiation seq hash`` per line."""
    if not heads:
        return
    lines = "".join(f"{n} {seq} {digest}\n" for n, (seq, digest) in sorted(heads.items()))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lines)


@dataclass
class Verdict:
    entries: int = 0
    negotiations: int = 0
    problems: list[str] = field(default_factory=list)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def digest(self) -> str:
        """One hash over every negotiation's head: print it, keep it elsewhere."""
        return hashlib.sha256(canonical(sorted(self.heads.items())).encode()).hexdigest()


def verify_chain(
    negotiation_id: str, entries: list[LogEntry], head: LogHead | None
) -> tuple[list[str], tuple[int, str]]:
    """Problems in one negotiation's chain, each naming the entry (by its number)."""
    problems: list[str] = []
    where = f"negotiation {negotiation_id}"
    previous_hash, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            gap = f"{expected_seq}" if entry.seq == expected_seq + 1 else f"{expected_seq}-"
            gap += "" if entry.seq == expected_seq + 1 else f"{entry.seq - 1}"
            problems.append(
                f"{where}, entry {gap} is missing (deleted): the log jumps to {entry.seq}"
            )
        if entry.prev_hash != previous_hash:
            problems.append(
                f"{where}, entry {entry.seq}: its link to the previous entry is broken "
                "(an entry before it was deleted or edited)"
            )
        if chain_hash(entry.prev_hash, entry.body) != entry.hash:
            problems.append(f"{where}, entry {entry.seq}: its content was edited (hash differs)")
        else:
            problems.extend(_columns_match(where, entry))
        previous_hash, expected_seq = entry.hash, entry.seq + 1
    if head is None:
        problems.append(f"{where}: the log head record is missing")
    elif head.seq != expected_seq - 1 or head.hash != previous_hash:
        problems.append(
            f"{where}, entry {head.seq}: the last entry recorded by the head is missing or "
            f"edited (the log ends at entry {expected_seq - 1})"
        )
    return problems, (expected_seq - 1, previous_hash)


def _columns_match(where: str, entry: LogEntry) -> list[str]:
    try:
        body = json.loads(entry.body)
    except json.JSONDecodeError:
        return [f"{where}, entry {entry.seq}: its content is not valid JSON"]
    if (body.get("seq"), body.get("negotiation"), body.get("kind")) != (
        entry.seq,
        entry.negotiation_id,
        entry.kind,
    ) or entry.audience != audience(entry.kind, body.get("data") or {}):
        return [
            f"{where}, entry {entry.seq}: its columns were edited (they disagree with its content)"
        ]
    return []


def entries_of(session: Session, negotiation_id: str, up_to: int | None = None) -> list[LogEntry]:
    query = select(LogEntry).where(LogEntry.negotiation_id == negotiation_id)
    if up_to is not None:
        query = query.where(LogEntry.seq <= up_to)
    return list(session.execute(query.order_by(LogEntry.seq)).scalars())


def entries_for(session: Session, negotiation_id: str) -> list[dict[str, Any]]:
    """A negotiation's entries as plain records, for the exported transcript."""
    return [
        {"seq": e.seq, "body": json.loads(e.body), "prev_hash": e.prev_hash, "hash": e.hash}
        for e in entries_of(session, negotiation_id)
    ]


def check_anchor(
    lines: list[str], heads: dict[str, tuple[int, str]], session: Session
) -> list[str]:
    """Each anchored ``negotiation seq hash`` must still be in its chain, at or before the head:
    a rewritten chain changes the hash, a cut tail ends before the anchored entry."""
    problems = []
    latest: dict[str, tuple[int, str, int]] = {}
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[1].isdigit():
            problems.append(f"anchor line {number} is not 'negotiation seq hash'")
            continue
        negotiation, seq, digest = parts[0], int(parts[1]), parts[2]
        if negotiation not in latest or seq >= latest[negotiation][0]:
            latest[negotiation] = (seq, digest, number)
    for negotiation, (seq, digest, number) in sorted(latest.items()):
        found = session.execute(
            select(LogEntry.hash).where(LogEntry.negotiation_id == negotiation, LogEntry.seq == seq)
        ).scalar_one_or_none()
        where = f"negotiation {negotiation}"
        if negotiation not in heads or heads[negotiation][0] < seq or found is None:
            ends = heads[negotiation][0] if negotiation in heads else 0
            problems.append(
                f"{where}: the anchor (line {number}) saw entry {seq}, the log now ends at "
                f"entry {ends} (its end was cut)"
            )
        elif found != digest:
            problems.append(
                f"{where}, entry {seq}: differs from the anchor (line {number}): "
                "the chain was rewritten"
            )
    return problems
