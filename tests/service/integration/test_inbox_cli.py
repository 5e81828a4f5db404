"""`codev inbox`: the failed deliveries as a table, re-queuing one, and the counts per status."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, update

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.inbox import delivery_row, insert_deliveries
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import InboxDelivery
from sync_service.entrypoints.cli import cli

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    eng = make_engine(database_url)
    for key, event in (("12", "user_updated"), ("40", "topic_edited"), ("13", "user_created")):
        with eng.begin() as conn:
            insert_deliveries(conn, [delivery_row(
                event=event, event_type=event.split("_")[0], discourse_event_id="9",
                body_sha256=uuid.uuid4().hex * 2, entity_kind="need" if key == "40" else "person",
                entity_key=key, hint={}, received_at=T0)])
    with eng.begin() as conn:
        conn.execute(update(InboxDelivery).where(InboxDelivery.id == 2).values(
            status="parked", attempts=8, last_error="ValueError: form block 'secteur' has no value"))
        conn.execute(update(InboxDelivery).where(InboxDelivery.id == 3).values(
            attempts=2, last_error="KeyError: 'groups'"))
    yield eng
    eng.dispose()


def _codev(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"CODEV_DATABASE_URL": database_url})


def _row(engine: Engine, row_id: int) -> InboxDelivery:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        row = session.get(InboxDelivery, row_id)
        assert row is not None
        return row


def test_failed_lists_parked_and_retrying_rows_with_their_errors(engine: Engine, database_url: str) -> None:
    result = _codev(database_url, "inbox", "--failed")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "status", "event", "entity", "tries", "error"]
    assert any(line.split()[:5] == ["2", "parked", "topic_edited", "need", "40"]
               and "form block 'secteur' has no value" in line for line in lines)
    assert any(line.split()[:2] == ["3", "pending"] and "KeyError" in line for line in lines)
    assert not any(line.split()[:1] == ["1"] for line in lines)


def test_retry_puts_a_parked_row_back_with_its_attempts_reset(engine: Engine, database_url: str) -> None:
    result = _codev(database_url, "inbox", "--retry", "2")

    row = _row(engine, 2)
    assert result.exit_code == 0, result.output
    assert "delivery 2 queued again (was parked)" in result.output
    assert (row.status, row.attempts, row.leased_by) == ("pending", 0, None)


def test_retry_of_an_unknown_or_finished_row_says_why_and_fails(engine: Engine, database_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(InboxDelivery).where(InboxDelivery.id == 1).values(status="done"))

    unknown = _codev(database_url, "inbox", "--retry", "999")
    finished = _codev(database_url, "inbox", "--retry", "1")

    assert unknown.exit_code == 1 and "no delivery 999" in unknown.output
    assert finished.exit_code == 1 and "delivery 1 is done" in finished.output
    assert _row(engine, 1).status == "done"


def test_stats_count_rows_per_status(engine: Engine, database_url: str) -> None:
    result = _codev(database_url, "inbox", "--stats")

    assert result.exit_code == 0, result.output
    counts = dict(line.split(":", 1) for line in result.output.splitlines() if ":" in line
                  and not line.startswith("oldest"))
    assert {k: int(v) for k, v in counts.items()} == {
        "pending": 2, "running": 0, "done": 0, "ignored": 0, "parked": 1, "due now": 2}
    assert "oldest pending received 2026-11-01 08:00:00 UTC" in result.output


def test_a_database_never_migrated_gets_a_clear_message(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "empty.db").close()  # a file, without codev's schema

    result = _codev(f"sqlite:///{tmp_path}/empty.db", "inbox")

    assert result.exit_code == 1
    assert "run `codev db upgrade` first" in result.output
