"""history_need_ends: per need, its first, last and first served or funded rows of the history, its last
match row and the counts of its introductions' and experiences' rows, kept by triggers on status_history
(PostgreSQL), so that the tally reads one row a need instead of ranking or counting every row; filled
for the rows already written by the same function

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

ForumId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _kept(columns: tuple[str, ...], newer: str) -> str:
    """SET clauses of an upsert: each column takes the row's value when `newer` holds, else keeps its own."""
    return ", ".join(f"{c} = CASE WHEN {newer} THEN EXCLUDED.{c} ELSE e.{c} END" for c in columns)


def _before(end: str) -> str:
    """The row comes before the end kept (or none is kept yet): a smaller (moment, id)."""
    return f"e.{end}_id IS NULL OR (EXCLUDED.{end}_at, EXCLUDED.{end}_id) < (e.{end}_at, e.{end}_id)"


def _after(end: str) -> str:
    """The row comes after the end kept (or none is kept yet): a greater (moment, id)."""
    return f"e.{end}_id IS NULL OR (EXCLUDED.{end}_at, EXCLUDED.{end}_id) > (e.{end}_at, e.{end}_id)"


FIRST = ("first_id", "first_at", "first_commune")
LAST = ("last_id", "last_at", "last_status", "last_commune", "last_skills")
STRENGTHENED = ("strengthened_id", "strengthened_at", "strengthened_commune")
MATCH = ("match_id", "match_at", "match_status")
# Each count: its column and when a row adds one to it (the report's introductions and experiences; the
# answers that know when they were proposed, and those within each bound of the answer-time bars).
TIMED = "r.status IN ('accepted', 'declined') AND r.proposed_at IS NOT NULL"
COUNTS = {
    "proposed": "r.kind = 'introduction' AND r.status = 'pending'",
    **{s: f"r.kind = 'introduction' AND r.status = '{s}'" for s in ("accepted", "declined", "expired",
                                                                    "withdrawn")},
    **{s: f"r.kind = 'experience' AND r.status = '{s}'" for s in ("received", "published")},
    "answered": f"r.kind = 'introduction' AND {TIMED}",
    **{f"within_{d}": f"r.kind = 'introduction' AND {TIMED} AND r.at - r.proposed_at <= interval '{d} days'"
       for d in (1, 3, 7, 14)},
}
# Rows are ranked by moment, then by id (the order written): the first is the least, the last the greatest.
ADD = f"""
CREATE FUNCTION history_need_ends_add(r status_history) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    strengthened boolean := r.status IN ('served', 'funded');
BEGIN
    IF r.kind = 'need' THEN
        INSERT INTO history_need_ends AS e (need_topic_id, {", ".join(FIRST + LAST + STRENGTHENED)})
        VALUES (r.need_topic_id, r.id, r.at, r.commune_group, r.id, r.at, r.status, r.commune_group, r.skills,
                CASE WHEN strengthened THEN r.id END, CASE WHEN strengthened THEN r.at END,
                CASE WHEN strengthened THEN r.commune_group END)
        ON CONFLICT (need_topic_id) DO UPDATE SET
            {_kept(FIRST, _before("first"))},
            {_kept(LAST, _after("last"))},
            {_kept(STRENGTHENED, f"EXCLUDED.strengthened_id IS NOT NULL AND ({_before('strengthened')})")};
    ELSIF r.kind = 'match' THEN
        INSERT INTO history_need_ends AS e (need_topic_id, {", ".join(MATCH)})
        VALUES (r.need_topic_id, r.id, r.at, r.status)
        ON CONFLICT (need_topic_id) DO UPDATE SET
            {_kept(MATCH, _after("match"))};
    ELSIF r.kind IN ('introduction', 'experience') THEN
        INSERT INTO history_need_ends AS e (need_topic_id, {", ".join(COUNTS)})
        VALUES (r.need_topic_id, {", ".join(f"({when})::int" for when in COUNTS.values())})
        ON CONFLICT (need_topic_id) DO UPDATE SET
            {", ".join(f"{c} = e.{c} + EXCLUDED.{c}" for c in COUNTS)};
    END IF;
END $$
"""
# A row deleted or changed (rare: a publication called off) makes its need's row again from its rows.
REBUILD = """
CREATE FUNCTION history_need_ends_rebuild(topic bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM history_need_ends WHERE need_topic_id = topic;
    PERFORM history_need_ends_add(h) FROM status_history h WHERE h.need_topic_id = topic;
END $$
"""
KEEP = """
CREATE FUNCTION history_need_ends_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM history_need_ends_add(NEW);
        RETURN NULL;
    END IF;
    PERFORM history_need_ends_rebuild(OLD.need_topic_id);
    IF TG_OP = 'UPDATE' AND NEW.need_topic_id <> OLD.need_topic_id THEN
        PERFORM history_need_ends_rebuild(NEW.need_topic_id);
    END IF;
    RETURN NULL;
END $$
"""
# Forgetting a person changes only the expert's columns: no trigger then.
TRIGGER = """
CREATE TRIGGER history_need_ends_keep AFTER INSERT OR DELETE
    OR UPDATE OF kind, need_topic_id, status, at, commune_group, skills, proposed_at
    ON status_history FOR EACH ROW EXECUTE FUNCTION history_need_ends_keep()
"""
BACKFILL = "SELECT history_need_ends_add(h) FROM status_history h"
TIMED = sa.text("kind = 'introduction' AND status IN ('accepted', 'declined') AND proposed_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "history_need_ends",
        sa.Column("need_topic_id", ForumId, primary_key=True, autoincrement=False),
        sa.Column("first_id", sa.Integer(), nullable=True),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_commune", sa.String(100), nullable=True),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(16), nullable=True),
        sa.Column("last_commune", sa.String(100), nullable=True),
        sa.Column("last_skills", sa.JSON(), nullable=True),
        sa.Column("strengthened_id", sa.Integer(), nullable=True),
        sa.Column("strengthened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("strengthened_commune", sa.String(100), nullable=True),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("match_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("match_status", sa.String(16), nullable=True),
        *(sa.Column(count, sa.Integer(), nullable=False, server_default="0") for count in COUNTS),
    )
    op.create_index("ix_status_history_wait", "status_history", [sa.text("(at - proposed_at)")],
                    postgresql_include=["at", "proposed_at"], postgresql_where=TIMED, sqlite_where=TIMED)
    if op.get_bind().dialect.name == "postgresql":
        for statement in (ADD, REBUILD, KEEP, TRIGGER, BACKFILL):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER history_need_ends_keep ON status_history")
        op.execute("DROP FUNCTION history_need_ends_keep()")
        op.execute("DROP FUNCTION history_need_ends_rebuild(bigint)")
        op.execute("DROP FUNCTION history_need_ends_add(status_history)")
    op.drop_index("ix_status_history_wait", "status_history")
    op.drop_table("history_need_ends")
