"""Idempotent requests: each acted-on ``Idempotency-Key`` with the answer it got.

Revision ID: 0003_idempotent_requests
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_idempotent_requests"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotent_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "negotiation_id", sa.String(32), sa.ForeignKey("negotiations.id"), nullable=False
        ),
        sa.Column("caller", sa.String(120), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("negotiation_id", "caller", "key", name="uq_idempotent_request"),
    )


def downgrade() -> None:
    op.drop_table("idempotent_requests")
