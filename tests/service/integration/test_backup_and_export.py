"""Back up, restore into a fresh database, and export one person: as docs/deploy.md tells the operator.

The PostgreSQL proof runs pg_dump and pg_restore with the flags the guide gives, restores into a new
database, and checks that codev finds every row, at the newest schema, and exports the same person."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import require_newest, upgrade
from sync_service.adapters.db.personal_data import export_person
from sync_service.adapters.db.tables import (
    Base,
    CampaignMemberRecord,
    CampaignRecord,
    DigestEntry,
    ExpertRecord,
    FollowupRecord,
    IntroductionRecord,
    NeedOfferRecord,
    NeedRecord,
    StatusChangeRecord,
    Tombstone,
)
from sync_service.entrypoints.cli import cli
from sync_service.services.forget import tombstone_key

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
PEPPER = b"codev-default-tombstone-key"


def _community(url: str) -> None:
    """An expert (7, amina), a commune official (9, lhoussaine) and his need, an introduction, a digest."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        session.add_all([
            ExpertRecord(user_id=7, username="amina.benali", display_name="Amina Benali",
                         bio="Hydraulicienne", skills=["rural_water"], sectors=["drinking_water"],
                         languages=["fr", "shi"], modes=["remote"], country="France",
                         availability_hours=10.0, origin_province="Tiznit", matchable=True,
                         digest=True, fetched_at=NOW, updated_at=NOW),
            NeedRecord(topic_id=30, title="Adduction d'eau potable des douars", author_user_id=9,
                       author_username="lhoussaine.ait", commune="Anzi", status="matched", post_version=1,
                       skills=["rural_water"], languages=["fr"], fetched_at=NOW, updated_at=NOW),
            NeedRecord(topic_id=31, title="Piste rurale vers le souk", author_user_id=10,
                       author_username="x", status="open", post_version=1, skills=[], languages=[],
                       fetched_at=NOW, updated_at=NOW),
            IntroductionRecord(need_topic_id=30, expert_user_id=7, expert_username="amina.benali",
                               status="accepted", reviewed=True, opened_at=NOW, remind_at=NOW + timedelta(7),
                               expire_at=NOW + timedelta(14), approved_by="youness", last_post_number=3),
            StatusChangeRecord(kind="introduction", need_topic_id=30, status="accepted", at=NOW,
                               expert_user_id=7, expert_username="amina.benali", skills=[]),
            DigestEntry(user_id=7, need_topic_id=31, sent_at=NOW),
            NeedOfferRecord(need_topic_id=31, user_id=7, username="amina.benali", offered_at=NOW),
            FollowupRecord(need_topic_id=30, user_id=7, username="amina.benali", role="expert", locale="fr",
                           asked_at=NOW, answers=["Une étude", "", "Oui"], consent=True, last_post_number=2),
            Tombstone(key=tombstone_key("person", 99, PEPPER), created_at=NOW),
            CampaignRecord(key="campaign:hiver-1", name="Hiver 2026", created_at=NOW, expires_at=NOW,
                           max_uses=10, group_name="experts", created_by="youness", skills=[], communes=[]),
            CampaignMemberRecord(campaign_key="campaign:hiver-1",
                                 person_key=tombstone_key("person", 7, PEPPER), joined_at=NOW),
        ])
    engine.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        counts = {t.name: connection.scalar(select(func.count()).select_from(t)) or 0
                  for t in Base.metadata.sorted_tables}
    engine.dispose()
    return counts


def _export(url: str, user_id: int) -> dict[str, Any]:
    engine = make_engine(url)
    with Session(engine) as session:
        document = export_person(session, user_id, NOW, PEPPER)
    engine.dispose()
    return document


