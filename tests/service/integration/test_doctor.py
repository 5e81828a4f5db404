"""`codev doctor` against the sandbox: every check passes on a forum set up as docs/deploy.md says, and
each problem an operator can meet is named on its line, with what to do, and a non-zero exit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from discourse_sandbox import Sandbox
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import InboxDelivery, OutboxIntent
from sync_service.adapters.db.vitals import HeartbeatRecorder
from sync_service.bootstrap import Codev
from sync_service.config.load import load
from sync_service.entrypoints.cli import cli
from sync_service.entrypoints.web import build_app
from sync_service.services.provision import provision
from tests.conftest import ADMIN_API_KEY, SandboxClient, listing_loopback, start_sandbox

SECRET = "doctor-webhook-secret-0123456789"
SSO_SECRET = "doctor-sso-secret-0123456789"
DASHBOARD = "https://codev.example.org"


@dataclass
class Site:
    """A provisioned sandbox, a codev web app serving its webhooks, a migrated database."""

    sandbox: Sandbox
    api: SandboxClient
    web_url: str
    database_url: str
    env: dict[str, str]

    @property
    def hook_url(self) -> str:
        return f"{self.web_url}/webhooks/discourse"

    def hook_id(self) -> int:
        hooks = self.api.get("/admin/api/web_hooks.json").json()["web_hooks"]
        return int(next(h["id"] for h in hooks if h["payload_url"] == self.hook_url))

    def change_hook(self, **fields: object) -> None:
        answer = self.api.put(f"/admin/api/web_hooks/{self.hook_id()}.json", json={"web_hook": fields})
        assert answer.status_code == 200, answer.text

    def sandbox_settings(self, **changes: object) -> None:
        assert self.api.post("/_sandbox/settings", json=changes).status_code == 200

    def beat(self, ago: timedelta) -> None:
        engine = make_engine(self.database_url)
        when = datetime.now(UTC) - ago
        HeartbeatRecorder(engine, "worker-host:7", lambda: when, lambda: 0, every=0).passed(0.4)
        engine.dispose()

    def add(self, *rows: object) -> None:
        engine = make_engine(self.database_url)
        with Session(engine) as session, session.begin():
            session.add_all(rows)
        engine.dispose()

    def doctor(self, *args: str, **env: str) -> tuple[int, dict[str, str], str]:
        """Exit code, each check's line by check name, and stderr."""
        result = CliRunner().invoke(cli, ["doctor", "--ping-timeout", "5", *args], env={**self.env, **env})
        lines = {}
        for line in result.stdout.splitlines():
            head, _, _rest = line.partition(":")
            parts = head.split()
            if len(parts) == 2 and parts[0] in ("OK", "PROBLEM", "SKIPPED"):
                lines[parts[1]] = line
        return result.exit_code, lines, result.stderr


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    sandbox = start_sandbox(listing_loopback())
    api = SandboxClient(sandbox.base_url)
    with sandbox.state.transaction() as state:
        state.sso_secrets["codev.example.org"] = SSO_SECRET
    database_url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(database_url)
    env = {"CODEV_DATABASE_URL": database_url, "CODEV_DISCOURSE_URL": sandbox.base_url,
           "CODEV_DISCOURSE_API_KEY": ADMIN_API_KEY, "CODEV_DISCOURSE_API_USERNAME": "system",
           "CODEV_WEBHOOK_SECRETS": SECRET, "CODEV_DISCOURSE_CONNECT_SECRET": SSO_SECRET,
           "CODEV_DASHBOARD_URL": DASHBOARD}
    config = load(env)
    web = make_server("127.0.0.1", 0, build_app(Codev(config)), threaded=True)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    web_url = f"http://127.0.0.1:{web.server_port}"
    env["CODEV_WEBHOOK_URL"] = f"{web_url}/webhooks/discourse"
    codev = Codev(load(env), requests_per_minute=0)
    result = provision(codev.admin, codev.config.forum_structure(env["CODEV_WEBHOOK_URL"]))
    assert result.refused is None
    site = Site(sandbox, api, web_url, database_url, env)
    site.beat(timedelta(seconds=5))
    yield site
    web.shutdown()
    sandbox.stop()


def test_a_forum_set_up_as_documented_passes_every_check(site: Site) -> None:
    code, lines, _ = site.doctor()

    assert code == 0, lines
    assert all(not line.startswith("PROBLEM") for line in lines.values())
    assert "answers, Discourse 2026" in lines["forum"]  # the sandbox tells its version in the ping
    assert "delivered to this codev" in lines["ping"]
    assert lines["connect"].startswith("OK")
    # what the sandbox does not serve is said, never guessed
    for check in ("key-scope", "plugin", "connect-settings"):
        assert lines[check].startswith("SKIPPED") and "cannot check" in lines[check] and "404" in lines[check]


