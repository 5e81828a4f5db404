"""Run Alembic from code, with the migrations shipped inside the package, and tell whether a
database is at the newest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from sync_service.adapters.db.engine import UPGRADE, DatabaseUnusable, check_connection, make_engine, shown

# In a checkout this is a link to the repository's migrations/; in the wheel, a copy of it.
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at our migrations and at this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to the given revision (a SQLite file and its folder are created)."""
    _reachable(database_url, create=True)
    config = alembic_config(database_url)
    config.attributes["create"] = True
    command.upgrade(config, revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree (alembic check)."""
    _reachable(database_url, create=False)
    command.check(alembic_config(database_url))


def _reachable(database_url: str, create: bool) -> None:
    engine = make_engine(database_url, create=create)
    try:
        check_connection(engine, database_url, must_exist=not create)
    finally:
        engine.dispose()


def newest_revision() -> str:
    """The head revision of the migrations shipped with this codev."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: no schema yet)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_newest(engine: Engine, url: str) -> None:
    """DatabaseUnusable unless the database (at `url`, as configured) is at the newest schema."""
    current, newest = current_revision(engine), newest_revision()
    url = shown(url)
    if current is None:
        raise DatabaseUnusable(f"the database {url} has no schema yet: {UPGRADE} first")
    if current != newest:
        raise DatabaseUnusable(f"the database {url} is at schema {current}, this codev needs {newest}: "
                               f"{UPGRADE}")
