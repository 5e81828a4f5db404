"""The sandbox's own control API under /_sandbox: no auth, not part of Discourse."""

from __future__ import annotations

from typing import Any

import requests

from discourse_sandbox import Sandbox
from discourse_sandbox.core.records import Post, Topic, User


def url(sandbox: Sandbox, path: str) -> str:
    return f"{sandbox.base_url}/_sandbox{path}"


def control_post(sandbox: Sandbox, path: str, body: Any) -> requests.Response:
    return requests.post(url(sandbox, path), json=body, timeout=10)


def test_health_answers_without_any_credentials(sandbox: Sandbox) -> None:
    r = requests.get(url(sandbox, "/health"), timeout=10)

    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.json()["status"] == "ok"
    assert r.json()["base_url"] == sandbox.base_url


def test_health_ignores_a_bad_api_key(sandbox: Sandbox) -> None:
    r = requests.get(url(sandbox, "/health"), headers={"Api-Key": "wrong", "Api-Username": "x"}, timeout=10)

    assert r.status_code == 200


def test_settings_show_every_switch_with_faults(sandbox: Sandbox) -> None:
    body = requests.get(url(sandbox, "/settings"), timeout=10).json()

    assert body["retry_web_hook_events"] is False
    assert body["faults"]["webhook_drop_rate"] == 0.0
    assert body["min_topic_title_length"] == 15


def test_post_settings_applies_changes_and_answers_the_new_settings(sandbox: Sandbox) -> None:
    r = control_post(sandbox, "/settings", {"retry_web_hook_events": True, "faults": {"seed": 9}})

    assert r.status_code == 200
    assert r.json()["retry_web_hook_events"] is True
    assert sandbox.settings.retry_web_hook_events is True
    assert sandbox.settings.faults.seed == 9


def test_bad_setting_is_400_with_the_reason_and_changes_nothing(sandbox: Sandbox) -> None:
    r = control_post(sandbox, "/settings", {"retry_web_hook_events": True, "min_post_length": "many"})

    assert r.status_code == 400
    assert r.json() == {"errors": ["min_post_length: expected a int, found 'many'"]}
    assert sandbox.settings.retry_web_hook_events is False


def test_unknown_setting_is_400_naming_it(sandbox: Sandbox) -> None:
    r = control_post(sandbox, "/settings", {"no_such_switch": 1})

    assert r.status_code == 400
    assert "no_such_switch" in r.json()["errors"][0]


def test_bad_fault_leaves_faults_unchanged(sandbox: Sandbox) -> None:
    r = control_post(sandbox, "/settings", {"faults": {"webhook_drop_rate": 0.5, "bogus": 1}})

    assert r.status_code == 400
    assert sandbox.settings.faults.webhook_drop_rate == 0.0


def test_non_object_body_is_400(sandbox: Sandbox) -> None:
    r = requests.post(url(sandbox, "/settings"), data="[1, 2]", timeout=10,
                      headers={"Content-Type": "application/json"})

    assert r.status_code == 400


def test_applying_faults_reseeds_the_emitters_generator(sandbox: Sandbox) -> None:
    control_post(sandbox, "/settings", {"faults": {"seed": 5}})
    first = [sandbox.emitter.rng.random() for _ in range(3)]
    control_post(sandbox, "/settings", {"faults": {"seed": 5}})
    second = [sandbox.emitter.rng.random() for _ in range(3)]

    assert first == second


def test_clock_advance_moves_sandbox_time_forward(sandbox: Sandbox) -> None:
    before = sandbox.clock.seconds()

    r = control_post(sandbox, "/clock/advance", {"seconds": 3600})

    assert r.status_code == 200
    assert r.json()["seconds"] >= before + 3600
    assert r.json()["now"].endswith("Z")


def test_clock_advance_refuses_a_negative_or_missing_number(sandbox: Sandbox) -> None:
    assert control_post(sandbox, "/clock/advance", {"seconds": -1}).status_code == 400
    assert control_post(sandbox, "/clock/advance", {}).status_code == 400


def test_flush_answers_whether_webhooks_drained(sandbox: Sandbox) -> None:
    r = control_post(sandbox, "/webhooks/flush", {"timeout": 2})

    assert r.json() == {"flushed": True}


def test_seed_as_json_creates_web_hooks_and_deliveries_list_them(sandbox: Sandbox) -> None:
    seed = {"settings": {"allowed_internal_hosts": "127.0.0.1"},
            "web_hooks": [{"payload_url": "http://127.0.0.1:9/closed", "events": ["post_created"],
                           "active": True}]}

    seeded = control_post(sandbox, "/seed", seed)
    sandbox.emitter.emit("post_created", {"id": 12, "raw": "Bonjour"})
    control_post(sandbox, "/webhooks/flush", {"timeout": 5})
    listed = requests.get(url(sandbox, "/deliveries"), timeout=10).json()["deliveries"]

    assert seeded.json() == {"success": "OK"}
    [delivery] = listed
    assert delivery["event"] == "post_created"
    assert delivery["event_type"] == "post"
    assert delivery["status"] == -1
    assert delivery["payload"] == {"post": {"id": 12, "raw": "Bonjour"}}


def test_bad_seed_is_400_naming_the_entry_and_key(sandbox: Sandbox) -> None:
    seed = {"web_hooks": [{"payload_url": "http://127.0.0.1:9/x", "events": ["topic_exploded"]}]}

    r = control_post(sandbox, "/seed", seed)

    assert r.status_code == 400
    assert "web_hooks[0]" in r.json()["errors"][0]
    assert "topic_exploded" in r.json()["errors"][0]


def test_stats_count_records_faults_and_deliveries_by_status(sandbox: Sandbox) -> None:
    now = sandbox.clock.now()
    with sandbox.state.transaction() as state:
        state.users[2] = User(id=2, username="ahmed", name="Ahmed", email="a@example.org",
                              created_at=now, updated_at=now)
        state.topics[1] = Topic(id=1, title="Eau potable", slug="eau-potable", user_id=2,
                                created_at=now, updated_at=now, bumped_at=now)
        state.posts[1] = Post(id=1, topic_id=1, post_number=1, user_id=2, raw="x", cooked="<p>x</p>",
                              created_at=now, updated_at=now)
    sandbox.apply({"faults": {"webhook_drop_rate": 1.0}})
    control_post(sandbox, "/seed", {"settings": {"allowed_internal_hosts": "127.0.0.1"},
                                    "web_hooks": [{"payload_url": "http://127.0.0.1:9/x",
                                                   "events": ["post_created"], "active": True}]})
    sandbox.emitter.emit("post_created", {"id": 1})

    body = requests.get(url(sandbox, "/stats"), timeout=10).json()

    assert (body["users"], body["topics"], body["posts"], body["web_hooks"]) == (1, 1, 1, 1)
    assert body["faults_injected"]["webhook_drop"] == 1
    assert body["deliveries"] == {"total": 0, "by_status": {}}
    assert body["webhooks_pending"] == 0
