"""The outbox on SQLite and PostgreSQL, sending to the sandbox: idempotent intents, sent exactly once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from discourse_sandbox import Sandbox
from sync_service.adapters.db import outbox as db_outbox
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import uow_factory
from sync_service.adapters.discourse.client import HttpPolicy, Transport
from sync_service.adapters.discourse.writer import DiscourseWriter
from sync_service.services.outbox import SendPolicy, enqueue, marker, send_due
from sync_service.services.ports.storage import Intent
from tests.conftest import ADMIN_API_KEY
from tests.sandbox.integration.test_sandbox_posts import add_user

START = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


class Outbox:
    """The database, the writer on the sandbox and a clock that only moves when told."""

    def __init__(self, url: str, sandbox: Sandbox, policy: HttpPolicy | None = None) -> None:
        upgrade(url)
        self.engine = make_engine(url)
        self.factory = uow_factory(self.engine)
        transport = Transport(sandbox.base_url, ADMIN_API_KEY, "system",
                              policy or HttpPolicy(requests_per_minute=0))
        self.writer = DiscourseWriter(transport, "system")
        self.moment = START

    def now(self) -> datetime:
        return self.moment

    def enqueue(self, *intents: Intent) -> list[bool]:
        with self.factory() as uow:
            added = [enqueue(uow, intent, self.now()) for intent in intents]
            uow.commit()
        return added

    def send(self, **policy: Any) -> Any:
        return send_due(self.factory, self.writer, "test-sender", self.now,
                        SendPolicy(settle_seconds=0, backoff_seconds=1, **policy))

    def row(self, key: str) -> Any:
        with self.factory() as uow:
            return db_outbox.find(uow.session, key)


@pytest.fixture
def box(database_url: str, sandbox: Sandbox) -> Iterator[Outbox]:
    harness = Outbox(database_url, sandbox)
    yield harness
    harness.engine.dispose()


def review(topic: int, raw: str = "Candidats proposés pour ce besoin de la commune.") -> Intent:
    key = hashlib.sha256(f"review:{topic}".encode()).hexdigest()
    return Intent(key, "create_topic", {"title": f"Revue des candidats pour le besoin numéro {topic}",
                                        "raw": raw})


def posts_with_marker(sandbox: Sandbox, key: str) -> list[Any]:
    with sandbox.state.transaction() as state:
        return [p for p in state.posts.values() if marker(key) in p.raw and p.deleted_at is None]


def test_the_same_intent_twice_is_one_row(box: Outbox) -> None:
    added = box.enqueue(review(7), review(7))

    assert added == [True, False]
    with box.factory() as uow:
        assert db_outbox.stats(uow.session, box.now())["per_status"] == {"pending": 1}


def test_an_intent_is_rolled_back_with_the_decision(box: Outbox) -> None:
    with box.factory() as uow:
        enqueue(uow, review(8), box.now())
        uow.rollback()

    assert box.row(review(8).key) is None


def test_sent_topic_records_discourse_ids_and_carries_the_marker(box: Outbox, sandbox: Sandbox) -> None:
    box.enqueue(review(9))

    report = box.send()

    row = box.row(review(9).key)
    assert (report.sent, row.status) == (1, "sent")
    [post] = posts_with_marker(sandbox, review(9).key)
    assert (row.topic_id, row.post_id) == (post.topic_id, post.id)


def test_reply_and_edit_wait_for_the_topic_they_depend_on(box: Outbox, sandbox: Sandbox) -> None:
    parent = review(10)
    reply = Intent("reply:10:1", "reply", {"raw": "Le premier candidat a été contacté."}, parent.key)
    edit = Intent("edit:10:v2", "edit_post", {"raw": "Nouveau classement des candidats."}, parent.key)
    box.enqueue(reply, edit, parent)

    first = box.send()
    second = box.send()

    assert (first.sent, second.sent) == (1, 2)
    topic_id = box.row(parent.key).topic_id
    assert box.row(reply.key).topic_id == topic_id
    [edited] = posts_with_marker(sandbox, edit.key)
    assert edited.id == box.row(parent.key).post_id
    assert marker(parent.key) in edited.raw  # the post keeps the marker of the intent that made it


def test_a_newer_edit_supersedes_the_pending_one(box: Outbox, sandbox: Sandbox) -> None:
    box.enqueue(review(11))
    box.send()
    post_id = box.row(review(11).key).post_id
    box.enqueue(Intent("edit:11:v2", "edit_post", {"raw": "Classement deux.", "post_id": post_id}),
                Intent("edit:11:v3", "edit_post", {"raw": "Classement trois.", "post_id": post_id}))

    report = box.send()

    assert report.sent == 1
    assert box.row("edit:11:v2").status == "superseded"
    with sandbox.state.transaction() as state:
        assert state.posts[post_id].raw.startswith("Classement trois")


def test_private_message_and_close(box: Outbox, sandbox: Sandbox) -> None:
    add_user(sandbox, "karima")
    intro = Intent("intro:12:karima", "private_message",
                   {"title": "Mise en relation pour le besoin numéro douze", "raw": "Bonjour Karima, ...",
                    "target_recipients": ["karima"]})
    box.enqueue(review(12), intro)
    box.send()
    box.enqueue(Intent("close:12", "close_topic", {}, review(12).key))

    box.send()

    assert box.row("close:12").status == "sent"
    with sandbox.state.transaction() as state:
        assert state.topics[box.row(review(12).key).topic_id].closed
        assert state.topics[box.row(intro.key).topic_id].archetype == "private_message"


def test_a_refusal_is_parked_with_the_error_not_retried(box: Outbox, sandbox: Sandbox) -> None:
    box.enqueue(Intent("reply:404", "reply", {"raw": "Une réponse à un sujet absent.", "topic_id": 99999}))

    report = box.send()

    row = box.row("reply:404")
    assert (report.parked, row.status, row.attempts) == (1, "parked", 1)
    assert "HTTP 422" in row.last_error


def test_a_sender_killed_after_posting_is_not_posting_twice(box: Outbox, sandbox: Sandbox) -> None:
    class Killed(BaseException):
        pass

    real_send = box.writer.send

    def send_then_die(kind: str, payload: Any, key: str) -> Any:
        real_send(kind, payload, key)
        raise Killed  # the post exists; the transaction that records it never runs

    box.enqueue(review(13))
    box.writer.send = send_then_die  # type: ignore[method-assign]
    with pytest.raises(Killed):
        box.send(lease_seconds=60)
    box.writer.send = real_send  # type: ignore[method-assign]
    box.moment += timedelta(seconds=61)  # the dead sender's lease runs out

    report = box.send()

    assert (report.found, report.sent) == (1, 0)
    assert len(posts_with_marker(sandbox, review(13).key)) == 1
    assert box.row(review(13).key).post_id == posts_with_marker(sandbox, review(13).key)[0].id


def test_a_reply_whose_answer_was_lost_is_found_by_its_marker(box: Outbox, sandbox: Sandbox) -> None:
    box.enqueue(review(14))
    box.send()
    sandbox.faults.configure(type(sandbox.settings.faults)(api_fail_after_write_rate=1.0))
    box.enqueue(Intent("reply:14:a", "reply", {"raw": "Relance du candidat."}, review(14).key))

    unclear = box.send()
    sandbox.faults.configure(type(sandbox.settings.faults)())
    box.moment += timedelta(seconds=5)
    again = box.send()

    assert (unclear.retried, again.found) == (1, 1)
    assert len(posts_with_marker(sandbox, "reply:14:a")) == 1


def test_a_row_under_a_live_lease_is_not_claimed_twice(box: Outbox) -> None:
    box.enqueue(review(16), review(17))
    with box.factory() as uow:
        first = uow.outbox.claim("a", box.now(), 10, 60)
        uow.commit()
    with box.factory() as uow:
        meanwhile = uow.outbox.claim("b", box.now() + timedelta(seconds=59), 10, 60)
        later = uow.outbox.claim("b", box.now() + timedelta(seconds=61), 10, 60)
        uow.commit()

    assert [r.key for r in first] == [review(16).key, review(17).key]
    assert meanwhile == []
    assert [(r.key, r.maybe_sent, r.attempts) for r in later] == [
        (review(16).key, True, 2), (review(17).key, True, 2)]


def test_stats_and_failed_rows_for_people(box: Outbox) -> None:
    box.enqueue(Intent("reply:404b", "reply", {"raw": "Réponse vers nulle part.", "topic_id": 99998}))
    box.send()

    with box.factory() as uow:
        failed = db_outbox.list_rows(uow.session, ("parked", "failed"))
        numbers = db_outbox.stats(uow.session, box.now())

    assert [r.key for r in failed] == ["reply:404b"]
    assert numbers["per_status"] == {"parked": 1}


@pytest.mark.parametrize("key", ["", "a b", "x-->", "é"])
def test_a_key_that_could_break_the_marker_is_refused(box: Outbox, key: str) -> None:
    with pytest.raises(ValueError, match="intent key"):
        box.enqueue(Intent(key, "reply", {"raw": "x", "topic_id": 1}))


def _codev(database_url: str, sandbox: Sandbox, *args: str) -> Any:
    from click.testing import CliRunner

    from sync_service.entrypoints.cli import cli

    env = {"CODEV_DATABASE_URL": database_url, "CODEV_DISCOURSE_URL": sandbox.base_url,
           "CODEV_DISCOURSE_API_KEY": ADMIN_API_KEY, "CODEV_DISCOURSE_API_USERNAME": "system"}
    return CliRunner().invoke(cli, list(args), env=env)


def test_cli_sends_what_is_due_then_shows_counts_and_failures(
        box: Outbox, database_url: str, sandbox: Sandbox) -> None:
    box.enqueue(review(15), Intent("reply:404c", "reply", {"raw": "Réponse égarée.", "topic_id": 99997}))

    sent = _codev(database_url, sandbox, "outbox", "--send")
    failed = _codev(database_url, sandbox, "outbox", "--failed")
    counts = _codev(database_url, sandbox, "outbox")

    assert sent.exit_code == 0, sent.output
    assert "sent 1" in sent.output and "parked 1" in sent.output
    assert "reply:404c" in failed.output and "HTTP 422" in failed.output
    assert "sent:       1" in counts.output and "parked:     1" in counts.output
    assert len(posts_with_marker(sandbox, review(15).key)) == 1
