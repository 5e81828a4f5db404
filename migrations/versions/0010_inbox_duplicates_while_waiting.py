"""inbox_delivery: a body is a duplicate only while a row with it waits (or was ignored); processed
rows are looked up by when they were processed (retention)

Discourse's bodies repeat for real (tags A -> B -> A give the same topic payload twice), and the event
name is not signed: the old key (event, body) dropped real changes forever and let one body under
made-up names make many rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'pending'")
IGNORED = sa.text("status = 'ignored'")


def upgrade() -> None:
    # Rows already stored may hold one body under several names: keep the oldest waiting/ignored one.
    op.execute(
        "UPDATE inbox_delivery SET status = 'ignored', last_error = 'duplicate of an earlier delivery' "
        "WHERE status = 'pending' AND id NOT IN (SELECT min(id) FROM inbox_delivery WHERE status = 'pending' "
        "GROUP BY body_sha256)")
    op.execute(
        "DELETE FROM inbox_delivery WHERE status = 'ignored' AND id NOT IN "
        "(SELECT min(id) FROM inbox_delivery WHERE status = 'ignored' GROUP BY body_sha256)")
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.drop_constraint("uq_inbox_delivery_event", type_="unique")
        batch.create_index("uq_inbox_delivery_waiting_body", ["body_sha256"], unique=True,
                           postgresql_where=WAITING, sqlite_where=WAITING)
        batch.create_index("uq_inbox_delivery_ignored_body", ["body_sha256"], unique=True,
                           postgresql_where=IGNORED, sqlite_where=IGNORED)
        batch.create_index("ix_inbox_delivery_processed_at", ["processed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.drop_index("ix_inbox_delivery_processed_at")
        batch.drop_index("uq_inbox_delivery_ignored_body")
        batch.drop_index("uq_inbox_delivery_waiting_body")
        batch.create_unique_constraint("uq_inbox_delivery_event", ["event", "body_sha256"])
