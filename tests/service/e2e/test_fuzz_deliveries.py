"""Hostile deliveries against `codev serve` (gunicorn, as deployed): malformed, forged, unsigned,
replayed, relabelled and oversized, sent by many clients at once; then the worker drains what was
stored. Nothing is answered 5xx, nothing forged is stored, no row fails, every row ends done or ignored.

`make test` sends 600 deliveries; `make proof` (CODEV_PROOF_FUZZ=1) sends 10,000 on each database.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select

from sync_service.adapters.db.tables import InboxDelivery
from sync_service.adapters.discourse.signature import sign
from sync_service.config import Settings
from tests.service.e2e.harness import SECRET, codev, community

DELIVERIES = 10_000 if os.environ.get("CODEV_PROOF_FUZZ") == "1" else 600
SEED = 20261207
CLIENTS = 8
EVENTS = ("user_created", "user_updated", "user_destroyed", "user_added_to_group", "topic_created",
          "topic_edited", "topic_destroyed", "post_created", "post_edited", "ping", "kudos", "")
MAX_BODY = Settings().webhooks.max_body_bytes


@dataclass(frozen=True)
class Delivery:
    kind: str          # what the fuzzer made: signed, replayed, relabelled, forged, unsigned, malformed...
    body: bytes
    headers: dict[str, str]

    @property
    def signed_rightly(self) -> bool:
        return self.kind in ("signed", "replayed", "relabelled", "malformed")


def _entity(rng: random.Random) -> tuple[str, dict[str, object]]:
    """An event and a payload about a real, unknown, huge or absurd entity (event and payload agree
    three times in four)."""
    ident: object = rng.choice([rng.randint(1, 40), rng.randint(1, 40), rng.randint(41, 2**31 - 1),
                                rng.randint(2**31, 2**63 - 1)])
    if rng.random() < 0.2:
        ident = rng.choice([-rng.randint(1, 100), 0, "12", None, 1.5, [], {}, 2**64, True])
    event, payload = rng.choice([
        ("user_updated", {"user": {"id": ident,
                                   "username": rng.choice(["lahcen.oubaha", "x" * 300, "", None])}}),
        ("topic_edited", {"topic": {"id": ident, "title": "é" * rng.randint(0, 400),
                                    "tags": ["besoin"] * rng.randint(0, 3)}}),
        ("post_created", {"post": {"id": ident, "topic_id": ident, "post_number": rng.randint(1, 9),
                                   "post_type": rng.choice([1, 2, 3, 4, 99, "1"]),
                                   "raw": "approuver 1, merci pour la suggestion"}}),
        ("ping", {"ping": "OK"}), ("topic_created", {}), ("user_created", {"user": None}),
        ("topic_created", {"topic": "12"}),
    ])
    return (event if rng.random() < 0.75 else rng.choice(EVENTS)), payload


def _signed(body: bytes, event: str, secret: str | None = SECRET,
            event_type: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "X-Discourse-Event": event,
               "X-Discourse-Event-Type": event_type or event.split("_")[0], "X-Discourse-Event-Id": "1"}
    if secret is not None:
        headers["X-Discourse-Event-Signature"] = sign(secret, body)
    return headers


def _deliveries(rng: random.Random, count: int) -> list[Delivery]:
    made: list[Delivery] = []
    while len(made) < count:
        roll = rng.random()
        earlier = [d for d in made if d.kind == "signed"]
        if roll < 0.35 or not earlier:
            event, payload = _entity(rng)
            body = json.dumps(payload, ensure_ascii=rng.random() < 0.5).encode()
            made.append(Delivery("signed", body, _signed(body, event)))
        elif roll < 0.45:
            made.append(rng.choice(earlier))  # the same bytes, the same headers: a replay
            made[-1] = Delivery("replayed", made[-1].body, made[-1].headers)
        elif roll < 0.55:
            old = rng.choice(earlier)
            # the same signed body under a made-up name (the name is not signed), its type kept
            renamed = _signed(old.body, f"made_up_{rng.randint(0, 99)}",
                              event_type=old.headers["X-Discourse-Event-Type"])
            made.append(Delivery("relabelled", old.body, renamed))
        elif roll < 0.70:
            body = json.dumps(_entity(rng)[1]).encode()
            forged = _signed(body, rng.choice(EVENTS), "not-the-secret-0123456789")
            made.append(Delivery("forged", body, forged))
        elif roll < 0.78:
            body = json.dumps(_entity(rng)[1]).encode()
            made.append(Delivery("unsigned", body, _signed(body, rng.choice(EVENTS), None)))
        elif roll < 0.95:
            body = rng.choice([b"", b"{", b"[1,2", b"\xff\xfe\x00", b"null", b"[]", b'"text"',
                               b'{"user": {"id": 1}}' * 3, bytes(rng.getrandbits(8) for _ in range(64)),
                               b"[" * 5000 + b"]" * 5000])
            made.append(Delivery("malformed", body, _signed(body, rng.choice(EVENTS))))
        else:
            body = b'{"topic": {"id": 1, "title": "' + b"a" * (MAX_BODY + 10) + b'"}}'
            made.append(Delivery("oversized", body, _signed(body, "topic_edited")))
    return made


@pytest.mark.slow
def test_hostile_deliveries_never_get_a_5xx_nor_store_a_forgery_nor_fail_a_row(
    database_url: str, tmp_path: Path
) -> None:
    sandbox = community(tmp_path, 4)
    app = codev(sandbox, database_url, tmp_path, lease_seconds=30, backoff_seconds=0.2)
    deliveries = _deliveries(random.Random(SEED), DELIVERIES)
    answers: list[tuple[Delivery, int]] = []
    errors: list[str] = []
    lock = threading.Lock()
    local = threading.local()
    try:
        url = app.serve() + "/webhooks/discourse"

        def send(delivery: Delivery) -> None:
            session = getattr(local, "session", None) or requests.Session()
            local.session = session
            try:
                answer = session.post(url, data=delivery.body, headers=delivery.headers, timeout=30)
                status = answer.status_code
            except requests.ConnectionError as exc:
                local.session = None  # the connection is gone: the next delivery opens another
                status = -1
                errors.append(f"{delivery.kind}: {type(exc).__name__}: {str(exc)[:120]}")
            with lock:
                answers.append((delivery, status))

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(send, deliveries))
        drained = [app.run("worker", "--once", "--rate", "0", "--no-embedder", timeout=600)]
        while not app.inbox_settled() and len(drained) < 5:
            drained.append(app.run("worker", "--once", "--rate", "0", "--no-embedder", timeout=600))
        inbox = app.inbox_counts()
        engine = create_engine(database_url)
        try:
            with engine.connect() as conn:
                hashes = list(conn.scalars(select(InboxDelivery.body_sha256)))
                stored = set(hashes)
                waiting = [(r.event, r.entity_kind, r.entity_key, r.last_error) for r in conn.execute(
                    select(InboxDelivery).where(InboxDelivery.status.in_(("pending", "running"))))]
        finally:
            engine.dispose()
    finally:
        app.close()
        sandbox.stop()

    by_kind = Counter(d.kind for d, _ in answers)
    statuses = Counter((d.kind, s) for d, s in answers)
    print(f"\n[fuzz {database_url.split(':')[0]}] {len(answers)} deliveries {dict(by_kind)}; "
          f"answers {dict(sorted(statuses.items()))}; inbox {inbox}; worker runs {len(drained)}; "
          f"connection errors {errors[:5]}")
    assert len(answers) == DELIVERIES
    assert errors == []  # a refused body left unread once broke the next request on its connection
    assert [s for _, s in answers if s >= 500] == []
    assert {s for d, s in answers if d.kind in ("forged", "unsigned")} == {401}
    assert {s for d, s in answers if d.kind == "oversized"} == {413}
    assert {s for d, s in answers if d.kind in ("signed", "replayed", "relabelled")} <= {200, 204, 400}
    forged = {hashlib.sha256(d.body).hexdigest() for d, _ in answers if not d.signed_rightly}
    rightly = {hashlib.sha256(d.body).hexdigest() for d, _ in answers if d.signed_rightly}
    assert stored & (forged - rightly) == set(), "a body only ever sent forged was stored"
    # made-up names for one body cost at most one ignored row beside the body's own
    assert max(Counter(hashes).values(), default=0) <= 2, "made-up event names multiplied a body's rows"
    assert all(run.returncode == 0 for run in drained), drained[-1].stderr[-2000:]
    assert set(inbox) <= {"done", "ignored"}, (inbox, waiting[:5])
