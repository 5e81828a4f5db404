"""The outbox against a faulty sandbox: 429 storms, 5xx, writes answered 500, slow answers, a killed
sender. Every intent ends up on the forum exactly once (counted by marker in the sandbox state)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from discourse_sandbox import Sandbox
from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.settings import Faults, SandboxSettings
from sync_service.adapters.db import outbox as db_outbox
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import uow_factory
from sync_service.adapters.discourse.client import HttpPolicy, Transport
from sync_service.adapters.discourse.writer import DiscourseWriter
from sync_service.services.outbox import SendPolicy, enqueue, marker, send_due
from sync_service.services.ports.storage import Intent
from tests.conftest import ADMIN_API_KEY, start_sandbox
from tests.sandbox.integration.test_sandbox_posts import add_user

SCALE = 60.0  # one sandbox minute per real second; the sender's clock runs as fast


def faulty_sandbox(**faults: Any) -> Sandbox:
    settings = SandboxSettings(max_admin_api_reqs_per_minute=30, time_scale=SCALE,
                               faults=Faults(seed=20261129, **faults))
    sandbox = start_sandbox(settings)
    add_user(sandbox, "karima")
    return sandbox


def intents(count: int) -> list[Intent]:
    """Topics, a reply under each, and private messages: what the review and introduction flows write."""
    made: list[Intent] = []
    for n in range(count):
        topic = Intent(f"review:{n}", "create_topic",
                       {"title": f"Revue des candidats pour le besoin numéro {n}", "raw": f"Classement {n}."})
        made += [topic, Intent(f"reply:{n}", "reply", {"raw": f"Relance {n}."}, topic.key)]
        if n % 3 == 0:
            made.append(Intent(f"intro:{n}:karima", "private_message", {
                "title": f"Mise en relation pour le besoin numéro {n}", "raw": f"Bonjour Karima ({n}).",
                "target_recipients": ["karima"]}))
    return made


def drain(factory: Any, writer: DiscourseWriter, clock: Clock, policy: SendPolicy,
          deadline: float = 60.0) -> dict[str, int]:
    """send_due until nothing is pending or sending, as `codev outbox --send` does; outcomes summed."""
    ends = time.monotonic() + deadline
    totals: dict[str, int] = {"sent": 0, "found": 0, "retried": 0}
    while time.monotonic() < ends:
        report = send_due(factory, writer, "e2e-sender", clock.now, policy)
        for key in totals:
            totals[key] += getattr(report, key)
        with factory() as uow:
            left = db_outbox.stats(uow.session, clock.now())["per_status"]
        if not left.get("pending") and not left.get("sending"):
            return totals
        clock.sleep(1.0)
    raise AssertionError(f"outbox not drained: {left}")


def marker_counts(sandbox: Sandbox, keys: list[str]) -> dict[str, int]:
    with sandbox.state.transaction() as state:
        raws = [p.raw for p in state.posts.values() if p.deleted_at is None]
    return {key: sum(marker(key) in raw for raw in raws) for key in keys}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine, uow_factory(engine)
    engine.dispose()


@pytest.mark.parametrize("faults", [
    {"api_429_rate": 0.3},
    {"api_5xx_rate": 0.25},
    {"api_fail_after_write_rate": 0.4},
    {"api_slow_rate": 0.2, "slow_seconds": 0.5},
], ids=["429-storm", "5xx", "fail-after-write", "slow"])
def test_every_intent_is_posted_exactly_once_despite_faults(database: Any, faults: dict[str, Any]) -> None:
    _engine, factory = database
    sandbox = faulty_sandbox(**faults)
    clock = Clock(SCALE)
    # the client gives up after 0.25 s: a slow answer (0.5 s) becomes an unclear outcome
    policy = HttpPolicy(requests_per_minute=30, read_timeout=0.25, connect_timeout=1.0)
    writer = DiscourseWriter(Transport(sandbox.base_url, ADMIN_API_KEY, "system", policy,
                                       clock=clock.seconds, sleep=clock.sleep), "system")
    wanted = intents(6)
    with factory() as uow:
        for intent in wanted:
            enqueue(uow, intent, clock.now())
        uow.commit()
    try:
        # settle: a request the client gave up on may still be writing (the sandbox sleeps 0.5 s real)
        totals = drain(factory, writer, clock, SendPolicy(batch=10, settle_seconds=0.8 * SCALE,
                                                          backoff_seconds=1.0, max_attempts=50))
        counts = marker_counts(sandbox, [i.key for i in wanted])
        injected = dict(sandbox.faults.injected)
    finally:
        sandbox.stop()

    assert counts == {i.key: 1 for i in wanted}
    assert sum(injected.values()) > 0
    if faults.get("api_fail_after_write_rate") or faults.get("api_slow_rate"):
        assert totals["found"] > 0  # posts whose answer was lost were found, not sent again
    with factory() as uow:
        assert db_outbox.stats(uow.session, clock.now())["per_status"] == {"sent": len(wanted)}


def test_a_sender_killed_between_the_post_and_its_commit_posts_nothing_twice(database: Any) -> None:
    _engine, factory = database
    sandbox = faulty_sandbox(api_fail_after_write_rate=0.2)
    clock = Clock(SCALE)
    writer = DiscourseWriter(Transport(sandbox.base_url, ADMIN_API_KEY, "system",
                                       HttpPolicy(requests_per_minute=30), clock=clock.seconds,
                                       sleep=clock.sleep), "system")
    wanted = intents(4)
    with factory() as uow:
        for intent in wanted:
            enqueue(uow, intent, clock.now())
        uow.commit()

    class Killed(BaseException):
        """The process dies: no exception handler of ours runs, no transaction commits."""

    real_send, calls = writer.send, {"n": 0}

    def dies_on_the_third(kind: str, payload: Any, key: str) -> Any:
        posted = real_send(kind, payload, key)
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed
        return posted

    writer.send = dies_on_the_third  # type: ignore[method-assign]
    policy = SendPolicy(batch=10, lease_seconds=120, settle_seconds=1, backoff_seconds=1, max_attempts=50)
    try:
        with pytest.raises(Killed):
            send_due(factory, writer, "doomed", clock.now, policy)
        writer.send = real_send  # type: ignore[method-assign]
        clock.sleep(121)  # the dead sender's lease runs out
        totals = drain(factory, writer, clock, policy)
        counts = marker_counts(sandbox, [i.key for i in wanted])
    finally:
        sandbox.stop()

    assert counts == {i.key: 1 for i in wanted}
    assert totals["found"] >= 1  # the post made just before the kill


def test_a_429_is_waited_out_exactly_as_discourse_says_before_the_next_request(database: Any) -> None:
    import requests

    _engine, factory = database
    sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=3, time_scale=SCALE))
    add_user(sandbox, "karima")
    clock = Clock(SCALE)
    answers: list[tuple[float, int, float]] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: answers.append(
        (clock.seconds(), r.status_code, float(r.headers.get("Retry-After") or 0))))
    # no client-side pacing: only Discourse's 429s hold the sender back
    writer = DiscourseWriter(Transport(sandbox.base_url, ADMIN_API_KEY, "system",
                                       HttpPolicy(requests_per_minute=0), clock=clock.seconds,
                                       sleep=clock.sleep, session=session), "system")
    wanted = intents(3)
    with factory() as uow:
        for intent in wanted:
            enqueue(uow, intent, clock.now())
        uow.commit()
    try:
        drain(factory, writer, clock, SendPolicy(batch=10))
        counts = marker_counts(sandbox, [i.key for i in wanted])
    finally:
        sandbox.stop()

    assert counts == {i.key: 1 for i in wanted}
    limited = [(at, wait) for at, status, wait in answers if status == 429]
    assert limited
    for at, wait in limited:
        following = [t for t, _s, _w in answers if t > at]
        assert not following or min(following) >= at + wait
