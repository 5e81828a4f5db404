"""The compose smoke test: docker-compose.yml's services started here as local processes, each with its
own command, environment and health check, in the order the file declares, against the sandbox and the
local PostgreSQL; then the forum is provisioned as docs/deploy.md says and `codev doctor`, run with
web's environment, passes: Discourse -> proxy -> web -> inbox, the worker alive, the schema newest.

A wrong command, variable, port, dependency or health check in the file fails here."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from discourse_sandbox import Sandbox
from tests.conftest import ADMIN_API_KEY, listing_loopback, start_sandbox
from tests.deploy import compose
from tests.deploy.conftest import dot_env


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    forum = start_sandbox(listing_loopback())  # docs/deploy.md: the operator lists codev's host
    yield forum
    forum.stop()


@pytest.mark.postgres
def test_the_compose_file_runs_and_codev_doctor_passes(sandbox: Sandbox, postgres_url: str,
                                                       compose_database: str, tmp_path: Path) -> None:
    env = dot_env(postgres_url, compose_database, CODEV_DISCOURSE_URL=sandbox.base_url,
                  CODEV_DISCOURSE_API_KEY=ADMIN_API_KEY)
    stack = compose.LocalCompose(compose.load(env), tmp_path)
    started = time.monotonic()
    try:
        for name in stack.order():
            stack.start(name)
        for name in ("web", "worker", "proxy"):
            stack.until_healthy(name)
        up = time.monotonic() - started
        web = stack.service("web")
        run_env = stack.env(web)

        # docs/deploy.md: provision with the webhook URL of .env, then the doctor
        provision = subprocess.run(["codev", "provision"], env=run_env, cwd=tmp_path, capture_output=True,
                                   text=True, timeout=300, check=False)
        assert provision.returncode == 0, provision.stderr
        doctor = subprocess.run(["codev", "doctor", "--ping-timeout", "20"], env=run_env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=300, check=False)
    finally:
        stack.down()
    print("\n".join(stack.timeline))
    print(doctor.stdout)
    print(f"compose smoke: services up and healthy in {up:.1f} s")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    lines = doctor.stdout
    assert "OK       ping: delivered to this codev" in lines
    assert "OK       worker: 1 alive" in lines and "OK       database: answers, at the newest schema" in lines
    assert f"http://127.0.0.1:{env['CODEV_PROXY_PORT']}/webhooks/discourse: active" in lines
    events = [line.split(" ", 1)[0] + line.split(":", 1)[1].split()[0] for line in stack.timeline]
    assert events[:3] == ["db:the", "db:healthy", "migrate:started"]
    assert events.index("migrate:completed") < events.index("web:started")
    assert events.index("web:healthy") < events.index("proxy:started")
