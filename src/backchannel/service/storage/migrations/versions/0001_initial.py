"""The first schema: negotiations, seats, messages, drafts and the hash-chained log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "negotiations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("scenario_name", sa.String(100), nullable=False),
        sa.Column("scenario_spec", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("agreement", sa.BigInteger(), nullable=True),
        sa.Column("mediator_token_hash", sa.String(64), nullable=False),
        sa.Column("mediator_generation", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_negotiations_mediator_token_hash", "negotiations", ["mediator_token_hash"], unique=True
    )
    op.create_table(
        "seats",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("negotiation_id", sa.String(32), sa.ForeignKey("negotiations.id")),
        sa.Column("party_id", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(100), nullable=True),
        sa.Column("preferences", sa.JSON(), nullable=True),
        sa.Column("joined", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_seats_negotiation_id", "seats", ["negotiation_id"])
    op.create_index("ix_seats_token_hash", "seats", ["token_hash"], unique=True)
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("negotiation_id", sa.String(32), sa.ForeignKey("negotiations.id")),
        sa.Column("sender", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_messages_negotiation_id", "messages", ["negotiation_id"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("negotiation_id", sa.String(32), sa.ForeignKey("negotiations.id")),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_drafts_negotiation_id", "drafts", ["negotiation_id"])
    op.create_table(
        "log_entries",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("negotiation_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_log_entries_negotiation_id", "log_entries", ["negotiation_id"])
    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(f"INSERT INTO log_head (id, seq, hash) VALUES (1, 0, '{'0' * 64}')")


def downgrade() -> None:
    for table in ("log_head", "log_entries", "drafts", "messages", "seats", "negotiations"):
        op.drop_table(table)
