"""The sandbox's own emitter delivers signed webhooks to `codev serve`, and rows appear in the inbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from discourse_sandbox import Sandbox
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import InboxDelivery
from tests import paths
from tests.conftest import SandboxClient, allow_internal_host
from tests.service.e2e.harness import wait_for_health

ROOT = paths.ROOT
SECRET = "e2e-intake-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(database_url: str, port: int, *extra: str, secrets: str = SECRET) -> subprocess.Popen[str]:
    env = {**os.environ, "CODEV_DATABASE_URL": database_url, "CODEV_WEBHOOK_SECRETS": secrets}
    return subprocess.Popen([sys.executable, "-m", "sync_service", "serve", "--port", str(port), *extra],
                            cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def codev_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`codev serve` (gunicorn, 1 worker) on a migrated SQLite file: (base URL, database URL)."""
    database_url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(database_url)
    port = _free_port()
    process = _serve(database_url, port, "--workers", "1")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process, 20, lambda: process.communicate()[1])
        yield url, database_url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _inbox(database_url: str) -> list[InboxDelivery]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(InboxDelivery).order_by(InboxDelivery.id)).all())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_sandbox_deliveries_land_in_the_inbox(codev_url: tuple[str, str], sandbox: Sandbox,
                                              api: SandboxClient) -> None:
    url, database_url = codev_url
    allow_internal_host(sandbox, url)
    hook = api.post("/admin/api/web_hooks.json", data={
        "web_hook[payload_url]": f"{url}/webhooks/discourse", "web_hook[secret]": SECRET,
        "web_hook[content_type]": "2", "web_hook[active]": "true", "web_hook[wildcard_web_hook]": "true",
    }).json()["web_hook"]

    post = api.post("/posts.json", data={"title": "Piste rurale vers le douar Tagmout, étude",
                                         "raw": "Nous cherchons un appui pour l'étude de la piste."}).json()
    user = api.post("/users.json", data={"name": "Amina", "username": "amina.test",
                                         "email": "amina@example.org", "password": "long-password-123",
                                         "active": "true", "approved": "true"}).json()
    api.post(f"/admin/api/web_hooks/{hook['id']}/ping")
    assert sandbox.emitter.flush(timeout=15)

    rows = {(r.event, r.entity_kind, r.entity_key, r.status) for r in _inbox(database_url)}
    assert rows == {("topic_created", "need", str(post["topic_id"]), "pending"),
                    ("post_created", "need", str(post["topic_id"]), "pending"),
                    ("user_created", "person", str(user["user_id"]), "pending")}
    with sandbox.state.transaction() as state:
        statuses = sorted(e.status for e in state.web_hook_events.values())
    assert statuses == [200, 200, 200, 200]


def test_redelivered_event_is_answered_and_stored_once(codev_url: tuple[str, str], sandbox: Sandbox,
                                                       api: SandboxClient) -> None:
    url, database_url = codev_url
    allow_internal_host(sandbox, url)
    hook = api.post("/admin/api/web_hooks.json", data={
        "web_hook[payload_url]": f"{url}/webhooks/discourse", "web_hook[secret]": SECRET,
        "web_hook[active]": "true", "web_hook[web_hook_event_type_ids][]": ["101"],
    }).json()["web_hook"]
    api.post("/posts.json", data={"title": "Formation des élus au suivi des marchés publics",
                                  "raw": "La commune souhaite former ses élus au suivi des marchés."})
    assert sandbox.emitter.flush(timeout=15)
    with sandbox.state.transaction() as state:
        event_id = next(iter(state.web_hook_events))

    again = api.post(f"/admin/api/web_hooks/{hook['id']}/events/{event_id}/redeliver").json()

    assert again["web_hook_event"]["status"] == 200
    assert [r.event for r in _inbox(database_url)] == ["topic_created"]


def test_serve_refuses_to_start_without_a_webhook_secret(tmp_path: Path) -> None:
    process = _serve(f"sqlite:///{tmp_path / 'codev.db'}", _free_port(), secrets="")

    _, err = process.communicate(timeout=30)

    assert process.returncode == 2
    assert "CODEV_WEBHOOK_SECRETS" in err and "configuration error" in err


def test_serve_refuses_a_database_without_the_inbox(tmp_path: Path) -> None:
    process = _serve(f"sqlite:///{tmp_path / 'codev.db'}", _free_port())

    _, err = process.communicate(timeout=30)

    assert process.returncode == 1 and "codev db upgrade" in err
