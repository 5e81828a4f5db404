"""Runs the plugin's checks: its npm tools (installed by `npm ci` from the committed lock file, once per
lock), Debian's ruby and rubocop, and the render harness build."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests import paths

PLUGIN = paths.ROOT / "discourse_plugin"
NODE_MODULES = PLUGIN / "node_modules"
LOCK = PLUGIN / "package-lock.json"
STAMP = NODE_MODULES / ".codev-installed"
HARNESS_OUT = paths.ROOT / "var" / "plugin-harness"
SCREENSHOTS = paths.ROOT / "var" / "screenshots" / "plugin"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _lock_digest() -> str:
    return hashlib.sha256(LOCK.read_bytes()).hexdigest()


def ensure_node_modules() -> None:
    """`npm ci` when node_modules does not match the committed lock file (about 40 s), else nothing."""
    digest = _lock_digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not installed: the plugin's checks need Node.js and npm")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PLUGIN, check=True)
    STAMP.write_text(digest)


def run(*command: str, cwd: Path = PLUGIN, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run a tool; the result keeps its output for the assertion message."""
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def npx(*command: str) -> subprocess.CompletedProcess[str]:
    return run(str(NODE_MODULES / ".bin" / command[0]), *command[1:])


def report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def require_program(path_or_name: str, package: str) -> str:
    found = shutil.which(path_or_name)
    if found is None:
        raise RuntimeError(f"{path_or_name} is missing: run `make plugin-check` as root, or "
                           f"`apt-get install {package}`")
    return found
