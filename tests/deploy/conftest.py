"""What the deployment tests share: a fresh PostgreSQL database, free ports, the .env of a run."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.deploy import compose


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def compose_database(postgres_url: str) -> Iterator[str]:
    """A database of its own on the test server, as the db service would create it; dropped after."""
    url = make_url(postgres_url)
    if (url.host, url.port or 5432) not in (("127.0.0.1", 5432), ("localhost", 5432)):
        pytest.skip("docker-compose.yml's db is on port 5432: the test server must be 127.0.0.1:5432")
    name = f"codev_compose_{os.getpid()}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def dot_env(postgres_url: str, database: str, **values: str) -> dict[str, str]:
    """The operator's .env: .env.example filled in for this machine (test secrets, local server)."""
    env = compose.read_env_file(compose.ENV_EXAMPLE)
    env.pop("CODEV_WEBHOOK_URL")  # the file's default: the proxy's alias and port
    url = make_url(postgres_url)
    env.update(POSTGRES_USER=url.username or "postgres", POSTGRES_PASSWORD=url.password or "trust-needs-none",
               POSTGRES_DB=database, CODEV_TOMBSTONE_KEY="compose-smoke-tombstone-key",
               CODEV_WEBHOOK_SECRETS="compose-smoke-webhook-secret-0123",
               CODEV_WEB_PORT=str(free_port()), CODEV_PROXY_PORT=str(free_port()), **values)
    return env
