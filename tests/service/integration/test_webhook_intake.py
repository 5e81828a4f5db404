"""POST /webhooks/discourse on SQLite and PostgreSQL: stored once, answered at once, refusals recorded."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from werkzeug.serving import make_server

from sync_service import create_app
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.inbox import InboxWriter, delivery_row, insert_deliveries
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import InboxDelivery, RejectedDelivery
from sync_service.adapters.discourse.signature import sign
from sync_service.config import Settings, WebhookSettings
from tests import paths

FIXTURES = paths.FIXTURES
SECRET = "intake-test-secret-0123456789"
OLD_SECRET = "intake-old-secret-0123456789"
URL = "/webhooks/discourse"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    upgrade(database_url)
    settings = dataclasses.replace(Settings(), database_url=database_url,
                                   webhook_secrets=(SECRET, OLD_SECRET),
                                   webhooks=WebhookSettings(max_body_bytes=64 * 1024))
    app = create_app(settings)
    yield app
    app.extensions["codev.webhooks"].writer.close()
    app.extensions["codev"].lazy_engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def engine(app: Flask) -> Engine:
    return app.extensions["codev"].lazy_engine  # type: ignore[no-any-return]


def inbox(app: Flask) -> list[InboxDelivery]:
    with engine(app).connect() as conn:
        return list(conn.execute(select(InboxDelivery).order_by(InboxDelivery.id)).all())  # type: ignore[arg-type]


def rejections(app: Flask) -> list[Any]:
    with engine(app).connect() as conn:
        return list(conn.execute(select(RejectedDelivery).order_by(RejectedDelivery.id)).all())


def count(app: Flask, table: Any) -> int:
    with engine(app).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def body_of(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def deliver(client: FlaskClient, name: str, *, body: bytes | None = None, event: str | None = None,
            secret: str = SECRET, event_id: str = "1", **headers: str) -> Any:
    """POST a recorded body as Discourse does (headers of discourse_sandbox/webhooks/delivery.py)."""
    raw = body if body is not None else body_of(name)
    event_type = next(iter(json.loads(body_of(name))))
    sent = {"Content-Type": "application/json", "X-Discourse-Instance": "http://127.0.0.1:4200",
            "X-Discourse-Event-Id": event_id, "X-Discourse-Event-Type": event_type,
            "X-Discourse-Event": event or name.split("__")[0],
            "X-Discourse-Event-Signature": sign(secret, raw)}
    sent.update(headers)
    return client.post(URL, data=raw, headers=sent)


def test_topic_created_is_stored_pending_with_its_hint(client: FlaskClient, app: Flask) -> None:
    answer = deliver(client, "topic_created__need_form_labels", event_id="41")

    rows = inbox(app)
    assert answer.status_code == 200 and answer.json == {"status": "accepted"}
    assert len(rows) == 1
    row = rows[0]
    assert (row.event, row.event_type, row.discourse_event_id) == ("topic_created", "topic", "41")
    assert (row.entity_kind, row.status, row.attempts) == ("need", "pending", 0)
    assert row.entity_key == str(row.hint["topic_id"]) and len(row.body_sha256) == 64


def test_same_event_and_same_body_is_a_duplicate_even_with_a_new_event_id(
        client: FlaskClient, app: Flask) -> None:
    first = deliver(client, "user_updated__expert_profile", event_id="1")
    retry = deliver(client, "user_updated__expert_profile", event_id="2")

    assert first.json == {"status": "accepted"}
    assert retry.status_code == 200 and retry.json == {"status": "duplicate"}
    assert count(app, InboxDelivery) == 1


def test_the_same_body_under_made_up_event_names_costs_one_row(client: FlaskClient, app: Flask) -> None:
    # The event header is not signed: a captured body resent under other names is one delivery.
    first = deliver(client, "user_updated__expert_profile")
    relabelled = [deliver(client, "user_updated__expert_profile", event=name)
                  for name in ("user_destroyed", "user_created", *(f"made_up_{n}" for n in range(20)))]

    assert first.json == {"status": "accepted"}
    # user_destroyed and user_created read the same body: duplicates of the waiting row; the first
    # made-up name is recorded once as an unknown event, the nineteen others are duplicates of it
    assert [r.json["status"] for r in relabelled] == ["duplicate", "duplicate", "ignored",
                                                     *["duplicate"] * 19]
    assert [(r.event, r.status) for r in inbox(app)] == [("user_updated", "pending"),
                                                        ("made_up_0", "ignored")]


def test_a_body_seen_again_after_its_row_was_done_is_looked_at_again(client: FlaskClient, app: Flask) -> None:
    # Tags A -> B -> A: Discourse's topic payload has no updated_at nor version, so the third body is
    # byte-identical to the first (app/serializers/web_hook_topic_view_serializer.rb). Once the first
    # row is done, the same body describes a change back, and must be refetched.
    deliver(client, "topic_edited__need_title", event_id="1")
    with engine(app).begin() as conn:
        conn.execute(update(InboxDelivery).values(status="done"))
    again = deliver(client, "topic_edited__need_title", event_id="3")

    assert again.json == {"status": "accepted"}
    assert [r.status for r in inbox(app)] == ["done", "pending"]


def test_a_body_arriving_while_its_row_runs_makes_a_new_row(client: FlaskClient, app: Flask) -> None:
    # the running row's refetch may already have read the forum before this change
    deliver(client, "topic_edited__need_title", event_id="1")
    with engine(app).begin() as conn:
        conn.execute(update(InboxDelivery).values(status="running"))

    assert deliver(client, "topic_edited__need_title", event_id="2").json == {"status": "accepted"}


def test_an_ignored_body_stays_a_duplicate(client: FlaskClient, app: Flask) -> None:
    deliver(client, "user_updated__expert_profile", event="made_up_event")
    later = deliver(client, "user_updated__expert_profile", event="another_made_up_event")

    assert later.json == {"status": "duplicate"} and count(app, InboxDelivery) == 1


def test_user_row_keeps_no_email(client: FlaskClient, app: Flask) -> None:
    deliver(client, "user_updated__expert_profile")

    row = inbox(app)[0]
    assert row.entity_kind == "person" and set(row.hint) == {"user_id", "username"}
    assert "@" not in json.dumps(row.hint)


def test_old_secret_still_verifies_during_rotation(client: FlaskClient, app: Flask) -> None:
    assert deliver(client, "topic_created__need_form_labels", secret=OLD_SECRET).status_code == 200


def test_ping_is_answered_and_not_stored(client: FlaskClient, app: Flask) -> None:
    answer = deliver(client, "ping__ok")

    assert answer.status_code == 200 and answer.json == {"status": "pong"}
    assert count(app, InboxDelivery) == 0


def test_unknown_event_is_stored_as_ignored(client: FlaskClient, app: Flask) -> None:
    body = b'{"kudos": {"id": 3}}'
    answer = client.post(URL, data=body, headers={
        "Content-Type": "application/json", "X-Discourse-Event": "kudos_given",
        "X-Discourse-Event-Type": "kudos", "X-Discourse-Event-Signature": sign(SECRET, body)})

    row = inbox(app)[0]
    assert answer.json == {"status": "ignored"}
    assert (row.status, row.last_error, row.entity_kind) == ("ignored", "unknown event", "none")


def test_small_action_and_category_events_are_stored_as_ignored(client: FlaskClient, app: Flask) -> None:
    deliver(client, "post_created__small_action_closed")
    deliver(client, "category_created__annonces")

    assert [(r.status, r.last_error) for r in inbox(app)] == [
        ("ignored", "not a written reply"), ("ignored", "ignored event")]


def test_form_urlencoded_content_type_carries_json_too(client: FlaskClient, app: Flask) -> None:
    answer = deliver(client, "topic_created__need_form_labels",
                     **{"Content-Type": "application/x-www-form-urlencoded"})

    assert answer.json == {"status": "accepted"}


@pytest.mark.parametrize(("kwargs", "status", "reason"), [
    ({"secret": "forged-secret-0123456789"}, 401, "signature_mismatch"),
    ({"X-Discourse-Event-Signature": ""}, 401, "signature_missing"),
    ({"X-Discourse-Event-Signature": "sha1=" + "0" * 40}, 401, "signature_algorithm"),
    ({"Content-Type": "text/plain"}, 415, "unsupported_content_type"),
    ({"body": b'{"topic": {"id": "7"}}'}, 400, "wrong_type"),
    ({"body": b'{"topic": {"id": 7, "id": 8}}'}, 400, "json_duplicate_key"),
    ({"body": b'{"topic": {"id": NaN}}'}, 400, "json_constant"),
    ({"body": b"\xc3\x28"}, 400, "not_utf8"),
    ({"body": b"[" * 50_000 + b"]" * 10_000}, 400, "json_too_deep"),
    ({"body": b'{"topic": {"id": 7, "t": "\\u0000"}}'}, 400, "json_nul"),
    ({"body": b'{"topic": {"id": 7, "t": "\\udc00"}}'}, 400, "json_surrogate"),
    ({"body": b"x" * (64 * 1024 + 1)}, 413, "body_too_large"),
    ({"event": "user_destroyed"}, 400, "event_type_mismatch"),
    ({"X-Discourse-Event": ""}, 400, "bad_event_header"),
])
def test_refusals_are_answered_4xx_and_recorded(client: FlaskClient, app: Flask, kwargs: dict[str, Any],
                                                status: int, reason: str) -> None:
    answer = deliver(client, "topic_created__need_form_labels", **kwargs)

    recorded = rejections(app)
    assert (answer.status_code, answer.json) == (status, {"error": reason})
    assert count(app, InboxDelivery) == 0
    assert [(r.status_code, r.reason) for r in recorded] == [(status, reason)]
    assert recorded[0].body_size > 0


def test_chunked_body_over_the_cap_is_413(client: FlaskClient, app: Flask) -> None:
    big = b"x" * (64 * 1024 + 10)

    # no Content-Length, and the server says it ends the stream itself (gunicorn, chunked bodies)
    answer = client.post(URL, input_stream=io.BytesIO(big), environ_overrides={"wsgi.input_terminated": True},
                         headers={"Content-Type": "application/json", "X-Discourse-Event": "topic_created",
                                  "X-Discourse-Event-Type": "topic",
                                  "X-Discourse-Event-Signature": sign(SECRET, big)})

    assert answer.status_code == 413 and rejections(app)[0].reason == "body_too_large"


@pytest.fixture
def server(app: Flask) -> Iterator[tuple[str, int]]:
    """The app on a real loopback socket, for what a test client cannot send."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield "127.0.0.1", srv.server_port
    srv.shutdown()


