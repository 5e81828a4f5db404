"""`codev demo` migrates its database, serves the sample community and says what to try."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync_service.entrypoints.demo import only_demo
from tests import paths

ROOT = paths.ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _demo_check(port: int, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync_service", "demo", "--check", "--port", str(port),
         "--web-port", str(_free_port()), "--database-url", database_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ),
    )


def test_demo_check_runs_the_loop_from_review_threads_to_an_introduction(tmp_path: Path) -> None:
    port = _free_port()
    database = tmp_path / "demo.db"

    result = _demo_check(port, f"sqlite:///{database}")

    assert result.returncode == 0, result.stderr
    assert database.is_file()
    assert f"http://127.0.0.1:{port}" in result.stdout
    assert "provision:" in result.stdout
    assert "needs have one, in the staff-only category revue-des-suggestions" in result.stdout
    assert "introduction PM opened: Mise en relation" in result.stdout
    assert f"http://127.0.0.1:{port}/_sandbox_login?username=youness.azougagh" in result.stdout
    assert "/dashboard/" in result.stdout  # its URL, and how to sign in as the demo's manager
    assert "demo check: ok" in result.stdout
    # the sample plan of Afella Ighir imported for real: its drafts reached the forum, unlisted
    assert "plan import: " in result.stdout and "unlisted topics in the needs category" in result.stdout
    assert " 0 unlisted topics" not in result.stdout


def test_a_second_demo_starts_from_a_fresh_database_as_its_sandbox_does(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'demo.db'}"
    assert _demo_check(_free_port(), database).returncode == 0

    again = _demo_check(_free_port(), database)

    # review topics of the first run's sandbox are gone with it: the second run opens them anew
    assert again.returncode == 0, again.stderr
    assert "needs have one" in again.stdout and "demo check: ok" in again.stdout
    assert "parked" not in again.stderr


def test_the_demo_empties_its_sqlite_file_and_refuses_another_database_that_holds_needs(
        database_url: str) -> None:

    from sync_service.adapters.db.engine import make_engine
    from sync_service.adapters.db.migrate import upgrade
    from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
    from sync_service.domain.needs import NeedDetails
    from sync_service.entrypoints.demo import DemoError, fresh_database

    upgrade(database_url)
    engine = make_engine(database_url)
    with SqlUnitOfWork(engine) as uow:
        now = datetime(2026, 11, 29, tzinfo=UTC)
        uow.needs.save(NeedDetails(1, "Puits", None, None), now, now)
        uow.commit()
    engine.dispose()

    if database_url.startswith("sqlite"):
        fresh_database(database_url)  # the demo's own file: emptied
        engine = make_engine(database_url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM needs").scalar() == 0
        engine.dispose()
    else:
        with pytest.raises(DemoError, match="already holds 1 needs"):
            fresh_database(database_url)


def test_a_second_demo_while_one_runs_says_so_and_touches_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the demo keeps its lock and database in ./var
    database = tmp_path / "var" / "demo.db"
    database.parent.mkdir()
    database.write_bytes(b"the running demo's database")
    sandbox_port, web_port = _free_port(), _free_port()

    with only_demo():
        second = subprocess.run(
            [sys.executable, "-m", "sync_service", "demo", "--check", "--port", str(sandbox_port),
             "--web-port", str(web_port)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
            check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})

    assert second.returncode == 1
    assert second.stderr.strip() == (f"codev: a demo is already running (pid {os.getpid()}); stop it "
                                     "(Ctrl-C in its terminal) before starting another")
    assert database.read_bytes() == b"the running demo's database"