def test_strict_counts_what_could_not_be_checked(site: Site) -> None:
    code, _lines, stderr = site.doctor("--strict", "--no-ping")

    assert code == 1 and stderr.startswith("codev: ") and "key-scope" in stderr


def test_an_unreachable_forum(site: Site) -> None:
    code, lines, _ = site.doctor(CODEV_DISCOURSE_URL="http://127.0.0.1:9")

    assert code == 1 and lines["forum"].startswith("PROBLEM") and "connection refused" in lines["forum"]
    assert lines["webhook"].startswith("SKIPPED")


def test_a_wrong_api_key(site: Site) -> None:
    code, lines, _ = site.doctor(CODEV_DISCOURSE_API_KEY="not-the-key-0123456789")

    assert code == 1 and "refuses the key (403)" in lines["api-key"] and "Global" in lines["api-key"]


def test_an_api_user_who_is_not_an_admin(site: Site) -> None:
    lina = {"name": "Lina", "username": "lina", "active": True, "email": "lina@example.org",
            "password": "a-long-password-42"}
    created = site.api.post("/users.json", json=lina)
    assert created.status_code == 200, created.text

    code, lines, _ = site.doctor(CODEV_DISCOURSE_API_USERNAME="lina")

    assert code == 1 and "'lina' is not an admin" in lines["api-key"]


def test_no_webhook_at_codevs_url(site: Site) -> None:
    code, lines, _ = site.doctor("--webhook-url", "http://codev-proxy:8080/webhooks/discourse")

    assert code == 1 and "no webhook posts to http://codev-proxy:8080" in lines["webhook"]
    assert f"the forum has one to {site.hook_url}" in lines["webhook"]
    assert "codev provision" in lines["webhook"]


@pytest.mark.parametrize(("change", "said"), [
    ({"active": False}, "inactive"),
    ({"content_type": 2}, "content type application/x-www-form-urlencoded"),
    ({"secret": "another-secret-0123456789"}, "secret is not one of CODEV_WEBHOOK_SECRETS"),
    ({"web_hook_event_type_ids": [101, 201]}, "events missing: topic_revised"),
])
def test_a_webhook_set_up_wrongly(site: Site, change: dict[str, object], said: str) -> None:
    site.change_hook(**change)

    code, lines, _ = site.doctor("--no-ping")

    assert code == 1 and lines["webhook"].startswith("PROBLEM") and said in lines["webhook"]


def test_a_webhook_filtered_by_category(site: Site) -> None:
    category = site.api.get("/categories.json").json()["category_list"]["categories"][0]["id"]
    site.change_hook(category_ids=[category])

    code, lines, _ = site.doctor("--no-ping")

    assert code == 1 and "filtered by categories" in lines["webhook"]


def test_a_ping_refused_for_its_signature(site: Site) -> None:
    site.change_hook(secret="another-secret-0123456789")

    _code, lines, _ = site.doctor("--only", "ping")

    assert "refused the ping's signature" in lines["ping"]


def test_a_ping_blocked_by_allowed_internal_hosts(site: Site) -> None:
    site.sandbox_settings(allowed_internal_hosts=[])

    code, lines, _ = site.doctor("--only", "ping")

    assert code == 1 and "add 127.0.0.1 to the site setting allowed_internal_hosts" in lines["ping"]