def raw_post(address: tuple[str, int], body: bytes, content_length: int) -> int:
    """Send a POST whose Content-Length is `content_length`, whatever the body; the status answered."""
    head = (f"POST {URL} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"X-Discourse-Event: topic_created\r\nX-Discourse-Event-Type: topic\r\n"
            f"X-Discourse-Event-Signature: {sign(SECRET, body)}\r\n"
            f"Content-Length: {content_length}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_content_length_shorter_than_the_body_fails_the_signature(
        server: tuple[str, int], app: Flask) -> None:
    body = body_of("topic_created__need_form_labels")

    assert raw_post(server, body, len(body) - 10) == 401
    assert count(app, InboxDelivery) == 0


def test_content_length_longer_than_the_body_is_a_400(server: tuple[str, int], app: Flask) -> None:
    body = body_of("topic_created__need_form_labels")

    assert raw_post(server, body, len(body) + 10) == 400
    assert rejections(app)[0].reason == "body_incomplete"


def test_content_length_over_the_cap_is_413_before_reading(server: tuple[str, int], app: Flask) -> None:
    assert raw_post(server, b"{}", 10**9) == 413


def test_event_header_is_truncated_in_the_record(client: FlaskClient, app: Flask) -> None:
    deliver(client, "topic_created__need_form_labels", event="x" * 300, secret="forged-secret-0123456789")

    assert rejections(app)[0].event == "x" * 64


