"""The codev command: exit code 2 and one line for bad configuration; db upgrade works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import paths

ROOT = paths.ROOT


def _codev(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync_service", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, cwd=cwd, timeout=60, check=False,
    )


def test_bad_config_value_exits_2_with_one_message_and_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("worker:\n  max_attempts: -1\n", encoding="utf-8")

    result = _codev("--config", str(config), "config")

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert str(config) in result.stderr and "worker.max_attempts" in result.stderr
    assert "found -1" in result.stderr and "expected a whole number" in result.stderr


def test_bad_environment_exits_2(tmp_path: Path) -> None:
    result = _codev("config", env={"CODEV_WEBHOOK_SECRETS": "tooshort"}, cwd=tmp_path)

    assert result.returncode == 2
    assert "environment: CODEV_WEBHOOK_SECRETS" in result.stderr


def test_db_upgrade_creates_the_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'codev.db'}"

    result = _codev("db", "upgrade", env={"CODEV_DATABASE_URL": url}, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "codev.db").is_file()
