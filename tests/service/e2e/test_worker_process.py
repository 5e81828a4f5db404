"""`codev sync` and `codev worker` as processes against the sandbox seeded with the sample community."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from discourse_sandbox import Sandbox, SandboxSettings
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import ExpertRecord, InboxDelivery, NeedRecord
from tests import paths
from tests.conftest import SandboxClient, start_sandbox
from tests.service.e2e.harness import wait_for_health

ROOT = paths.ROOT
SEED = ROOT / "config" / "examples" / "communaute.yaml"
DEMO_KEY = "demo-admin-api-key-0123456789"  # declared in the sample seed
SECRET = "e2e-worker-secret-0123456789"


@dataclass
class World:
    """The sandbox with the sample community, and a migrated SQLite database for codev."""

    sandbox: Sandbox
    api: SandboxClient
    database_url: str

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CODEV_DATABASE_URL": self.database_url,
                "CODEV_DISCOURSE_URL": self.sandbox.base_url, "CODEV_DISCOURSE_API_KEY": DEMO_KEY,
                "CODEV_DISCOURSE_API_USERNAME": "system", "CODEV_WEBHOOK_SECRETS": SECRET}

    def codev(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sync_service", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def scalar(self, statement: object) -> object:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return conn.scalar(statement)  # type: ignore[call-overload]
        finally:
            engine.dispose()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    # the operator listed codev's host in allowed_internal_hosts
    sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0,
                                            allowed_internal_hosts=["127.0.0.1"]), seed=str(SEED))
    database_url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(database_url)
    yield World(sandbox, SandboxClient(sandbox.base_url, DEMO_KEY), database_url)
    sandbox.stop()


def _counts(output: str) -> dict[str, int]:
    pairs = (line.split(":", 1) for line in output.splitlines() if ":" in line)
    return {name.strip(): int(value) for name, value in pairs}


def _first_expert(world: World) -> ExpertRecord:
    engine = create_engine(world.database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(ExpertRecord).order_by(ExpertRecord.user_id).limit(1)).first()
    finally:
        engine.dispose()
    assert row is not None
    return row  # type: ignore[return-value]


def _availability_field(world: World) -> int:
    fields = world.api.get("/admin/config/user_fields.json").json()["user_fields"]
    return next(f["id"] for f in fields if f["name"].startswith("Disponibilité"))


def _serve(world: World) -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "sync_service", "serve", "--port", str(port),
                                "--workers", "1"], cwd=ROOT, env=world.env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    wait_for_health(url, process, 20, lambda: process.communicate()[1])
    hook = world.api.post("/admin/api/web_hooks.json", data={
        "web_hook[payload_url]": f"{url}/webhooks/discourse", "web_hook[secret]": SECRET,
        "web_hook[content_type]": "1", "web_hook[active]": "true", "web_hook[wildcard_web_hook]": "true",
    })
    assert hook.ok, hook.text
    return process, url


def _wait_for(condition: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_sync_fills_the_database_with_the_communitys_experts_and_needs(world: World) -> None:
    result = world.codev("sync", "--rate", "0")

    counts = _counts(result.stdout)
    experts = world.scalar(select(func.count()).select_from(ExpertRecord))
    needs = world.scalar(select(func.count()).select_from(NeedRecord))
    assert result.returncode == 0, result.stderr
    assert counts["failed"] == 0 and counts["purged"] == 0
    assert counts["created"] == experts + needs  # type: ignore[operator]
    assert experts >= 20 and needs == 15  # type: ignore[operator]
    assert "reconciling" not in result.stdout  # no progress bar when stdout is not a terminal


def test_anonymised_expert_fires_no_webhook_and_the_next_sync_purges_them(world: World) -> None:
    world.codev("sync", "--rate", "0")
    expert = _first_expert(world)
    assert world.api.put(f"/admin/users/{expert.user_id}/anonymize.json").ok

    result = world.codev("sync", "--rate", "0")

    assert result.returncode == 0, result.stderr
    assert _counts(result.stdout)["purged"] == 1
    assert world.scalar(select(ExpertRecord.user_id).where(ExpertRecord.user_id == expert.user_id)) is None


def test_a_profile_change_sent_by_webhook_reaches_the_database_after_worker_once(world: World) -> None:
    world.codev("sync", "--rate", "0")
    expert = _first_expert(world)
    serve, _url = _serve(world)
    try:
        changed = world.api.put(f"/u/{expert.username}.json",
                                data={f"user_fields[{_availability_field(world)}]": "37"})
        assert changed.ok, changed.text
        assert world.sandbox.emitter.flush(timeout=15)
        _wait_for(lambda: world.scalar(select(func.count()).select_from(InboxDelivery)
                                       .where(InboxDelivery.event == "user_updated")))

        result = world.codev("worker", "--once", "--rate", "0")
    finally:
        serve.terminate()
        serve.wait(timeout=20)

    assert result.returncode == 0, result.stderr
    assert "done 1" in result.stdout or "done 2" in result.stdout
    assert world.scalar(select(ExpertRecord.availability_hours)
                        .where(ExpertRecord.user_id == expert.user_id)) == 37
    assert world.scalar(select(func.count()).select_from(InboxDelivery)
                        .where(InboxDelivery.status.in_(["pending", "running"]))) == 0


def test_a_running_worker_forgets_a_deleted_expert_then_stops_on_sigterm(world: World) -> None:
    world.codev("sync", "--rate", "0")
    expert = _first_expert(world)
    serve, _url = _serve(world)
    worker = subprocess.Popen([sys.executable, "-m", "sync_service", "worker", "--rate", "0",
                               "--idle", "0.1", "--id", "e2e"], cwd=ROOT, env=world.env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deleted = world.api.delete(f"/admin/users/{expert.user_id}.json", data={"delete_posts": "true"})
        assert deleted.ok, deleted.text
        assert world.sandbox.emitter.flush(timeout=15)
        _wait_for(lambda: world.scalar(select(ExpertRecord.user_id)
                                       .where(ExpertRecord.user_id == expert.user_id)) is None)
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
        serve.terminate()
        serve.wait(timeout=20)

    assert worker.returncode == 0, err
    assert "worker e2e stopped" in err
    assert expert.username not in err  # the log names rows and kinds, never people
