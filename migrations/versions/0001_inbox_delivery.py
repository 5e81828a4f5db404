"""inbox_delivery: webhook deliveries as received

Revision ID: 0001
Revises:
Create Date: 2026-11-29
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
        "inbox_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("discourse_event_id", sa.String(length=32), nullable=True),
        sa.Column("instance", sa.String(length=255), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_delivery")),
        sa.UniqueConstraint("event", "body_sha256", name=op.f("uq_inbox_delivery_event")),
    )
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.create_index(batch.f("ix_inbox_delivery_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.drop_index(batch.f("ix_inbox_delivery_status"))
    op.drop_table("inbox_delivery")
