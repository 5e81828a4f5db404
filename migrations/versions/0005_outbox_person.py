"""outbox: the person a write is about (forgetting them removes it), and rows by topic

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_outbox_person_id"), ["person_id"], unique=False)
        batch.create_index(batch.f("ix_outbox_topic_id"), ["topic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_topic_id"))
        batch.drop_index(batch.f("ix_outbox_person_id"))
        batch.drop_column("person_id")
