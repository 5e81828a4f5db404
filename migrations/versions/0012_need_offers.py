"""need_offers: the volunteers of each need ("Je peux aider" in the codev plugin, not withdrawn)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

FORUM_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "need_offers",
        sa.Column("need_topic_id", FORUM_ID, primary_key=True, autoincrement=False),
        sa.Column("user_id", FORUM_ID, primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_need_offers_user_id", "need_offers", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_need_offers_user_id", table_name="need_offers")
    op.drop_table("need_offers")
