"""experts, needs and tombstones: what sync keeps of the forum

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experts",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("modes", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("availability_hours", sa.Float(), nullable=True),
        sa.Column("origin_province", sa.String(length=100), nullable=True),
        sa.Column("matchable", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_experts")),
    )
    with op.batch_alter_table("experts") as batch:
        batch.create_index(batch.f("ix_experts_username"), ["username"], unique=False)
    op.create_table(
        "needs",
        sa.Column("topic_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("author_username", sa.String(length=60), nullable=True),
        sa.Column("commune_group", sa.String(length=100), nullable=True),
        sa.Column("commune_code", sa.String(length=16), nullable=True),
        sa.Column("commune", sa.String(length=100), nullable=True),
        sa.Column("province", sa.String(length=100), nullable=True),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("deadline", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("post_version", sa.Integer(), nullable=False),
        sa.Column("topic_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_needs")),
    )
    with op.batch_alter_table("needs") as batch:
        batch.create_index(batch.f("ix_needs_author_user_id"), ["author_user_id"], unique=False)
        batch.create_index(batch.f("ix_needs_status"), ["status"], unique=False)
    op.create_table(
        "tombstones",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_tombstones")),
    )
    with op.batch_alter_table("tombstones") as batch:
        batch.create_index(batch.f("ix_tombstones_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tombstones") as batch:
        batch.drop_index(batch.f("ix_tombstones_created_at"))
    op.drop_table("tombstones")
    with op.batch_alter_table("needs") as batch:
        batch.drop_index(batch.f("ix_needs_status"))
        batch.drop_index(batch.f("ix_needs_author_user_id"))
    op.drop_table("needs")
    with op.batch_alter_table("experts") as batch:
        batch.drop_index(batch.f("ix_experts_username"))
    op.drop_table("experts")
