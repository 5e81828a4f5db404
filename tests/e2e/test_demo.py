"""`codev demo` migrates its database, serves the sample community and says what to try."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_check_runs_the_loop_from_review_threads_to_an_introduction(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        web_port = sock.getsockname()[1]
    database = tmp_path / "demo.db"

    result = subprocess.run(
        [sys.executable, "-m", "sync_service", "demo", "--check", "--port", str(port),
         "--web-port", str(web_port)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "CODEV_DATABASE_URL": f"sqlite:///{database}"},
    )

    assert result.returncode == 0, result.stderr
    assert database.is_file()
    assert f"http://127.0.0.1:{port}" in result.stdout
    assert "provision:" in result.stdout
    assert "needs have one, in the staff-only category revue-des-suggestions" in result.stdout
    assert "introduction PM opened: Mise en relation" in result.stdout
    assert "demo check: ok" in result.stdout