def test_healthz_answers_without_the_database(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_database_down_is_a_503_not_a_lost_delivery(tmp_path: Path) -> None:
    settings = dataclasses.replace(Settings(), database_url=f"sqlite:///{tmp_path / 'empty.db'}",
                                   webhook_secrets=(SECRET,))
    client = create_app(settings).test_client()  # no `db upgrade`: the insert fails

    answer = deliver(client, "topic_created__need_form_labels")

    assert answer.status_code == 503


# --- the writer: group commit -------------------------------------------------------------------

def _row(n: int, event: str = "topic_created", **changes: Any) -> dict[str, Any]:
    row = delivery_row(event=event, event_type="topic", discourse_event_id=str(n), body_sha256=f"{n:064x}",
                       entity_kind="need", entity_key=str(n), hint={"topic_id": n},
                       received_at=datetime.now(UTC))
    row.update(changes)
    return row


def test_same_delivery_twice_in_one_batch_is_new_once(app: Flask) -> None:
    with engine(app).begin() as conn:
        flags = insert_deliveries(conn, [_row(1), _row(2), _row(1), _row(1, event="topic_edited")])

    assert flags == [True, True, False, False]  # one body, waiting once, whatever the name


def test_concurrent_deliveries_are_each_answered_and_stored(app: Flask) -> None:
    writer = InboxWriter(engine(app))
    try:
        with ThreadPoolExecutor(16) as pool:
            flags = list(pool.map(lambda n: writer.store_delivery(_row(n % 100), 10), range(200)))
    finally:
        writer.close()

    assert flags.count(True) == 100 and flags.count(False) == 100
    assert count(app, InboxDelivery) == 100


def test_a_bad_row_fails_alone(app: Flask) -> None:
    writer = InboxWriter(engine(app))
    rows = [_row(1), _row(2, event_type=None), _row(3)]  # NOT NULL broken
    try:
        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(writer.store_delivery, row, 10) for row in rows]
        outcomes = [f.exception() or f.result() for f in futures]
    finally:
        writer.close()

    assert outcomes[0] is True and outcomes[2] is True
    assert isinstance(outcomes[1], IntegrityError)
    assert count(app, InboxDelivery) == 2


