"""The plugin's npm tools are installed once per session (and only when the lock file changed)."""

from __future__ import annotations

import pytest

from tests.plugin import tooling


@pytest.fixture(scope="session")
def node_modules() -> None:
    tooling.ensure_node_modules()
