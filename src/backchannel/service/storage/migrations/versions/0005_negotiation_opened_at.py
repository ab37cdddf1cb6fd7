"""The moment a negotiation was started, the hour 0 of its live clock.

The deadline used to count from the negotiation's creation, so one set up days before it was
started lost those days. Negotiations started before this upgrade keep their creation as hour
0: their stored moves were checked against it, and a replay must find what was checked.

Revision ID: 0005_negotiation_opened_at
Revises: 0004_negotiation_chains
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_negotiation_opened_at"
down_revision = "0004_negotiation_chains"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("negotiations") as table:
        table.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE negotiations SET opened_at = created_at WHERE status <> 'setup'")


def downgrade() -> None:
    with op.batch_alter_table("negotiations") as table:
        table.drop_column("opened_at")
