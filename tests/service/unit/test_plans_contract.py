"""The plan repository's contract on the fakes (the SQL run is integration/test_plans_contract.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sync_service.services.ports.storage import UnitOfWork
from tests.service.unit.fakes import FakeStore, FakeUnitOfWork
from tests.service.unit.plans_contract import *  # noqa: F403 (the contract's tests run here, on the fakes)


@pytest.fixture
def make() -> Callable[[], UnitOfWork]:
    store = FakeStore()
    return lambda: FakeUnitOfWork(store)
