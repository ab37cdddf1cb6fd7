"""One hash chain per negotiation, numbered messages, server-side sessions, no key in the database.

The global chain is re-chained per negotiation (each entry keeps its content and time; its
``seq`` becomes its place in its negotiation); run ``backchannel verify-log`` before upgrading
to check the old chain. Messages get their numbers in the negotiation and in their party's room.
The cookie-signing key leaves the database (it now lives in a file or the environment), so
browsers open their invitation links once more after the upgrade.

Revision ID: 0004_negotiation_chains
Revises: 0003_idempotent_requests
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0004_negotiation_chains"
down_revision = "0003_idempotent_requests"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
MEDIATOR = "mediator"


def _audience(kind: str, data: dict) -> str:
    if kind == "message":
        return str(data["recipient"] if data["sender"] == MEDIATOR else data["sender"])
    if kind in ("preferences", "invitation_reissued"):
        return str(data["party"])
    if kind in ("created", "started", "agreement", "closed"):
        return "all"
    return MEDIATOR


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("party_number", sa.Integer(), nullable=False, server_default="0")
        )
    _number_messages(connection)

    op.create_table(
        "log_chains",
        sa.Column("negotiation_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("audience", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "log_heads",
        sa.Column("negotiation_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    _rechain(connection)
    op.drop_table("log_entries")
    op.drop_table("log_head")
    op.rename_table("log_chains", "log_entries")

    op.create_table(
        "browser_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_browser_sessions_expires_at", "browser_sessions", ["expires_at"])
    op.create_table(
        "session_grants",
        sa.Column(
            "session_id",
            sa.String(64),
            sa.ForeignKey("browser_sessions.id_hash", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("negotiation_id", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("party", sa.String(100), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
    )
    op.drop_table("service_secrets")


def _number_messages(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text("SELECT id, negotiation_id, sender, recipient FROM messages ORDER BY id")
    ).all()
    in_negotiation: dict[str, int] = defaultdict(int)
    in_room: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        party = row.recipient if row.sender == MEDIATOR else row.sender
        in_negotiation[row.negotiation_id] += 1
        in_room[(row.negotiation_id, party)] += 1
        connection.execute(
            sa.text("UPDATE messages SET number = :n, party_number = :p WHERE id = :id"),
            {
                "n": in_negotiation[row.negotiation_id],
                "p": in_room[(row.negotiation_id, party)],
                "id": row.id,
            },
        )


def _rechain(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text("SELECT negotiation_id, kind, body FROM log_entries ORDER BY seq")
    ).all()
    heads: dict[str, tuple[int, str]] = {}
    for row in rows:
        if row.negotiation_id is None:
            continue
        seq, prev = heads.get(row.negotiation_id, (0, GENESIS))
        seq += 1
        content = json.loads(row.body)
        content["seq"] = seq
        body = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
        connection.execute(
            sa.text(
                "INSERT INTO log_chains (negotiation_id, seq, kind, audience, body, prev_hash, "
                "hash) VALUES (:n, :s, :k, :a, :b, :p, :h)"
            ),
            {
                "n": row.negotiation_id,
                "s": seq,
                "k": row.kind,
                "a": _audience(row.kind, content.get("data", {})),
                "b": body,
                "p": prev,
                "h": digest,
            },
        )
        heads[row.negotiation_id] = (seq, digest)
    for negotiation, (seq, digest) in heads.items():
        connection.execute(
            sa.text("INSERT INTO log_heads (negotiation_id, seq, hash) VALUES (:n, :s, :h)"),
            {"n": negotiation, "s": seq, "h": digest},
        )


def downgrade() -> None:
    raise NotImplementedError("the per-negotiation chains cannot be merged back into one")
