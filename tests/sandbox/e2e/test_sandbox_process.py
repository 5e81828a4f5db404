"""The sandbox as a real process, driven the way codev will drive Discourse: pydiscourse and webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pydiscourse import DiscourseClient
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests import paths

ROOT = paths.ROOT
SEED = ROOT / "config" / "examples" / "communaute.yaml"
DEMO_KEY = "demo-admin-api-key-0123456789"
SECRET = "e2e-webhook-secret-0123"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"sandbox exited: {process.stderr.read() if process.stderr else ''}")
        try:
            if requests.get(f"{url}/_sandbox/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("sandbox did not start within 30 s")


@pytest.fixture(scope="module", params=["python -m discourse_sandbox", "codev sandbox"])
def sandbox_url(request: pytest.FixtureRequest) -> Iterator[str]:
    port = _free_port()
    command = ([sys.executable, "-m", "discourse_sandbox"] if request.param.startswith("python")
               else [sys.executable, "-m", "sync_service", "sandbox"])
    process = subprocess.Popen(
        [*command, "--port", str(port), "--seed", str(SEED)], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Receiver:
    """A webhook endpoint on loopback that keeps every delivery."""

    def __init__(self) -> None:
        self.deliveries: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/discourse"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.deliveries.put((dict(request.headers), request.get_data()))
        return Response("ok")(environ, start_response)

    def wait_for(self, event: str, timeout: float = 10) -> tuple[dict[str, str], bytes]:
        """The first delivery of this event, in whatever order deliveries came."""
        deadline = time.monotonic() + timeout
        while True:
            for headers, body in self.received:
                if headers.get("X-Discourse-Event") == event:
                    return headers, body
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event} delivery within {timeout} s; got {len(self.received)}")
            try:
                self.received.append(self.deliveries.get(timeout=remaining))
            except queue.Empty:
                continue


def test_pydiscourse_reads_the_sample_community(sandbox_url: str) -> None:
    client = DiscourseClient(sandbox_url, api_username="system", api_key=DEMO_KEY)

    experts = client.group_members("experts", limit=100)
    latest = client.latest_topics()
    first_expert = client.user(experts[0]["username"])

    assert len(experts) >= 25
    assert latest["topic_list"]["topics"]
    assert isinstance(first_expert["user_fields"], dict)
    assert all(key.isdigit() for key in first_expert["user_fields"])


def test_new_topic_is_delivered_as_signed_topic_and_post_events(sandbox_url: str) -> None:
    client = DiscourseClient(sandbox_url, api_username="system", api_key=DEMO_KEY)
    receiver = _Receiver()
    # the receiver is on this machine: an operator lists it in allowed_internal_hosts first
    listed = requests.post(f"{sandbox_url}/_sandbox/settings", json={"allowed_internal_hosts": "127.0.0.1"},
                           timeout=10)
    assert listed.status_code == 200, listed.text
    hook = requests.post(
        f"{sandbox_url}/admin/api/web_hooks.json",
        headers={"Api-Key": DEMO_KEY, "Api-Username": "system"},
        data={"web_hook[payload_url]": receiver.url, "web_hook[secret]": SECRET,
              "web_hook[content_type]": "1", "web_hook[active]": "true",
              "web_hook[web_hook_event_type_ids][]": ["101", "201"]},
        timeout=10,
    )
    assert hook.status_code == 200, hook.text
    categories = client.categories()
    needs = next(c for c in categories if c["slug"] == "besoins")

    post = client.create_post(
        "La commune cherche un appui pour le schéma directeur d'assainissement liquide.",
        category_id=needs["id"], title=f"Assainissement liquide du centre {time.time_ns()}",
    )
    headers, body = receiver.wait_for("topic_created")
    post_headers, post_body = receiver.wait_for("post_created")
    receiver.server.shutdown()

    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Discourse-Event-Signature"] == expected
    assert headers["X-Discourse-Event-Type"] == "topic"
    assert headers["X-Discourse-Instance"] == sandbox_url
    topic = json.loads(body)["topic"]
    assert topic["id"] == post["topic_id"] and "post_stream" not in topic
    delivered_post = json.loads(post_body)["post"]
    assert delivered_post["raw"].startswith("La commune") and "tags" not in delivered_post
    assert post_headers["X-Discourse-Event-Id"] != headers["X-Discourse-Event-Id"]
