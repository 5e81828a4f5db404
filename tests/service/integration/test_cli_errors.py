"""Errors a person can act on: one line, one prefix (`codev: `), a non-zero exit, and nothing created
by a command that only reads. Each case is run as a user runs it, `codev` in a fresh folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from discourse_sandbox import Sandbox
from sync_service.adapters.db.migrate import upgrade
from tests import paths
from tests.conftest import ADMIN_API_KEY, start_sandbox


def codev(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`codev ARGS` in `cwd` with these variables (and no inherited CODEV_ ones)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CODEV_")}
    return subprocess.run([sys.executable, "-m", "sync_service", *args], capture_output=True, text=True,
                          env={**base, "PYTHONPATH": str(paths.ROOT), **env}, cwd=cwd, timeout=120,
                          check=False)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The error: exactly one line on stderr, with the prefix, and no traceback."""
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("codev: "), lines[0]
    return lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the database -----------------------------------------------------------------------------

READERS = [("inbox",), ("outbox",), ("sync",), ("worker", "--once", "--no-embedder")]


@pytest.mark.parametrize("command", READERS)
def test_a_missing_sqlite_database_is_named_and_never_created(tmp_path: Path,
                                                              command: tuple[str, ...]) -> None:
    result = codev(*command, cwd=tmp_path)

    line = one_line(result)
    assert result.returncode == 1
    assert "sqlite:///var/codev.db" in line and "run `codev db upgrade`" in line
    assert not (tmp_path / "var").exists()  # no folder, no empty database


def test_a_sqlite_file_in_a_missing_folder_is_named_and_the_folder_is_not_made(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing/dir/x.db"

    line = one_line(codev("inbox", cwd=tmp_path, CODEV_DATABASE_URL=url))

    assert f"no folder {tmp_path}/missing/dir" in line
    assert not (tmp_path / "missing").exists()


def test_an_unreachable_postgresql_server_names_the_url_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://codev:s3cret-pass@127.0.0.1:{closed_port()}/codev"

    result = codev("inbox", cwd=tmp_path, CODEV_DATABASE_URL=url)

    line = one_line(result)
    assert result.returncode == 1
    assert "s3cret-pass" not in result.stderr and "codev:***@127.0.0.1" in line
    assert "check that the server runs and the host and port in CODEV_DATABASE_URL" in line


@pytest.mark.postgres
def test_a_missing_postgresql_database_says_to_create_it(tmp_path: Path, postgres_url: str) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/codev_no_such_database"

    line = one_line(codev("db", "upgrade", cwd=tmp_path, CODEV_DATABASE_URL=url))

    assert 'database "codev_no_such_database" does not exist' in line and "createdb" in line


@pytest.mark.postgres
def test_postgres_and_postgresql_urls_are_taken_to_mean_psycopg(tmp_path: Path, postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgres://")

    result = codev("db", "upgrade", cwd=tmp_path, CODEV_DATABASE_URL=plain)

    assert result.returncode == 0, result.stderr
    assert "database at newest schema: postgresql+psycopg://" in result.stdout


@pytest.mark.parametrize(("url", "said"), [
    ("mysql://codev@db/codev", "mysql, which codev does not run on"),
    ("postgresql+psycopg2://codev@db/codev", "the psycopg2 driver, which codev does not ship"),
    ("oracle://x@y/z", "oracle, which codev does not run on"),
])
def test_a_database_codev_does_not_run_on_is_a_configuration_error(tmp_path: Path, url: str,
                                                                   said: str) -> None:
    result = codev("inbox", cwd=tmp_path, CODEV_DATABASE_URL=url)

    line = one_line(result)
    assert result.returncode == 2
    assert line.startswith("codev: configuration error: environment: CODEV_DATABASE_URL") and said in line


def test_a_database_never_upgraded_says_so(tmp_path: Path) -> None:
    (tmp_path / "old.db").touch()

    line = one_line(codev("worker", "--once", "--no-embedder", cwd=tmp_path,
                          CODEV_DATABASE_URL=f"sqlite:///{tmp_path}/old.db"))

    assert "has no schema yet: run `codev db upgrade` first" in line


# --- the forum ----------------------------------------------------------------------------------

@pytest.fixture
def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/codev.db"
    upgrade(url)
    return url


def test_an_unreachable_forum_is_named_and_sync_exits_1(tmp_path: Path, migrated: str) -> None:
    forum = f"http://127.0.0.1:{closed_port()}"

    result = codev("sync", "--rate", "0", cwd=tmp_path, CODEV_DATABASE_URL=migrated,
                   CODEV_DISCOURSE_URL=forum, CODEV_DISCOURSE_API_KEY="any-key")

    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("codev: sweep incomplete, nothing purged: ")
    assert f"the forum at {forum} does not answer" in last and "CODEV_DISCOURSE_URL" in last


@pytest.mark.parametrize("command", [("sync", "--rate", "0"),
                                     ("worker", "--once", "--no-embedder", "--rate", "0")])
def test_a_refused_api_key_says_the_key_is_wrong_not_to_retry(
        tmp_path: Path, migrated: str, sandbox: Sandbox, command: tuple[str, ...]) -> None:
    if command[0] == "worker":  # the worker needs a delivery to refetch
        _deliver_one(migrated)

    result = codev(*command, cwd=tmp_path, CODEV_DATABASE_URL=migrated, CODEV_DISCOURSE_URL=sandbox.base_url,
                   CODEV_DISCOURSE_API_KEY="a-revoked-key-0123456789")

    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("codev: ") and "refused the API key" in last
    assert "CODEV_DISCOURSE_API_KEY" in last and "later" not in last


def _deliver_one(database_url: str) -> None:
    from datetime import UTC, datetime

    from sync_service.adapters.db.engine import make_engine
    from sync_service.adapters.db.inbox import delivery_row, insert_deliveries

    engine = make_engine(database_url)
    with engine.begin() as conn:
        insert_deliveries(conn, [delivery_row(
            event="user_updated", event_type="user", discourse_event_id="1", body_sha256="a" * 64,
            entity_kind="person", entity_key="1", hint={}, received_at=datetime.now(UTC))])
    engine.dispose()


def test_worker_once_exits_0_when_the_pass_went_through(tmp_path: Path, migrated: str) -> None:
    sandbox = start_sandbox()
    try:
        result = codev("worker", "--once", "--no-embedder", "--rate", "0", cwd=tmp_path,
                       CODEV_DATABASE_URL=migrated, CODEV_DISCOURSE_URL=sandbox.base_url,
                       CODEV_DISCOURSE_API_KEY=ADMIN_API_KEY)
    finally:
        sandbox.stop()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("worker: claimed 0")


# --- the configuration files -------------------------------------------------------------------

def test_a_missing_settings_file_is_named_as_a_file(tmp_path: Path) -> None:
    result = codev("--config", str(tmp_path / "missing.yaml"), "config", cwd=tmp_path)

    line = one_line(result)
    assert result.returncode == 2
    assert line.startswith(f"codev: configuration error: {tmp_path}/missing.yaml: (file)")
    assert "environment" not in line


def test_a_usage_error_has_the_same_prefix(tmp_path: Path) -> None:
    result = codev("worker", "--no-such-option", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("codev: No such option")
