"""followups and experiences: people asked how a need served or funded went, and its published feedback

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FORUM_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("need_topic_id", FORUM_ID, primary_key=True, autoincrement=False),
        sa.Column("user_id", FORUM_ID, primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_post_number", sa.Integer(), nullable=False),
    )
    op.create_index("ix_followups_user_id", "followups", ["user_id"])
    op.create_index("ix_followups_asked_at", "followups", ["asked_at"])
    op.create_table(
        "experiences",
        sa.Column("need_topic_id", FORUM_ID, primary_key=True, autoincrement=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("experiences")
    op.drop_index("ix_followups_asked_at", table_name="followups")
    op.drop_index("ix_followups_user_id", table_name="followups")
    op.drop_table("followups")
