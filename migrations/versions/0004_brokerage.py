"""brokerage: introductions, review threads and digest entries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "introductions",
        sa.Column("need_topic_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("expert_user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("expert_username", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=60), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_post_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("need_topic_id", "expert_user_id", name=op.f("pk_introductions")),
    )
    with op.batch_alter_table("introductions") as batch:
        batch.create_index(batch.f("ix_introductions_status"), ["status"], unique=False)
    op.create_table(
        "review_threads",
        sa.Column("need_topic_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.Column("last_post_number", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("need_topic_id", name=op.f("pk_review_threads")),
    )
    op.create_table(
        "digest_entries",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("need_topic_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "need_topic_id", name=op.f("pk_digest_entries")),
    )
    with op.batch_alter_table("digest_entries") as batch:
        batch.create_index(batch.f("ix_digest_entries_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("digest_entries") as batch:
        batch.drop_index(batch.f("ix_digest_entries_user_id"))
    op.drop_table("digest_entries")
    op.drop_table("review_threads")
    with op.batch_alter_table("introductions") as batch:
        batch.drop_index(batch.f("ix_introductions_status"))
    op.drop_table("introductions")
