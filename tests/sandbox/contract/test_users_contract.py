"""Sandbox user endpoints against Discourse's official OpenAPI response schemas."""

from __future__ import annotations

from datetime import timedelta

import pytest

from discourse_sandbox import Sandbox
from discourse_sandbox.core.records import Topic
from discourse_sandbox.seed import load_seed_data
from tests.conftest import SandboxClient
from tests.sandbox.contract.openapi import assert_conforms


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    # The spec's example has exactly two text user fields ("1", "2") and a featured topic.
    load_seed_data(sandbox, {
        "user_fields": [{"name": "Ville", "field_type": "text"},
                        {"name": "Langues", "field_type": "text"}],
        "users": [{"username": "fatima", "name": "Fatima", "email": "fatima@example.org",
                   "fields": {"Ville": "Lyon"}},
                  {"username": "ahmed", "name": "Ahmed", "email": "ahmed@example.org"}],
    })
    now = sandbox.clock.now()
    with sandbox.state.transaction() as state:
        state.topics[1] = Topic(id=1, title="Bienvenue", slug="bienvenue", user_id=-1,
                                created_at=now, updated_at=now, bumped_at=now)
        for user in state.users.values():
            user.featured_topic_id = 1
            user.last_seen_at = now - timedelta(hours=1)
    return sandbox


def _user_id(sandbox: Sandbox, username: str) -> int:
    user = sandbox.state.user_by_username(username)
    assert user is not None
    return user.id


def test_get_user_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    assert_conforms(api.get("/u/fatima.json"), "/u/{username}.json", "get")


def test_update_user_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.put("/u/fatima.json", json={"name": "Fatima B."})

    assert_conforms(response, "/u/{username}.json", "put")


def test_admin_user_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.get(f"/admin/users/{_user_id(seeded, 'fatima')}.json")

    assert_conforms(response, "/admin/users/{id}.json", "get")


@pytest.mark.parametrize("flag", ["active", "new", "staff"])
def test_admin_user_list_conforms(seeded: Sandbox, api: SandboxClient, flag: str) -> None:
    response = api.get(f"/admin/users/list/{flag}.json", params={"show_emails": "true"})

    assert_conforms(response, "/admin/users/list/{flag}.json", "get")


def test_admin_users_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    assert_conforms(api.get("/admin/users.json"), "/admin/users.json", "get")


def test_directory_items_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.get("/directory_items.json", params={"period": "all", "order": "post_count"})

    assert_conforms(response, "/directory_items.json", "get")


def test_create_user_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.post("/users.json", json={
        "name": "Karim", "email": "karim@example.org", "password": "long-enough-pw",
        "username": "karim", "active": True, "approved": True, "user_fields": {"1": "Agadir"},
    })

    assert_conforms(response, "/users.json", "post")


def test_anonymize_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.put(f"/admin/users/{_user_id(seeded, 'ahmed')}/anonymize.json")

    assert_conforms(response, "/admin/users/{id}/anonymize.json", "put")


def test_delete_user_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.delete(f"/admin/users/{_user_id(seeded, 'ahmed')}.json")

    assert_conforms(response, "/admin/users/{id}.json", "delete")


def test_suspend_activate_deactivate_conform(seeded: Sandbox, api: SandboxClient) -> None:
    user_id = _user_id(seeded, "ahmed")

    suspend = api.put(f"/admin/users/{user_id}/suspend.json",
                      json={"suspend_until": "2121-02-22", "reason": "test"})
    deactivate = api.put(f"/admin/users/{user_id}/deactivate.json")
    activate = api.put(f"/admin/users/{user_id}/activate.json")

    assert_conforms(suspend, "/admin/users/{id}/suspend.json", "put")
    assert_conforms(deactivate, "/admin/users/{id}/deactivate.json", "put")
    assert_conforms(activate, "/admin/users/{id}/activate.json", "put")
