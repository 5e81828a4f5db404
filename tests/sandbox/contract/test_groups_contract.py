"""Sandbox group endpoints against Discourse's official OpenAPI response schemas."""

from __future__ import annotations

import pytest

from discourse_sandbox import Sandbox
from discourse_sandbox.core.records import Post
from discourse_sandbox.seed import load_seed_data
from tests.conftest import SandboxClient
from tests.sandbox.contract.openapi import assert_conforms


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    load_seed_data(sandbox, {
        "groups": [{"name": "experts", "full_name": "Experts", "bio": "Les experts."}],
        "users": [{"username": "fatima", "groups": ["experts"], "owner_of": ["experts"]},
                  {"username": "ahmed", "groups": ["experts"]}, {"username": "karim"}],
    })
    now = sandbox.clock.now()
    with sandbox.state.transaction() as state:
        # the spec's member rows have both timestamps as strings
        for post_id, user in enumerate(state.users.values(), start=1):
            user.last_seen_at = now
            state.posts[post_id] = Post(id=post_id, topic_id=1, post_number=post_id,
                                        user_id=user.id, raw="x", cooked="<p>x</p>",
                                        created_at=now, updated_at=now)
    return sandbox


def _group_id(sandbox: Sandbox) -> int:
    group = sandbox.state.group_by_name("experts")
    assert group is not None
    return group.id


def test_groups_list_conforms(sandbox: Sandbox, api: SandboxClient) -> None:
    # The spec requires display_name, which Discourse only serializes for automatic groups,
    # so the documented example is a site without custom groups.
    assert_conforms(api.get("/groups.json"), "/groups.json", "get")


def test_group_by_name_and_id_conform(seeded: Sandbox, api: SandboxClient) -> None:
    assert_conforms(api.get("/groups/experts.json"), "/groups/{name}.json", "get")
    assert_conforms(api.get(f"/groups/by-id/{_group_id(seeded)}.json"), "/groups/by-id/{id}.json", "get")


def test_group_members_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.get("/groups/experts/members.json", params={"limit": 10})

    assert_conforms(response, "/groups/{name}/members.json", "get")


def test_add_and_remove_members_conform(seeded: Sandbox, api: SandboxClient) -> None:
    added = api.put(f"/groups/{_group_id(seeded)}/members.json", json={"usernames": "karim"})
    removed = api.delete(f"/groups/{_group_id(seeded)}/members.json", json={"usernames": "karim"})

    assert_conforms(added, "/groups/{id}/members.json", "put")
    assert_conforms(removed, "/groups/{id}/members.json", "delete")


def test_create_update_delete_group_conform(seeded: Sandbox, api: SandboxClient) -> None:
    created = api.post("/admin/groups.json", json={"group": {"name": "communes", "usernames": "karim"}})
    group_id = created.json()["basic_group"]["id"]
    updated = api.put(f"/groups/{group_id}.json", json={"group": {"full_name": "Communes"}})
    deleted = api.delete(f"/admin/groups/{group_id}.json")

    assert_conforms(created, "/admin/groups.json", "post")
    assert_conforms(updated, "/groups/{id}.json", "put")
    assert_conforms(deleted, "/admin/groups/{id}.json", "delete")
