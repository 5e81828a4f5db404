"""plan_rows: one record per imported row of a commune's plan (stable key, fingerprint, confirmation)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_rows",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("organisation", sa.String(60), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_plan_rows")),
    )
    op.create_index(op.f("ix_plan_rows_organisation"), "plan_rows", ["organisation"])


def downgrade() -> None:
    op.drop_index("ix_plan_rows_organisation", table_name="plan_rows")
    op.drop_table("plan_rows")
