"""campaigns and campaign_members: recruitment campaigns (a multi-use invite each) and who joined

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(60), nullable=False),
        sa.Column("created_by", sa.String(60), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("communes", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(300), nullable=True),
    )
    op.create_table(
        "campaign_members",
        sa.Column("campaign_key", sa.String(128), primary_key=True),
        sa.Column("person_key", sa.String(64), primary_key=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("campaign_members")
    op.drop_table("campaigns")
