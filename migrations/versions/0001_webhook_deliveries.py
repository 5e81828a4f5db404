"""inbox_delivery and rejected_delivery: webhook deliveries accepted or refused

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
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("entity_kind", sa.String(length=16), nullable=False),
        sa.Column("entity_key", sa.String(length=64), nullable=True),
        sa.Column("hint", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_by", sa.String(length=64), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_delivery")),
        sa.UniqueConstraint("event", "body_sha256", name=op.f("uq_inbox_delivery_event")),
    )
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.create_index("ix_inbox_delivery_claim", ["status", "available_at"], unique=False)
        batch.create_index("ix_inbox_delivery_entity", ["entity_kind", "entity_key"], unique=False)
    op.create_table(
        "rejected_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=True),
        sa.Column("body_size", sa.Integer(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_delivery")),
    )
    with op.batch_alter_table("rejected_delivery") as batch:
        batch.create_index(batch.f("ix_rejected_delivery_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rejected_delivery") as batch:
        batch.drop_index(batch.f("ix_rejected_delivery_received_at"))
    op.drop_table("rejected_delivery")
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.drop_index("ix_inbox_delivery_entity")
        batch.drop_index("ix_inbox_delivery_claim")
    op.drop_table("inbox_delivery")
