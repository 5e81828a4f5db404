"""Discourse's ids are 64-bit: a need, its author and an expert above 2^31 go through the worker and the
reconciliation on both databases (a 32-bit column failed the worker on PostgreSQL, and parked the row)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.core.records import ApiKey
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.inbox import delivery_row, insert_deliveries
from sync_service.adapters.db.migrate import upgrade
from sync_service.bootstrap import Codev
from sync_service.config import DiscourseSettings, Settings
from tests import paths
from tests.configured import configured
from tests.conftest import ADMIN_API_KEY

WIDE = 2**31 + 7  # the first id above a signed 32-bit integer's range, and a little more


@pytest.fixture
def wide_forum() -> Iterator[Sandbox]:
    """The sample community whose users, topics and posts are numbered above 2^31."""
    sandbox = Sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0))
    with sandbox.state.transaction() as state:
        state.api_keys[ADMIN_API_KEY] = ApiKey(ADMIN_API_KEY, None, "tests")
        for kind in ("users", "topics", "posts"):
            state.next_id(kind, start=WIDE)
    sandbox.load_seed(paths.SAMPLE_COMMUNITY)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def test_needs_and_experts_with_ids_above_2_to_the_31_are_stored_by_worker_and_sweep(
        wide_forum: Sandbox, database_url: str) -> None:
    upgrade(database_url)
    settings = Settings(database_url=database_url,
                        discourse=DiscourseSettings(wide_forum.base_url, ADMIN_API_KEY, "system"))
    codev = Codev(configured(settings), requests_per_minute=0, embed=False)
    with wide_forum.state.transaction() as state:
        needs = state.category_by_slug("besoins")
        assert needs is not None
        topic_id = max(t.id for t in state.topics.values()
                       if t.category_id == needs.id and not t.title.startswith("About the "))
        expert_id = max(u.id for u in state.users.values())
    assert topic_id > 2**31 and expert_id > 2**31
    engine = make_engine(database_url)
    with engine.begin() as conn:
        insert_deliveries(conn, [delivery_row(
            event="topic_created", event_type="topic", discourse_event_id="1",
            body_sha256=uuid.uuid4().hex * 2, entity_kind="need", entity_key=str(topic_id), hint={},
            received_at=datetime.now(UTC))])
    engine.dispose()

    worker, _loop = codev.worker("wide")
    result = worker.run_once()
    counts = codev.reconcile()
    try:
        with codev.uow() as uow:
            stored_need = uow.needs.get(topic_id)
            stored_ids = uow.experts.ids()
    finally:
        codev.close()

    assert (result.done, result.parked, result.retried) == (1, 0, 0), result
    assert stored_need is not None and stored_need.details.author_user_id is not None
    assert stored_need.details.author_user_id > 2**31
    assert counts.failed == 0 and counts.created > 0 and min(stored_ids) > 2**31
