"""history_need_ends (migration 0022): each need's first, last and first served or funded row and its last
match row, as the tally ranks them (by moment, then order written), and the counts of its introductions'
and experiences' rows; filled for the rows already written, kept by PostgreSQL's triggers whatever order
the moments come in, made again when a row is deleted; left empty on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import NeedEndsRecord, StatusChangeRecord

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
h = StatusChangeRecord


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def _write(engine: Engine, rows: list[tuple[str, int, str, float, str | None]]) -> None:
    """Rows (kind, need, status, day, commune) one by one: ids in the order given, moments as they come;
    an answer was proposed at day 2 (with `commune` None)."""
    with engine.begin() as connection:
        for kind, topic, status, when, commune in rows:
            asked = day(2) if kind == "introduction" and status != "pending" else None
            connection.execute(insert(h).values(kind=kind, need_topic_id=topic, status=status, at=day(when),
                                                commune_group=commune, skills=[status], proposed_at=asked))


COUNTED = ("proposed", "accepted", "declined", "expired", "withdrawn", "received", "published", "answered",
           "within_1", "within_3", "within_7", "within_14")


def _ends_from_rows(engine: Engine) -> dict[int, dict[str, Any]]:
    """What each need's row should hold, ranked here in Python from every row of the history."""
    with engine.connect() as connection:
        rows = connection.execute(select(h.id, h.kind, h.need_topic_id, h.status, h.at, h.commune_group,
                                         h.proposed_at).order_by(h.at, h.id)).all()
    ends: dict[int, dict[str, Any]] = {}
    for row_id, kind, topic, status, at, commune, asked in rows:
        end = ends.setdefault(topic, {})
        if kind in ("introduction", "experience"):
            counts = end.setdefault("counts", dict.fromkeys(COUNTED, 0))
            counts["proposed" if status == "pending" else status] += 1
            if status in ("accepted", "declined"):
                counts["answered"] += 1
                for bound in (1, 3, 7, 14):
                    counts[f"within_{bound}"] += at - asked <= timedelta(days=bound)
        elif kind == "need":
            end.setdefault("first", (row_id, at, commune))
            end["last"] = (row_id, at, status, commune, [status])
            if status in ("served", "funded"):
                end.setdefault("strengthened", (row_id, at, commune))
        elif kind == "match":
            end["match"] = (row_id, at, status)
    return ends


def _ends_kept(engine: Engine) -> dict[int, dict[str, Any]]:
    e = NeedEndsRecord
    with engine.connect() as connection:
        found = connection.execute(select(e)).all()
    kept: dict[int, dict[str, Any]] = {}
    for r in found:
        kept[r.need_topic_id] = {name: value for name, value in (
            ("first", (r.first_id, r.first_at, r.first_commune)),
            ("last", (r.last_id, r.last_at, r.last_status, r.last_commune, r.last_skills)),
            ("strengthened", (r.strengthened_id, r.strengthened_at, r.strengthened_commune)),
            ("match", (r.match_id, r.match_at, r.match_status))) if value[0] is not None}
        if any(getattr(r, name) for name in COUNTED):
            kept[r.need_topic_id]["counts"] = {name: getattr(r, name) for name in COUNTED}
    return kept


def test_each_need_s_ends_are_filled_then_kept_in_any_order_of_moments(database_url: str) -> None:
    upgrade(database_url, "0021")
    engine = make_engine(database_url)
    _write(engine, [("need", 1, "in_progress", 3, "commune-anzi"), ("need", 1, "open", 1, "commune-anzi"),
                    ("need", 1, "matched", 1, "commune-tanalt"),  # the same moment: written later, later
                    ("need", 1, "served", 5, "commune-anzi"), ("need", 1, "funded", 4, "commune-anzi"),
                    ("match", 1, "strong", 2, None), ("match", 1, "weak", 2, None),
                    ("match", 2, "strong", 6, None),  # ranked before it was posted: no need row yet
                    ("need", 3, "open", 2, None),
                    ("introduction", 3, "pending", 2, None), ("introduction", 3, "accepted", 3, None),
                    ("introduction", 3, "declined", 5.5, None), ("experience", 3, "received", 12, None)])
    upgrade(database_url)  # 0022 fills the table from the rows already written
    filled = _ends_kept(engine)
    _write(engine, [("need", 1, "closed", 0.5, "commune-ibdar"),  # earlier than every row: the first now
                    ("need", 2, "open", 7, "commune-anzi"), ("need", 3, "served", 9, None),
                    ("need", 3, "funded", 8, None), ("need", 3, "in_progress", 9, None),
                    ("match", 2, "weak", 5, None),  # older than its last match: changes nothing
                    ("introduction", 3, "expired", 30, None), ("introduction", 1, "accepted", 16.5, None),
                    ("experience", 3, "published", 13, None), ("experience", 1, "published", 20, None)])
    with engine.begin() as connection:  # a publication called off (followup.forget_person)
        connection.execute(delete(h).where(h.kind == "experience", h.need_topic_id == 1))
    kept, expected = _ends_kept(engine), _ends_from_rows(engine)
    postgresql = engine.dialect.name == "postgresql"
    engine.dispose()

    if not postgresql:
        assert filled == kept == {}  # the tally ranks the rows themselves
        return
    assert kept == expected
    assert kept[1]["first"][2] == "commune-ibdar" and kept[1]["last"][2] == "served"
    assert kept[1]["strengthened"][1] == day(4) and kept[1]["match"][2] == "weak"
    assert kept[2]["match"][2] == "strong" and kept[3]["strengthened"][1] == day(8)
    assert kept[3]["last"][2] == "in_progress"
    assert kept[3]["counts"] == {**dict.fromkeys(COUNTED, 0), "proposed": 1, "accepted": 1, "declined": 1,
                                 "expired": 1, "received": 1, "published": 1, "answered": 2,
                                 "within_1": 1, "within_3": 1, "within_7": 2, "within_14": 2}
    assert kept[1]["counts"]["published"] == 0 and kept[1]["counts"]["within_14"] == 0
    assert kept[1]["counts"]["answered"] == 1  # 14.5 days: beyond the last bound
    assert filled[1]["first"][2] == "commune-anzi" and "first" not in filled[2]
