"""brokerage_changes and brokerage_leases: a pass re-ranks only what changed, one worker at a time

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

ForumId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DIGEST = sa.text("digest AND matchable")


def upgrade() -> None:
    op.create_table(
        "brokerage_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("need_topic_id", ForumId, nullable=True),
        sa.Column("expert_user_id", ForumId, nullable=True),
    )
    op.create_table(
        "brokerage_leases",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("experts") as batch:
        batch.create_index("ix_experts_digest", ["user_id"], postgresql_where=DIGEST, sqlite_where=DIGEST)


def downgrade() -> None:
    with op.batch_alter_table("experts") as batch:
        batch.drop_index("ix_experts_digest")
    op.drop_table("brokerage_leases")
    op.drop_table("brokerage_changes")
