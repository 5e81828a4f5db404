"""status_history: every change of a need's or an introduction's status, with its time (the impact
report reads it); needs.organisation: the author's actor group. Backfilled from what the tables hold.

The backfill gives each row the best time the tables know (docs/impact.md): a need is posted at the
earliest of its last update and its first introduction; an introduction is proposed at `opened_at`
and answered or ended at `answered_at` / `closed_at`; a need's current status (other than open) at
its first accepted answer (in progress) or its last update.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FORUM_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("needs") as batch:
        batch.add_column(sa.Column("organisation", sa.String(100), nullable=True))
    history = op.create_table(
        "status_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("need_topic_id", FORUM_ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expert_user_id", FORUM_ID, nullable=True),
        sa.Column("expert_username", sa.String(60), nullable=True),
        sa.Column("expert_key", sa.String(64), nullable=True),
        sa.Column("commune_group", sa.String(100), nullable=True),
        sa.Column("organisation", sa.String(100), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_history")),
    )
    op.create_index("ix_status_history_need", "status_history", ["need_topic_id", "at"])
    op.create_index(op.f("ix_status_history_at"), "status_history", ["at"])
    op.create_index(op.f("ix_status_history_expert_user_id"), "status_history", ["expert_user_id"])
    op.execute("UPDATE needs SET organisation = commune_group")
    rows = _backfill(op.get_bind())
    if rows:
        op.bulk_insert(history, rows)


def _backfill(bind: sa.Connection) -> list[dict[str, Any]]:
    moment = sa.DateTime(timezone=True)
    n = sa.table("needs", sa.column("topic_id", FORUM_ID), sa.column("status", sa.String()),
                 sa.column("commune_group", sa.String()), sa.column("skills", sa.JSON()),
                 sa.column("updated_at", moment))
    i = sa.table("introductions", sa.column("need_topic_id", FORUM_ID), sa.column("expert_user_id", FORUM_ID),
                 sa.column("expert_username", sa.String()), sa.column("status", sa.String()),
                 sa.column("opened_at", moment), sa.column("answered_at", moment),
                 sa.column("closed_at", moment))
    needs = {r.topic_id: r for r in bind.execute(sa.select(n))}
    intros = list(bind.execute(sa.select(i).order_by(i.c.opened_at, i.c.need_topic_id, i.c.expert_user_id)))
    rows: list[dict[str, Any]] = []

    def add(kind: str, topic_id: int, status: str, at: Any, **expert: Any) -> None:
        need = needs.get(topic_id)
        rows.append({"kind": kind, "need_topic_id": topic_id, "status": status, "at": at,
                     "expert_user_id": expert.get("user_id"), "expert_username": expert.get("username"),
                     "expert_key": None, "commune_group": need.commune_group if need else None,
                     "organisation": need.commune_group if need else None,
                     "skills": _skills(need.skills) if need else []})

    for topic_id, need in sorted(needs.items()):
        own = [i for i in intros if i.need_topic_id == topic_id]
        posted = min([need.updated_at, *(i.opened_at for i in own)], key=_naive)
        add("need", topic_id, "open", posted)
        accepted = [i.answered_at or i.closed_at or i.opened_at for i in own if i.status == "accepted"]
        pending = [i.opened_at for i in own if i.status != "discarded"]
        if need.status == "matched" and pending:
            add("need", topic_id, "matched", min(pending, key=_naive))
        elif need.status != "open" and accepted:
            add("need", topic_id, "in_progress", min(accepted, key=_naive))
        if need.status not in ("open", "in_progress") and not (need.status == "matched" and pending):
            add("need", topic_id, need.status, max([need.updated_at, *accepted], key=_naive))
        elif need.status == "in_progress" and not accepted:
            add("need", topic_id, need.status, need.updated_at)
    for i in intros:
        who = {"user_id": i.expert_user_id, "username": i.expert_username}
        if i.status != "discarded":
            add("introduction", i.need_topic_id, "pending", i.opened_at, **who)
        if i.status != "pending":
            add("introduction", i.need_topic_id, i.status, i.answered_at or i.closed_at or i.opened_at, **who)
    return rows


def _naive(moment: Any) -> Any:
    return moment.replace(tzinfo=None) if getattr(moment, "tzinfo", None) is not None else moment


def _skills(value: Any) -> list[str]:
    return [str(v) for v in value or ()]


def downgrade() -> None:
    op.drop_index(op.f("ix_status_history_expert_user_id"), table_name="status_history")
    op.drop_index(op.f("ix_status_history_at"), table_name="status_history")
    op.drop_index("ix_status_history_need", table_name="status_history")
    op.drop_table("status_history")
    with op.batch_alter_table("needs") as batch:
        batch.drop_column("organisation")
