"""The plan repository's contract (tests/service/unit/plans_contract.py) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import uow_factory
from sync_service.services.ports.storage import UnitOfWork
from tests.service.unit.plans_contract import *  # noqa: F403 (the contract's tests run here, on SQL)


@pytest.fixture
def make(database_url: str) -> Iterator[Callable[[], UnitOfWork]]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield uow_factory(engine)
    engine.dispose()
