"""status_history.proposed_at: an introduction's answer carries the moment it was proposed, so that the
answer times are read from the answers alone; filled for the rows already written from each answer's
first proposal before it (same need, same expert), as the report paired them until now. An index by
kind, status and moment: the report counts and reads one kind of row in a period, not the whole table;
a partial one of the forgotten experts' rows: the dashboard's check that nothing changed reads it

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

FORGOTTEN = sa.text("expert_key IS NOT NULL")
BACKFILL = """
UPDATE status_history SET proposed_at = (
    SELECT min(p.at) FROM status_history p
    WHERE p.kind = 'introduction' AND p.status = 'pending'
      AND p.need_topic_id = status_history.need_topic_id
      AND (p.expert_user_id = status_history.expert_user_id OR p.expert_key = status_history.expert_key)
      AND (p.at < status_history.at OR (p.at = status_history.at AND p.id < status_history.id)))
WHERE kind = 'introduction' AND status <> 'pending'
"""


def upgrade() -> None:
    with op.batch_alter_table("status_history") as batch:
        batch.add_column(sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_status_history_kind_status_at", ["kind", "status", "at"])
        batch.create_index("ix_status_history_forgotten", ["id"], postgresql_where=FORGOTTEN,
                           sqlite_where=FORGOTTEN)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("status_history") as batch:
        batch.drop_index("ix_status_history_forgotten")
        batch.drop_index("ix_status_history_kind_status_at")
        batch.drop_column("proposed_at")
