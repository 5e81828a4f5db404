"""Engines built on demand from a URL (never at import time), and what a person reads when the
database cannot be used: one line that names the URL (no password) and says what to check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

UPGRADE = "run `codev db upgrade`"


class DatabaseUnusable(Exception):
    """The database cannot be used as configured; the message says what to check."""


def make_engine(url: str, *, create: bool = False, **kwargs: Any) -> Engine:
    """An engine that connects on first use; for SQLite, WAL and foreign keys on. `create`: a SQLite
    file (and its folder) may be made; otherwise the file is opened read-write only, so that no read
    ever leaves an empty database behind (check_connection says what is missing)."""
    parsed = make_url(url)
    # a failed statement's error (and so a log line) must not show the values: they hold people's data
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        if parsed.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _postgres_utc)
        return engine
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        if create:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        else:
            # SQLite's URI form: mode=rw opens an existing file and never creates one
            parsed = parsed.set(database=f"file:{Path(database).resolve()}",
                                query={**parsed.query, "mode": "rw", "uri": "true"})
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database (None for another database or an in-memory one)."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        return None
    return Path(database.removeprefix("file:"))


def shown(url: str) -> str:
    """The URL as it may be printed: no password."""
    return make_url(url).render_as_string(hide_password=True)


def check_connection(engine: Engine, url: str | None = None, *, must_exist: bool = True) -> None:
    """Connect once; DatabaseUnusable with what to check when the file, the server, the database or
    the credentials are wrong."""
    shown_url = shown(url) if url else engine.url.render_as_string(hide_password=True)
    path = sqlite_file(engine)
    if path is not None and must_exist:
        if not path.parent.is_dir():
            raise DatabaseUnusable(f"the database {shown_url}: no folder {path.parent}; {UPGRADE} to "
                                   "create it, or check CODEV_DATABASE_URL")
        if not path.exists():
            raise DatabaseUnusable(f"the database {shown_url} does not exist yet; {UPGRADE} to create it, "
                                   "or check CODEV_DATABASE_URL")
    try:
        with engine.connect():
            pass
    except (OperationalError, DBAPIError) as exc:
        raise DatabaseUnusable(explain(shown_url, exc)) from exc


def explain(url: str, exc: BaseException) -> str:
    """One line for a failed connection, from the driver's message."""
    detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    lowered = first.lower()
    if "does not exist" in lowered and "database" in lowered:
        advice = "create it (e.g. `createdb <name>`), then run `codev db upgrade`"
    elif "password authentication failed" in lowered or "authentication" in lowered:
        advice = "check the user and password in CODEV_DATABASE_URL"
    elif "connection refused" in lowered or "could not connect" in lowered or "timeout" in lowered \
            or "name or service not known" in lowered or "could not translate host" in lowered:
        advice = "check that the server runs and the host and port in CODEV_DATABASE_URL"
    elif "unable to open database file" in lowered:
        advice = "check that the folder exists and codev may write there"
    else:
        advice = "check CODEV_DATABASE_URL"
    return f"cannot use the database {url}: {first}; {advice}"


def _postgres_utc(dbapi_connection: Any, _record: Any) -> None:
    """Moments come back in UTC (datetime.UTC itself, not the server's zone): no conversion a row."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.autocommit = autocommit


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
