"""Long commands show their progress on a terminal (done of total, rate, time left) and say nothing of it
when their output goes to a file or a pipe."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from sync_service.adapters.db.migrate import upgrade
from tests import paths
from tests.conftest import ADMIN_API_KEY, listing_loopback, start_sandbox

EVAL = paths.ROOT / "tests" / "data" / "eval"


def _run(args: list[str], cwd: Path, terminal: bool, env: dict[str, str] | None = None) -> tuple[int, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CODEV_")}
    env = {**base, "PYTHONPATH": str(paths.ROOT), **(env or {})}
    command = [sys.executable, "-m", "sync_service", *args]
    if not terminal:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                              check=False)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    # a terminal has a size (a bare pty's is 0 x 0, where a bar has no room)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=follower, stdout=subprocess.DEVNULL,
                               stderr=follower, close_fds=True)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=60), seen.decode("utf-8", "replace")


@pytest.fixture
def many_needs(tmp_path: Path) -> list[str]:
    """1,500 needs (the labelled set's, repeated) against its experts: more than one chunk to rank."""
    needs = json.loads((EVAL / "needs.json").read_text(encoding="utf-8"))
    copies = [dict(n, id=f"{n['id']}-{i}") for i in range(1500 // len(needs) + 1) for n in needs][:1500]
    (tmp_path / "needs.json").write_text(json.dumps(copies), encoding="utf-8")
    return ["match", "--experts", str(EVAL / "experts.json"), "--needs", str(tmp_path / "needs.json"),
            "--no-embedding", "--format", "table"]


def test_match_on_a_terminal_shows_needs_ranked_of_the_total_with_the_rate(tmp_path: Path,
                                                                          many_needs: list[str]) -> None:
    code, shown = _run(many_needs, tmp_path, terminal=True)

    assert code == 0, shown
    assert "ranking needs" in shown and "/1500" in shown and "need/s" in shown


def test_match_into_a_pipe_shows_no_progress(tmp_path: Path, many_needs: list[str]) -> None:
    code, stderr = _run(many_needs, tmp_path, terminal=False)

    assert code == 0, stderr
    assert "ranking needs" not in stderr and "need/s" not in stderr


def test_provision_and_sync_on_a_terminal_show_changes_and_entities_as_they_go(tmp_path: Path) -> None:
    sandbox = start_sandbox(listing_loopback())
    database = f"sqlite:///{tmp_path}/codev.db"
    upgrade(database)
    forum = {"CODEV_DISCOURSE_URL": sandbox.base_url, "CODEV_DISCOURSE_API_KEY": ADMIN_API_KEY,
             "CODEV_WEBHOOK_SECRETS": "progress-secret-0123456789", "CODEV_DATABASE_URL": database}
    try:
        provisioned = _run(["provision", "--rate", "0"], tmp_path, terminal=True, env=forum)
        synced = _run(["sync", "--rate", "0"], tmp_path, terminal=True, env=forum)
    finally:
        sandbox.stop()

    assert provisioned[0] == 0, provisioned[1]
    assert "provisioning" in provisioned[1] and "change/s" in provisioned[1]
    assert synced[0] == 0, synced[1]
    assert "reconciling" in synced[1] and "entity/s" in synced[1]