def test_an_expert_gets_their_profile_and_introductions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    _community(url)

    result = CliRunner().invoke(cli, ["export", "--username", "Amina.Benali"],
                                env={"CODEV_DATABASE_URL": url})

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["forum_user_id"] == 7 and document["forgotten"] is False
    assert document["profile"]["skills"] == ["rural_water"] and document["profile"]["country"] == "France"
    assert [(i["need_topic_id"], i["role"], i["need_title"]) for i in document["introductions"]] == [
        (30, "expert", "Adduction d'eau potable des douars")]
    assert [(h["need_topic_id"], h["status"]) for h in document["introduction_history"]] == [(30, "accepted")]
    assert document["digests_received"] == [{"need_topic_id": 31, "sent_at": NOW.isoformat()}]
    assert document["offers_of_help"] == [{"need_topic_id": 31, "offered_at": NOW.isoformat()}]
    assert [(f["need_topic_id"], f["answers"], f["consent"]) for f in document["follow_ups"]] == [
        (30, ["Une étude", "", "Oui"], True)]
    assert document["joined_through_campaigns"] == [{"campaign": "Hiver 2026", "joined_at": NOW.isoformat()}]
    assert document["needs_posted"] == []


def test_a_need_author_gets_their_needs_and_the_introductions_on_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    _community(url)
    output = tmp_path / "export-9.json"

    result = CliRunner().invoke(cli, ["export", "--user-id", "9", "--output", str(output)],
                                env={"CODEV_DATABASE_URL": url})

    assert result.exit_code == 0, result.output
    assert oct(output.stat().st_mode & 0o777) == "0o600"
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["profile"] is None
    assert [n["topic_id"] for n in document["needs_posted"]] == [30]
    assert [(i["expert_username"], i["role"]) for i in document["introductions"]] == [
        ("amina.benali", "need author")]


def test_a_forgotten_person_is_said_forgotten_and_nobody_else_is_found(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    _community(url)

    assert _export(url, 99)["forgotten"] is True
    unknown = CliRunner().invoke(cli, ["export", "--username", "nobody"], env={"CODEV_DATABASE_URL": url})
    assert unknown.exit_code == 1 and unknown.stderr.startswith("codev: codev holds nothing under")
    usage = CliRunner().invoke(cli, ["export"], env={"CODEV_DATABASE_URL": url})
    assert usage.exit_code == 2


def test_a_sqlite_backup_restores_whole(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    _community(url)
    copy = tmp_path / "restored" / "codev.db"
    copy.parent.mkdir()

    # docs/deploy.md: sqlite3 codev.db ".backup backup.db" is safe while codev runs (WAL)
    subprocess.run(["sqlite3", str(tmp_path / "codev.db"), f".backup {copy}"], check=True, timeout=60)

    restored = f"sqlite:///{copy}"
    assert _counts(restored) == _counts(url)
    assert _export(restored, 7) == _export(url, 7)


@pytest.fixture
def two_databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A source and an empty target database on the test server, dropped afterwards."""
    names = [f"codev_backup_{os.getpid()}_{role}" for role in ("source", "target")]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{names[0]}"'))
    base = make_url(postgres_url)
    yield tuple(base.set(database=n).render_as_string(hide_password=False) for n in names)  # type: ignore[misc]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_a_fresh_database(two_databases: tuple[str, str],
                                                            tmp_path: Path) -> None:
    source, target = two_databases
    upgrade(source)
    _community(source)
    dump = tmp_path / "codev.dump"

    # docs/deploy.md, "Back up" and "Restore": the same flags
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source)],
                   check=True, timeout=120)
    server = make_url(target)
    subprocess.run(["createdb", "-h", server.host or "127.0.0.1", "-p", str(server.port or 5432),
                    "-U", server.username or "postgres", server.database or ""], check=True, timeout=60)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(target)}", str(dump)],
                   check=True, timeout=120)

    engine = make_engine(target)
    require_newest(engine, target)  # no `codev db upgrade` needed after a restore of the same version
    engine.dispose()
    assert _counts(target) == _counts(source) and _counts(target)["introductions"] == 1
    assert _export(target, 7) == _export(source, 7)
    check = CliRunner().invoke(cli, ["doctor", "--only", "database"], env={"CODEV_DATABASE_URL": target})
    assert "OK       database: answers, at the newest schema" in check.stdout
