"""Behaviours checked line by line against Discourse's source, each test naming the file it follows."""

from __future__ import annotations

from typing import Any

from discourse_sandbox import Sandbox
from discourse_sandbox.core.event_types import EVENT_TYPES
from discourse_sandbox.seed.web_hooks import seed_web_hooks
from tests.conftest import SandboxClient

# --- event type names ----------------------------------------------------------------------


def _listed_types(api: SandboxClient) -> dict[str, int]:
    grouped = api.get("/admin/api/web_hooks.json").json()["extras"]["grouped_event_types"]
    return {t["name"]: t["id"] for types in grouped.values() for t in types}


def test_group_membership_event_types_carry_the_fixture_names_and_ids(api: SandboxClient) -> None:
    # Discourse: db/fixtures/007_web_hook_event_types.rb, app/models/web_hook_event_type.rb (TYPES)
    listed = _listed_types(api)

    assert listed["user_added_to_group"] == 1401
    assert listed["user_removed_from_group"] == 1402
    assert listed["post_liked"] == 1501
    assert listed["user_promoted"] == 1601
    assert "group_user_added" not in listed and "like_created" not in listed


def test_plugin_event_types_are_named_as_the_fixture_names_them() -> None:
    # Discourse: db/fixtures/007_web_hook_event_types.rb (names), spec/models/web_hook_event_type_spec.rb
    assert EVENT_TYPES["accepted_solution"] == (1101, "solved")
    assert EVENT_TYPES["unaccepted_solution"] == (1102, "solved")
    assert EVENT_TYPES["assigned"] == (1201, "assign")
    assert EVENT_TYPES["unassigned"] == (1202, "assign")
    assert EVENT_TYPES["topic_upvote"] == (1701, "voting")
    assert EVENT_TYPES["topic_unvote"] == (1702, "voting")


def test_a_hook_subscribed_by_id_lists_the_database_name(api: SandboxClient) -> None:
    # Discourse: app/serializers/web_hook_event_type_serializer.rb reads web_hook_event_types.name
    r = api.post("/admin/api/web_hooks.json", json={"web_hook": {
        "payload_url": "https://codev.example.org/h", "web_hook_event_type_ids": [1401, 1402]}})

    assert r.status_code == 200
    names = [t["name"] for t in r.json()["web_hook"]["web_hook_event_types"]]
    assert names == ["user_added_to_group", "user_removed_from_group"]


def test_a_seed_may_name_events_by_their_types_key(sandbox: Sandbox) -> None:
    # Discourse: app/models/web_hook_event_type.rb (TYPES keys map to the same ids)
    entry: dict[str, Any] = {"payload_url": "https://codev.example.org/h", "active": True,
                             "events": ["group_user_added", "user_removed_from_group"]}
    seed_web_hooks(sandbox, [entry])

    hook = sandbox.state.web_hooks[max(sandbox.state.web_hooks)]
    assert sorted(hook.web_hook_event_type_ids) == [1401, 1402]
