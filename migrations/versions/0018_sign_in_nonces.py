"""sign_in_nonces: the dashboard's DiscourseConnect nonces, each taken once by any web process

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_nonces",
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name="pk_sign_in_nonces"),
    )
    op.create_index("ix_sign_in_nonces_issued_at", "sign_in_nonces", ["issued_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_nonces_issued_at", table_name="sign_in_nonces")
    op.drop_table("sign_in_nonces")
