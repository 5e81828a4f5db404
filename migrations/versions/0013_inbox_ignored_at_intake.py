"""inbox_delivery: only rows the intake ignored are unique by body; a row the worker finishes as
ignored may share its body with one the intake ignored (the same body under a made-up event name)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

IGNORED = sa.text("status = 'ignored'")
IGNORED_AT_INTAKE = sa.text("status = 'ignored' AND attempts = 0")


def upgrade() -> None:
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.drop_index("uq_inbox_delivery_ignored_body")
        batch.create_index("uq_inbox_delivery_ignored_body", ["body_sha256"], unique=True,
                           postgresql_where=IGNORED_AT_INTAKE, sqlite_where=IGNORED_AT_INTAKE)


def downgrade() -> None:
    # rows the worker ignored that share a body with one the intake ignored go first
    op.execute("DELETE FROM inbox_delivery WHERE status = 'ignored' AND attempts > 0 AND body_sha256 IN "
               "(SELECT body_sha256 FROM inbox_delivery WHERE status = 'ignored' AND attempts = 0)")
    with op.batch_alter_table("inbox_delivery") as batch:
        batch.drop_index("uq_inbox_delivery_ignored_body")
        batch.create_index("uq_inbox_delivery_ignored_body", ["body_sha256"], unique=True,
                           postgresql_where=IGNORED, sqlite_where=IGNORED)
