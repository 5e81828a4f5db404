"""experts.profile_pushed_at: the profile version last pushed to the codev plugin's user card

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

UNPUSHED = sa.text("profile_pushed_at IS NULL OR profile_pushed_at < updated_at")


def upgrade() -> None:
    with op.batch_alter_table("experts") as batch:
        batch.add_column(sa.Column("profile_pushed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_experts_unpushed", ["user_id"],
                           postgresql_where=UNPUSHED, sqlite_where=UNPUSHED)


def downgrade() -> None:
    with op.batch_alter_table("experts") as batch:
        batch.drop_index("ix_experts_unpushed")
        batch.drop_column("profile_pushed_at")
