"""The proxy docker-compose.yml ships, proved with Debian's nginx: while 50 slow clients hold connections
(half trickling their headers, half their body, one byte at a time), /healthz and signed webhook
deliveries through the proxy keep answering at once. Without the proxy the same clients starve
`codev serve` (2 processes x 16 threads): that is why it is there.

The web and proxy services are started from docker-compose.yml as the compose smoke test starts them.
CODEV_PROOF_SECONDS sets how long the slow clients hold on (12 s in `make test`, 60 s in `make proof`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.deploy import compose
from tests.deploy.conftest import dot_env

SLOW_CLIENTS = 50
HOLD_SECONDS = float(os.environ.get("CODEV_PROOF_SECONDS", "12"))
BUDGET_SECONDS = 1.0  # each probe must be answered within this, while the slow clients hold on


@pytest.fixture
def stack(postgres_url: str, compose_database: str, tmp_path: Path) -> Iterator[tuple[compose.LocalCompose,
                                                                                     dict[str, str]]]:
    env = dot_env(postgres_url, compose_database, CODEV_DISCOURSE_URL="http://127.0.0.1:9",
                  CODEV_DISCOURSE_API_KEY="no-forum-in-this-proof")
    running = compose.LocalCompose(compose.load(env), tmp_path)
    try:
        for name in ("db", "migrate", "web", "proxy"):
            running.start(name)
        running.until_healthy("proxy")
        yield running, env
    finally:
        running.down()


def _slow_client(port: int, stop: threading.Event, trickle: str) -> None:
    """One connection that sends its request one byte every second, until told to stop."""
    body = b'{"ping":"OK"}' * 40
    head = (f"POST /webhooks/discourse HTTP/1.1\r\nHost: codev\r\nContent-Type: application/json\r\n"
            f"X-Discourse-Event: ping\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    data = head + body if trickle == "headers" else body
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            if trickle == "body":
                conn.sendall(head)
            for byte in data:
                if stop.wait(1.0):
                    return
                conn.sendall(bytes([byte]))
    except OSError:
        return  # dropped by a timeout: the server's right


def _signed_delivery(url: str, secret: str, n: int) -> requests.Response:
    body = json.dumps({"user": {"id": 10_000 + n, "username": f"probe{n}"}}).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Discourse-Event": "user_updated",
               "X-Discourse-Event-Type": "user", "X-Discourse-Event-Id": str(n),
               "X-Discourse-Event-Signature": signature}
    return requests.post(url, data=body, timeout=BUDGET_SECONDS * 5, headers=headers)


def _hold_and_probe(port: int, secret: str) -> tuple[list[float], list[str]]:
    """Start the slow clients, then probe /healthz and the intake until HOLD_SECONDS pass."""
    stop = threading.Event()
    clients = [threading.Thread(target=_slow_client, args=(port, stop, "headers" if i % 2 else "body"),
                                daemon=True) for i in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    time.sleep(2.0)  # every slow client connected and started trickling
    base = f"http://127.0.0.1:{port}"
    latencies, failures = [], []
    deadline, n = time.monotonic() + HOLD_SECONDS, 0
    try:
        while time.monotonic() < deadline:
            n += 1
            started = time.monotonic()
            try:
                health = requests.get(f"{base}/healthz", timeout=BUDGET_SECONDS * 5)
                delivery = _signed_delivery(f"{base}/webhooks/discourse", secret, n)
                if health.status_code != 200 or delivery.status_code != 200:
                    failures.append(f"{health.status_code}/{delivery.status_code}")
            except requests.RequestException as exc:
                failures.append(type(exc).__name__)
            latencies.append(time.monotonic() - started)
            time.sleep(0.2)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)
    return latencies, failures


@pytest.mark.postgres
def test_fifty_slow_clients_do_not_starve_health_nor_intake_behind_the_proxy(
        stack: tuple[compose.LocalCompose, dict[str, str]]) -> None:
    running, env = stack
    secret = env["CODEV_WEBHOOK_SECRETS"]

    through_proxy, failures = _hold_and_probe(int(env["CODEV_PROXY_PORT"]), secret)
    direct, direct_failures = _hold_and_probe(int(env["CODEV_WEB_PORT"]), secret)

    print(f"\nslow clients: {SLOW_CLIENTS} held {HOLD_SECONDS:.0f} s")
    print(f"through the proxy: {len(through_proxy)} probes (healthz + signed webhook), failures "
          f"{len(failures)}, median {statistics.median(through_proxy) * 1000:.0f} ms, "
          f"max {max(through_proxy) * 1000:.0f} ms")
    print(f"straight to codev serve: {len(direct)} probes, failures {len(direct_failures)} "
          f"({', '.join(sorted(set(direct_failures)))}), max {max(direct) * 1000:.0f} ms")
    assert failures == [] and max(through_proxy) < BUDGET_SECONDS
    assert direct_failures or max(direct) >= BUDGET_SECONDS, "without the proxy nothing starved: " \
        "the proof no longer shows why the proxy is there"
    accepted = [json.loads(line) for line in running.log("web").splitlines() if line.startswith("{")]
    assert all("Traceback" not in str(line) for line in accepted)
