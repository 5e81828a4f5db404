"""forum ids (users, topics, posts) as 64-bit integers on PostgreSQL

Discourse's ids are bigints; a delivery about topic 2147483648 must not fail the worker. SQLite's
INTEGER is already 64-bit: nothing to do there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = {
    "experts": ("user_id",),
    "needs": ("topic_id", "author_user_id"),
    "introductions": ("need_topic_id", "expert_user_id"),
    "review_threads": ("need_topic_id",),
    "digest_entries": ("user_id", "need_topic_id"),
    "outbox": ("topic_id", "post_id", "person_id"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger())
