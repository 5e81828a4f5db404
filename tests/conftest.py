"""Fixtures shared by every tier: databases (SQLite and PostgreSQL) and a running sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.core.records import ApiKey

ADMIN_API_KEY = "sandbox-admin-api-key-for-tests"
POSTGRES_URL_VARIABLE = "CODEV_TEST_POSTGRES_URL"


# --- databases -----------------------------------------------------------------------------

def _postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL database named by CODEV_TEST_POSTGRES_URL (.ci/run creates a fresh one).

    Unset: the PostgreSQL variants are skipped, and the summary says so. Set but unreachable: they fail.
    """
    url = _postgres_base_url()
    if url is None:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set: PostgreSQL variant not run")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the server must fail the run
        pytest.fail(f"{POSTGRES_URL_VARIABLE}={url} was asked for and not reached: {exc}")
    finally:
        engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Every database test runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'codev.db'}"
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# --- the Discourse sandbox ------------------------------------------------------------------

class SandboxClient:
    """Plain HTTP to the sandbox, with the admin key and a chosen username."""

    def __init__(self, base_url: str, api_key: str | None = ADMIN_API_KEY,
                 username: str = "system") -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if api_key:
            self.session.headers.update({"Api-Key": api_key, "Api-Username": username})

    def as_user(self, username: str, api_key: str = ADMIN_API_KEY) -> SandboxClient:
        return SandboxClient(self.base_url, api_key, username)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


# No DNS here: the sandbox resolves the public example names the tests give hooks (an /etc/hosts).
TEST_HOSTS = ["codev.example.org=93.184.215.14", "x.example.org=93.184.215.14", "x.org=93.184.215.14"]


def allow_internal_host(sandbox: Sandbox, url: str) -> None:
    """List the host of a receiver on this machine in allowed_internal_hosts, as an operator would."""
    host = urlsplit(url).hostname or ""
    if host not in sandbox.settings.allowed_internal_hosts:
        sandbox.apply({"allowed_internal_hosts": [*sandbox.settings.allowed_internal_hosts, host]})


def listing_loopback(**fields: Any) -> SandboxSettings:
    """A forum whose operator listed 127.0.0.1 (codev on this machine) in allowed_internal_hosts."""
    return SandboxSettings(**{"max_admin_api_reqs_per_minute": 0, "allowed_internal_hosts": ["127.0.0.1"],
                              **fields})


def start_sandbox(settings: SandboxSettings | None = None, seed: str | None = None) -> Sandbox:
    """A sandbox on a free loopback port with the admin key of the tests."""
    settings = settings or SandboxSettings(max_admin_api_reqs_per_minute=0)
    settings.resolve_hosts = settings.resolve_hosts or list(TEST_HOSTS)
    sandbox = Sandbox(settings)
    with sandbox.state.transaction() as state:
        state.api_keys[ADMIN_API_KEY] = ApiKey(ADMIN_API_KEY, None, "tests")
    if seed:
        sandbox.load_seed(seed)
    sandbox.start()
    return sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """An empty sandbox (system user only), rate limit off, serving on a free port."""
    sb = start_sandbox()
    yield sb
    sb.stop()


@pytest.fixture
def api(sandbox: Sandbox) -> SandboxClient:
    """HTTP client acting as `system` with the admin key."""
    return SandboxClient(sandbox.base_url)


@pytest.fixture
def discourse_client(sandbox: Sandbox) -> Any:
    """pydiscourse, the real client, pointed at the sandbox."""
    from pydiscourse import DiscourseClient

    return DiscourseClient(sandbox.base_url, api_username="system", api_key=ADMIN_API_KEY)