def test_writer_reconnects_when_its_connection_was_killed(app: Flask, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL: a server-side kill of the writer's backend")
    name = f"codev_writer_test_{os.getpid()}"
    writer_engine = make_engine(f"{database_url}?application_name={name}")
    writer = InboxWriter(writer_engine)
    try:
        assert writer.store_delivery(_row(1), 10) is True
        with engine(app).begin() as conn:
            killed = conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE application_name = :name"), {"name": name}).scalars().all()

        stored = writer.store_delivery(_row(2), 10)
    finally:
        writer.close()
        writer_engine.dispose()

    assert killed == [True]
    assert stored is True and count(app, InboxDelivery) == 2


# --- never a 500 ------------------------------------------------------------------------------------

_bodies = st.one_of(
    st.binary(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                            max_size=3),
                 max_leaves=12).map(lambda v: json.dumps({"topic": v}).encode()),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies, event=st.sampled_from(["topic_created", "post_edited", "user_updated", "kudos", "ping"]),
       signed=st.booleans())
def test_any_body_gets_a_2xx_or_4xx_never_a_500(client: FlaskClient, body: bytes, event: str,
                                                 signed: bool) -> None:
    answer = client.post(URL, data=body, headers={
        "Content-Type": "application/json", "X-Discourse-Event": event, "X-Discourse-Event-Type": "topic",
        "X-Discourse-Event-Signature": sign(SECRET if signed else "other-secret-0123456", body)})

    assert answer.status_code in (200, 400, 401)
    assert signed or answer.status_code == 401