def test_a_ping_to_a_codev_that_does_not_run(site: Site, tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/webhooks/discourse"
    provision(Codev(load({**site.env, "CODEV_WEBHOOK_URL": url}), requests_per_minute=0).admin,
              load(site.env).forum_structure(url))

    code, lines, _ = site.doctor("--only", "ping", CODEV_WEBHOOK_URL=url)

    assert code == 1 and "connection refused" in lines["ping"] and "docker compose up" in lines["ping"]


def test_a_ping_over_tls_to_a_plain_http_codev(site: Site) -> None:
    url = site.hook_url.replace("http://", "https://")
    provision(Codev(load({**site.env, "CODEV_WEBHOOK_URL": url}), requests_per_minute=0).admin,
              load(site.env).forum_structure(url))

    _code, lines, _ = site.doctor("--only", "ping", CODEV_WEBHOOK_URL=url)

    assert "TLS to 127.0.0.1 failed" in lines["ping"]


def test_a_forum_not_provisioned(site: Site) -> None:
    bare = start_sandbox()
    try:
        code, lines, _ = site.doctor("--only", "structure", CODEV_DISCOURSE_URL=bare.base_url)
    finally:
        bare.stop()

    assert code == 1 and "difference(s) with forum.yaml: create group experts" in lines["structure"]
    assert "run `codev provision`" in lines["structure"]


def test_the_discourse_connect_provider_off(site: Site) -> None:
    site.sandbox_settings(enable_discourse_connect_provider=False)

    code, lines, _ = site.doctor("--only", "connect")

    assert code == 1 and "provider is off" in lines["connect"]


def test_no_discourse_connect_secret_for_the_dashboard(site: Site) -> None:
    code, lines, _ = site.doctor("--only", "connect", CODEV_DASHBOARD_URL="https://elsewhere.example.org")

    assert code == 1 and "no DiscourseConnect secret for elsewhere.example.org" in lines["connect"]


def test_another_discourse_connect_secret(site: Site) -> None:
    code, lines, _ = site.doctor("--only", "connect",
                                CODEV_DISCOURSE_CONNECT_SECRET="not-the-forums-secret-42")

    assert code == 1 and "is not CODEV_DISCOURSE_CONNECT_SECRET" in lines["connect"]


def test_a_database_behind_the_newest_schema(site: Site, tmp_path: Path) -> None:
    old = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(old, "0007")

    code, lines, _ = site.doctor("--only", "database,worker", CODEV_DATABASE_URL=old)

    assert code == 1 and "at schema 0007" in lines["database"] and "codev db upgrade" in lines["database"]


def test_a_database_that_does_not_answer(site: Site) -> None:
    url = "postgresql+psycopg://codev:pw@127.0.0.1:9/codev"

    code, lines, _ = site.doctor("--only", "database,worker", CODEV_DATABASE_URL=url)

    assert code == 1 and "cannot use the database" in lines["database"] and "pw" not in lines["database"]
    assert lines["worker"].startswith("SKIPPED")


def test_no_worker_ever_ran(site: Site, tmp_path: Path) -> None:
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(fresh)

    code, lines, _ = site.doctor("--only", "worker", CODEV_DATABASE_URL=fresh)

    assert code == 1 and "no worker has finished a pass" in lines["worker"]


def test_a_worker_gone_quiet(site: Site, tmp_path: Path) -> None:
    site.beat(timedelta(minutes=20))  # the same worker's row, now 20 minutes old

    code, lines, _ = site.doctor("--only", "worker")

    assert code == 1 and "the last pass ended 20 min ago" in lines["worker"]


def test_this_host_counts_only_the_workers_of_this_machine(site: Site) -> None:
    code, lines, _ = site.doctor("--only", "worker", "--this-host")

    assert code == 1 and "no worker" in lines["worker"]  # the fixture's worker is on "worker-host"


def _delivery(body: str, key: str, status: str, when: datetime) -> InboxDelivery:
    return InboxDelivery(event="user_updated", event_type="user", body_sha256=body * 64,
                         entity_kind="person", entity_key=key, hint={}, received_at=when, status=status,
                         attempts=0, available_at=when)


def test_parked_and_stuck_inbox_rows(site: Site) -> None:
    old = datetime.now(UTC) - timedelta(hours=1)
    site.add(_delivery("a", "7", "pending", old))
    _code, lines, _ = site.doctor("--only", "inbox")
    assert lines["inbox"].startswith("PROBLEM") and "the oldest due for 60 min" in lines["inbox"]

    site.add(_delivery("b", "8", "parked", old))
    _code, lines, _ = site.doctor("--only", "inbox")
    assert "1 delivery(ies) parked" in lines["inbox"] and "codev inbox --failed" in lines["inbox"]


def test_refused_and_stuck_outbox_rows(site: Site) -> None:
    old = datetime.now(UTC) - timedelta(hours=2)
    site.add(OutboxIntent(intent_key="review:1", kind="reply", payload={}, status="pending", attempts=0,
                          created_at=old, available_at=old))
    _code, lines, _ = site.doctor("--only", "outbox")
    assert lines["outbox"].startswith("PROBLEM") and "the oldest due for 2 h" in lines["outbox"]

    site.add(OutboxIntent(intent_key="review:2", kind="reply", payload={}, status="parked", attempts=1,
                          created_at=old, available_at=old))
    _code, lines, _ = site.doctor("--only", "outbox")
    assert "1 write(s) refused" in lines["outbox"]


def test_an_unknown_check_is_a_usage_error(site: Site) -> None:
    code, _lines, stderr = site.doctor("--only", "dns")

    assert code == 2 and "unknown check 'dns'" in stderr


def test_the_doctor_changes_nothing_in_the_forum_but_the_pings_record(site: Site) -> None:
    def hooks() -> list[dict[str, object]]:
        return [{k: v for k, v in h.items() if k != "last_delivery_status"}
                for h in site.api.get("/admin/api/web_hooks.json").json()["web_hooks"]]
    before = hooks()

    site.doctor()

    assert hooks() == before
