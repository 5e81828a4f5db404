"""The sandbox's webhooks: deliveries as Discourse sends them, retries, faults, and the admin API."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.core.records import Category, Group, User
from discourse_sandbox.seed.web_hooks import seed_web_hooks
from tests.conftest import SandboxClient, allow_internal_host, start_sandbox

SECRET = "codev-webhook-secret-2026"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A tiny HTTP endpoint that records each POST and answers the next queued status (else 200)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhooks/discourse"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.requests.append(Received(dict(request.headers), request.get_data()))
            status = self.statuses.pop(0) if self.statuses else 200
        return Response("ok", status, {"X-Receiver": "yes"})(environ, start_response)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.close()


def add_hook(sandbox: Sandbox, url: str, **entry: Any) -> int:
    """Create one hook through the seed section (active, topic_created unless told otherwise)."""
    allow_internal_host(sandbox, url)
    entry = {"payload_url": url, "active": True, "events": ["topic_created"], **entry}
    seed_web_hooks(sandbox, [entry])
    return max(sandbox.state.web_hooks)


def deliver(sandbox: Sandbox, event: str = "topic_created", payload: dict[str, Any] | None = None,
            **filters: Any) -> None:
    sandbox.emitter.emit(event, payload or {"id": 7, "title": "Réseau d'eau potable à Tiznit"}, **filters)
    assert sandbox.emitter.flush(5)


# --- one delivery ------------------------------------------------------------------------------

def test_delivery_carries_discourse_headers_and_a_signature_of_the_exact_body(
    sandbox: Sandbox, receiver: Receiver,
) -> None:
    add_hook(sandbox, receiver.url, secret=SECRET)

    deliver(sandbox, payload={"id": 7, "title": "Réseau d'eau potable à Tiznit"})

    [got] = receiver.requests
    event = next(iter(sandbox.state.web_hook_events.values()))
    assert got.headers["Accept"] == "*/*"
    assert got.headers["Connection"] == "close"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Content-Length"] == str(len(got.body))
    assert got.headers["User-Agent"].startswith("Discourse/")
    assert got.headers["X-Discourse-Instance"] == sandbox.base_url
    assert got.headers["X-Discourse-Event-Id"] == str(event.id)
    assert got.headers["X-Discourse-Event-Type"] == "topic"
    assert got.headers["X-Discourse-Event"] == "topic_created"
    expected = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Discourse-Event-Signature"] == f"sha256={expected}"
    assert got.json() == {"topic": {"id": 7, "title": "Réseau d'eau potable à Tiznit"}}


def test_delivery_without_secret_has_no_signature_header(sandbox: Sandbox, receiver: Receiver) -> None:
    add_hook(sandbox, receiver.url)

    deliver(sandbox)

    assert "X-Discourse-Event-Signature" not in receiver.requests[0].headers


def test_form_content_type_still_sends_a_json_body(sandbox: Sandbox, receiver: Receiver) -> None:
    add_hook(sandbox, receiver.url, content_type=2)

    deliver(sandbox, payload={"id": 1})

    assert receiver.requests[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert receiver.requests[0].json() == {"topic": {"id": 1}}


def test_delivery_is_recorded_as_a_web_hook_event_and_marks_the_hook_successful(
    sandbox: Sandbox, receiver: Receiver,
) -> None:
    hook_id = add_hook(sandbox, receiver.url)

    deliver(sandbox)

    [event] = sandbox.state.web_hook_events.values()
    assert (event.web_hook_id, event.status, event.response_body) == (hook_id, 200, "ok")
    assert event.response_headers["x-receiver"] == "yes"
    assert event.headers["X-Discourse-Event"] == "topic_created"
    assert event.payload.encode() == receiver.requests[0].body
    assert sandbox.state.web_hooks[hook_id].last_delivery_status == 3


def test_unreachable_receiver_is_recorded_with_status_minus_one_and_not_retried(sandbox: Sandbox) -> None:
    sandbox.apply({"retry_web_hook_events": True})
    hook_id = add_hook(sandbox, "http://127.0.0.1:9/closed")

    deliver(sandbox)

    [event] = sandbox.state.web_hook_events.values()
    assert event.status == -1
    assert "error" in event.response_headers
    assert sandbox.emitter.pending_count() == 0
    assert sandbox.state.web_hooks[hook_id].last_delivery_status == 2


# --- which hooks get what ----------------------------------------------------------------------

def test_each_subscribed_hook_gets_its_own_delivery_and_others_none(
    sandbox: Sandbox, receiver: Receiver,
) -> None:
    add_hook(sandbox, receiver.url + "?h=topics")
    add_hook(sandbox, receiver.url + "?h=posts", events=["post_created"])
    add_hook(sandbox, receiver.url + "?h=all", events=[], wildcard=True)
    add_hook(sandbox, receiver.url + "?h=off", active=False)

    deliver(sandbox, "topic_created")

    assert len(receiver.requests) == 2
    assert len({r.headers["X-Discourse-Event-Id"] for r in receiver.requests}) == 2


def test_topic_status_events_reach_topic_edited_hooks_under_their_own_name(
    sandbox: Sandbox, receiver: Receiver,
) -> None:
    add_hook(sandbox, receiver.url, events=["topic_edited"])

    deliver(sandbox, "topic_closed_status_updated", {"id": 3})

    assert receiver.requests[0].headers["X-Discourse-Event"] == "topic_closed_status_updated"
    assert receiver.requests[0].json() == {"topic": {"id": 3}}


def _category(sandbox: Sandbox, slug: str) -> int:
    with sandbox.state.transaction() as state:
        cid = state.next_id("categories")
        state.categories[cid] = Category(id=cid, name=slug.title(), slug=slug)
    return cid


def test_category_filter_excludes_other_categories_and_uncategorised_messages(
    sandbox: Sandbox, receiver: Receiver,
) -> None:
    besoins = _category(sandbox, "besoins")
    autre = _category(sandbox, "autre")
    add_hook(sandbox, receiver.url, categories=["besoins"])

    deliver(sandbox, payload={"n": 1}, category_id=besoins)
    deliver(sandbox, payload={"n": 2}, category_id=autre)
    deliver(sandbox, payload={"n": 3}, category_id=None)

    assert [r.json()["topic"]["n"] for r in receiver.requests] == [1]


def test_tag_filter_needs_one_shared_tag(sandbox: Sandbox, receiver: Receiver) -> None:
    add_hook(sandbox, receiver.url, tags=["eau-potable"])

    deliver(sandbox, payload={"n": 1}, tag_names=["eau-potable", "sig"])
    deliver(sandbox, payload={"n": 2}, tag_names=["sante"])
    deliver(sandbox, payload={"n": 3})

    assert [r.json()["topic"]["n"] for r in receiver.requests] == [1]


def test_hook_with_a_group_filter_receives_no_events(sandbox: Sandbox, receiver: Receiver) -> None:
    # EmitWebHookEvent#group_webhook_invalid? is true whether or not the event names a group
    with sandbox.state.transaction() as state:
        state.groups[41] = Group(id=41, name="experts")
    add_hook(sandbox, receiver.url, groups=["experts"], events=["user_updated"])

    deliver(sandbox, "user_updated", {"n": 1}, group_ids=[10, 41])
    deliver(sandbox, "user_updated", {"n": 2})

    assert receiver.requests == []


def test_hook_deactivated_before_delivery_gets_nothing(receiver: Receiver) -> None:
    sandbox = Sandbox(SandboxSettings())
    try:
        hook_id = add_hook(sandbox, receiver.url)
        sandbox.emitter.emit("topic_created", {"id": 1})
        sandbox.state.web_hooks[hook_id].active = False
        sandbox.emitter.start()

        assert sandbox.emitter.flush(5)
        assert receiver.requests == []
    finally:
        sandbox.stop()


# --- retries -----------------------------------------------------------------------------------

def test_retries_follow_1_5_minutes_each_with_a_new_event_id(sandbox: Sandbox, receiver: Receiver) -> None:
    sandbox.apply({"retry_web_hook_events": True})
    add_hook(sandbox, receiver.url)
    receiver.statuses = [500, 503]

    deliver(sandbox)
    sandbox.clock.advance(55)
    assert sandbox.emitter.flush(5)
    assert len(receiver.requests) == 1
    sandbox.clock.advance(5)
    assert sandbox.emitter.flush(5)
    assert len(receiver.requests) == 2
    sandbox.clock.advance(300)
    assert sandbox.emitter.flush(5)

    assert len(receiver.requests) == 3
    assert len({r.headers["X-Discourse-Event-Id"] for r in receiver.requests}) == 3
    assert len({r.body for r in receiver.requests}) == 1
    assert sorted(e.status for e in sandbox.state.web_hook_events.values()) == [200, 500, 503]


def test_retries_happen_by_themselves_with_time_scale(receiver: Receiver) -> None:
    sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0, time_scale=6000.0,
                                            retry_web_hook_events=True))
    try:
        add_hook(sandbox, receiver.url)
        receiver.statuses = [500]

        deliver(sandbox)
        threading.Event().wait(0.1)  # 600 sandbox seconds: past the 1-minute retry
        assert sandbox.emitter.flush(5)

        assert [e.status for e in sandbox.state.web_hook_events.values()] == [500, 200]
    finally:
        sandbox.stop()


def test_no_retry_when_retry_web_hook_events_is_off(sandbox: Sandbox, receiver: Receiver) -> None:
    add_hook(sandbox, receiver.url)
    receiver.statuses = [500]

    deliver(sandbox)
    sandbox.clock.advance(3600)

    assert sandbox.emitter.flush(5)
    assert len(receiver.requests) == 1


def test_404_is_not_retried(sandbox: Sandbox, receiver: Receiver) -> None:
    sandbox.apply({"retry_web_hook_events": True})
    hook_id = add_hook(sandbox, receiver.url)
    receiver.statuses = [404]

    deliver(sandbox)
    sandbox.clock.advance(3600)

    assert sandbox.emitter.flush(5)
    assert len(receiver.requests) == 1
    assert sandbox.state.web_hooks[hook_id].active


def test_404_after_the_last_retry_deactivates_the_hook(sandbox: Sandbox, receiver: Receiver) -> None:
    sandbox.apply({"retry_web_hook_events": True})
    hook_id = add_hook(sandbox, receiver.url)
    receiver.statuses = [500, 500, 500, 500, 410]

    deliver(sandbox)
    for minutes in (1, 5, 25, 125):
        sandbox.clock.advance(minutes * 60)
        assert sandbox.emitter.flush(5)

    assert len(receiver.requests) == 5
    assert not sandbox.state.web_hooks[hook_id].active


# --- faults ------------------------------------------------------------------------------------

def test_drop_fault_never_sends_and_is_counted(sandbox: Sandbox, receiver: Receiver) -> None:
    sandbox.apply({"faults": {"webhook_drop_rate": 1.0}})
    add_hook(sandbox, receiver.url)

    deliver(sandbox)

    assert receiver.requests == []
    assert sandbox.faults.injected["webhook_drop"] == 1


def test_duplicate_fault_sends_the_same_body_twice_with_two_event_ids(
    sandbox: Sandbox, receiver: Receiver,
) -> None:
    sandbox.apply({"faults": {"webhook_duplicate_rate": 1.0}})
    add_hook(sandbox, receiver.url, secret=SECRET)

    deliver(sandbox)

    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["X-Discourse-Event-Signature"] == second.headers["X-Discourse-Event-Signature"]
    assert first.headers["X-Discourse-Event-Id"] != second.headers["X-Discourse-Event-Id"]


def test_delay_fault_holds_deliveries_back_and_flush_waits_for_them(
    sandbox: Sandbox, receiver: Receiver,
) -> None:
    sandbox.apply({"time_scale": 100.0, "faults": {"webhook_delay_max_seconds": 20.0}})
    add_hook(sandbox, receiver.url)

    for n in range(5):
        sandbox.emitter.emit("topic_created", {"n": n})

    assert sandbox.emitter.flush(5)
    assert len(receiver.requests) == 5
    assert sandbox.faults.injected["webhook_delay"] == 5


def _received_order(receiver: Receiver, seed: int, reorder: bool) -> list[int]:
    """Emit 8 events to a one-worker emitter before it starts, then let it drain the queue."""
    sandbox = Sandbox(SandboxSettings())
    sandbox.emitter.worker_count = 1
    try:
        sandbox.apply({"faults": {"seed": seed, "webhook_reorder": reorder}})
        add_hook(sandbox, receiver.url)
        for n in range(8):
            sandbox.emitter.emit("topic_created", {"n": n})
        sandbox.emitter.start()
        assert sandbox.emitter.flush(5)
        order = [r.json()["topic"]["n"] for r in receiver.requests]
        receiver.requests.clear()
        return order
    finally:
        sandbox.stop()


def test_reorder_fault_shuffles_the_queue_reproducibly(receiver: Receiver) -> None:
    in_order = _received_order(receiver, seed=3, reorder=False)
    shuffled = _received_order(receiver, seed=3, reorder=True)
    again = _received_order(receiver, seed=3, reorder=True)

    assert in_order == list(range(8))
    assert sorted(shuffled) == in_order
    assert shuffled != in_order
    assert again == shuffled


def _fault_outcome(receiver: Receiver, seed: int) -> list[int]:
    sandbox = Sandbox(SandboxSettings())
    sandbox.emitter.start()
    try:
        sandbox.apply({"faults": {"seed": seed, "webhook_drop_rate": 0.3, "webhook_duplicate_rate": 0.3}})
        add_hook(sandbox, receiver.url)
        for n in range(20):
            sandbox.emitter.emit("topic_created", {"n": n})
        assert sandbox.emitter.flush(5)
        outcome = sorted(r.json()["topic"]["n"] for r in receiver.requests)
        receiver.requests.clear()
        return outcome
    finally:
        sandbox.stop()


def test_same_seed_gives_the_same_drops_and_duplicates(receiver: Receiver) -> None:
    first = _fault_outcome(receiver, seed=11)
    second = _fault_outcome(receiver, seed=11)
    other = _fault_outcome(receiver, seed=12)

    assert first == second
    assert len(first) != 20 or len(set(first)) != 20  # some fault did happen
    assert other != first


# --- admin API ---------------------------------------------------------------------------------

def _create(api: SandboxClient, **fields: Any) -> Any:
    data = {f"web_hook[{k}]": v for k, v in fields.items()}
    return api.post("/admin/api/web_hooks.json", data=data)


def test_create_web_hook_with_form_params_answers_the_serialized_hook(api: SandboxClient) -> None:
    r = api.post("/admin/api/web_hooks.json", data={
        "web_hook[payload_url]": "https://codev.example.org/webhooks/discourse",
        "web_hook[secret]": SECRET,
        "web_hook[content_type]": "1",
        "web_hook[web_hook_event_type_ids][]": ["101", "201"],
        "web_hook[tag_names][]": ["eau-potable"],
    })

    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    hook = r.json()["web_hook"]
    assert hook["payload_url"] == "https://codev.example.org/webhooks/discourse"
    assert hook["active"] is False  # Discourse's column default
    assert hook["last_delivery_status"] == 4  # shown as disabled while inactive
    assert hook["verify_certificate"] is True
    assert hook["tag_names"] == ["eau-potable"]
    assert [t["name"] for t in hook["web_hook_event_types"]] == ["topic_created", "post_created"]
    assert hook["web_hook_event_types"][0] == {"id": 101, "name": "topic_created", "group": "topic"}


def test_create_with_json_body_works_too(sandbox: Sandbox, api: SandboxClient, receiver: Receiver) -> None:
    allow_internal_host(sandbox, receiver.url)
    r = api.post("/admin/api/web_hooks.json", json={"web_hook": {
        "payload_url": receiver.url, "wildcard_web_hook": True, "active": True}})

    assert r.status_code == 200
    assert r.json()["web_hook"]["wildcard_web_hook"] is True


@pytest.mark.parametrize(("fields", "message"), [
    ({"payload_url": "https://codev.example.org/h"}, "Web hook event types can't be blank"),
    ({"payload_url": "https://codev.example.org/h", "secret": "short", "wildcard_web_hook": "true"},
     "Secret is too short (minimum is 12 characters)"),
    ({"payload_url": "", "wildcard_web_hook": "true"}, "Payload url can't be blank"),
    ({"payload_url": "ftp://codev.example.org/h", "wildcard_web_hook": "true"},
     "Payload url URL is invalid. URL should includes http:// or https://. And no blank is allowed."),
    ({"payload_url": "http://10.0.0.5/h", "wildcard_web_hook": "true"},
     "Payload URL cannot be used because it resolves to a blocked or internal IP"),
    ({"payload_url": "http://codev:8000/h", "wildcard_web_hook": "true"},
     "Payload URL cannot be used because it resolves to a blocked or internal IP"),
])
def test_invalid_web_hook_is_422_with_discourses_message(
    api: SandboxClient, fields: dict[str, str], message: str,
) -> None:
    r = _create(api, **fields)

    assert r.status_code == 422
    assert r.json() == {"errors": [message]}


def test_loopback_payload_url_is_refused_by_default_and_allowed_once_listed(
    sandbox: Sandbox, api: SandboxClient,
) -> None:
    # Discourse: lib/final_destination/ssrf_detector.rb (allowed_internal_hosts, empty by default)
    refused = _create(api, payload_url="http://localhost:8000/webhooks", wildcard_web_hook="true")
    sandbox.apply({"allowed_internal_hosts": "localhost"})
    allowed = _create(api, payload_url="http://localhost:8000/webhooks", wildcard_web_hook="true")

    assert refused.status_code == 422
    assert allowed.status_code == 200


def test_create_without_web_hook_params_is_400(api: SandboxClient) -> None:
    r = api.post("/admin/api/web_hooks.json", data={"payload_url": "https://x.example.org"})

    assert r.status_code == 400
    assert r.json()["error_type"] == "invalid_parameters"


def test_unknown_event_type_id_is_404(api: SandboxClient) -> None:
    r = api.post("/admin/api/web_hooks.json", data={
        "web_hook[payload_url]": "https://codev.example.org/h", "web_hook[web_hook_event_type_ids][]": "999"})

    assert r.status_code == 404


def test_index_lists_hooks_with_event_types_and_enums(api: SandboxClient) -> None:
    _create(api, payload_url="https://codev.example.org/h", wildcard_web_hook="true")

    body = api.get("/admin/api/web_hooks.json").json()

    assert len(body["web_hooks"]) == 1
    assert body["total_rows_web_hooks"] == 1
    assert body["load_more_web_hooks"] == "/admin/api/web_hooks.json?limit=50&offset=50"
    extras = body["extras"]
    assert {"id": 101, "name": "topic_created", "group": "topic"} in extras["grouped_event_types"]["topic"]
    assert "chat" not in extras["grouped_event_types"]
    assert {"id": 2, "name": "application/x-www-form-urlencoded"} in extras["content_types"]
    assert {"id": 4, "name": "disabled"} in extras["delivery_statuses"]


def test_update_changes_only_given_fields_and_delete_removes(api: SandboxClient) -> None:
    hook_id = _create(api, payload_url="https://codev.example.org/h", secret=SECRET,
                      wildcard_web_hook="true").json()["web_hook"]["id"]

    updated = api.put(f"/admin/api/web_hooks/{hook_id}.json", data={"web_hook[active]": "true"})
    shown = api.get(f"/admin/api/web_hooks/{hook_id}.json")
    deleted = api.delete(f"/admin/api/web_hooks/{hook_id}.json")

    assert updated.json()["web_hook"]["active"] is True
    assert shown.json()["web_hook"]["secret"] == SECRET
    assert shown.json()["extras"] == {"categories": []}
    assert deleted.json() == {"success": "OK"}
    assert api.get(f"/admin/api/web_hooks/{hook_id}.json").status_code == 404


def test_webhooks_admin_is_404_for_non_admins_and_anonymous(sandbox: Sandbox, api: SandboxClient) -> None:
    with sandbox.state.transaction() as state:
        now = sandbox.clock.now()
        state.users[5] = User(id=5, username="fatima", name="Fatima", email="f@example.org",
                              created_at=now, updated_at=now, moderator=True)

    as_moderator = api.as_user("fatima").get("/admin/api/web_hooks.json")
    anonymous = SandboxClient(sandbox.base_url, api_key=None).get("/admin/api/web_hooks.json")

    assert as_moderator.status_code == 404
    assert anonymous.status_code == 404
    assert as_moderator.json()["error_type"] == "not_found"


def test_ping_sends_ping_ok_even_to_an_inactive_hook(
    sandbox: Sandbox, api: SandboxClient, receiver: Receiver,
) -> None:
    hook_id = add_hook(sandbox, receiver.url, active=False, secret=SECRET)

    r = api.post(f"/admin/api/web_hooks/{hook_id}/ping.json")
    assert sandbox.emitter.flush(5)

    assert r.json() == {"success": "OK"}
    [got] = receiver.requests
    assert got.body == b'{"ping":"OK"}'
    assert got.headers["X-Discourse-Event"] == "ping"
    assert got.headers["X-Discourse-Event-Type"] == "ping"


def test_events_list_filters_by_status(sandbox: Sandbox, api: SandboxClient, receiver: Receiver) -> None:
    hook_id = add_hook(sandbox, receiver.url)
    receiver.statuses = [500]
    deliver(sandbox, payload={"n": 1})
    deliver(sandbox, payload={"n": 2})

    failed = api.get(f"/admin/api/web_hook_events/{hook_id}.json?status=failed").json()
    everything = api.get(f"/admin/api/web_hook_events/{hook_id}.json").json()

    assert [e["status"] for e in failed["web_hook_events"]] == [500]
    assert failed["load_more_web_hook_events"].endswith("status=failed")
    assert [e["status"] for e in everything["web_hook_events"]] == [200, 500]  # newest first
    event = everything["web_hook_events"][0]
    assert json.loads(event["headers"])["X-Discourse-Event"] == "topic_created"
    assert json.loads(event["payload"]) == {"topic": {"n": 2}}
    assert event["request_url"] == receiver.url


def test_redeliver_sends_the_stored_headers_and_body_again(
    sandbox: Sandbox, api: SandboxClient, receiver: Receiver,
) -> None:
    hook_id = add_hook(sandbox, receiver.url, secret=SECRET)
    receiver.statuses = [500]
    deliver(sandbox)
    [event] = sandbox.state.web_hook_events.values()

    r = api.post(f"/admin/api/web_hooks/{hook_id}/events/{event.id}/redeliver.json")

    first, again = receiver.requests
    assert again.body == first.body
    assert again.headers["X-Discourse-Event-Id"] == first.headers["X-Discourse-Event-Id"]
    assert again.headers["X-Discourse-Event-Signature"] == first.headers["X-Discourse-Event-Signature"]
    assert r.json()["web_hook_event"]["id"] == event.id
    assert r.json()["web_hook_event"]["status"] == 200


def test_redeliver_of_unknown_event_answers_failed(
    sandbox: Sandbox, api: SandboxClient, receiver: Receiver,
) -> None:
    hook_id = add_hook(sandbox, receiver.url)

    r = api.post(f"/admin/api/web_hooks/{hook_id}/events/999/redeliver.json")

    assert r.json() == {"failed": "FAILED"}


def test_failed_redeliver_queues_only_the_failed_events_asked_for(
    sandbox: Sandbox, api: SandboxClient, receiver: Receiver,
) -> None:
    hook_id = add_hook(sandbox, receiver.url)
    receiver.statuses = [500]
    deliver(sandbox, payload={"n": 1})
    deliver(sandbox, payload={"n": 2})
    ids = sorted(sandbox.state.web_hook_events)

    r = api.post(f"/admin/api/web_hooks/{hook_id}/events/failed_redeliver.json",
                 data={"event_ids[]": [str(i) for i in ids]})
    assert sandbox.emitter.flush(5)

    assert r.json() == {"event_ids": [ids[0]]}
    assert [q.json()["topic"]["n"] for q in receiver.requests] == [1, 2, 1]
    assert sandbox.state.web_hook_events[ids[0]].status == 200
    assert not sandbox.state.web_hook_events[ids[0]].redelivering
