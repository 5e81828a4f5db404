"""The sandbox's categories, tags and tag groups replies match Discourse's OpenAPI schemas."""

from __future__ import annotations

from typing import Any

from discourse_sandbox import Sandbox
from discourse_sandbox.core.records import Topic
from tests.conftest import SandboxClient
from tests.sandbox.contract.openapi import assert_conforms


def _create_category(api: SandboxClient, name: str = "Besoins des communes") -> dict[str, Any]:
    reply = api.post("/categories.json", data={"name": name, "color": "0E76BD",
                                               "permissions[everyone]": "1"})
    return assert_conforms(reply, "/categories.json", "post")["category"]  # type: ignore[no-any-return]


def _tagged_topic(sandbox: Sandbox, category_id: int, tags: list[str]) -> None:
    with sandbox.state.transaction() as state:
        now = sandbox.clock.now()
        topic_id = state.next_id("topics")
        state.topics[topic_id] = Topic(id=topic_id, title="Réseau d'eau potable vétuste", slug="reseau",
                                       user_id=-1, created_at=now, updated_at=now, bumped_at=now,
                                       category_id=category_id, tags=tags)


def test_category_create_conforms(api: SandboxClient) -> None:
    category = _create_category(api)

    assert category["name"] == "Besoins des communes"


def test_category_list_conforms(sandbox: Sandbox, api: SandboxClient) -> None:
    category = _create_category(api)
    _tagged_topic(sandbox, category["id"], [])

    body = assert_conforms(api.get("/categories.json"), "/categories.json", "get")

    listed = {c["id"]: c for c in body["category_list"]["categories"]}
    assert listed[category["id"]]["topic_count"] == 1


def test_category_update_conforms(api: SandboxClient) -> None:
    category = _create_category(api)

    reply = api.put(f"/categories/{category['id']}.json", json={"name": "Besoins", "color": "FFFFFF"})

    assert assert_conforms(reply, "/categories/{id}.json", "put")["success"] == "OK"


def test_category_show_conforms(api: SandboxClient) -> None:
    category = _create_category(api)

    body = assert_conforms(api.get(f"/c/{category['id']}/show.json"), "/c/{id}/show.json", "get")

    assert body["category"]["id"] == category["id"]


def test_tags_index_conforms(sandbox: Sandbox, api: SandboxClient) -> None:
    api.post("/tag_groups.json", json={"name": "Secteurs", "tag_names": ["eau-potable"]})
    category = _create_category(api)
    _tagged_topic(sandbox, category["id"], ["eau-potable"])

    body = assert_conforms(api.get("/tags.json"), "/tags.json", "get")

    assert body["tags"][0]["count"] == 1


def test_tag_group_create_and_index_conform(api: SandboxClient) -> None:
    created = api.post("/tag_groups.json", json={"name": "Secteurs", "tag_names": ["eau-potable"],
                                                 "parent_tag_name": ["secteur"]})

    assert_conforms(created, "/tag_groups.json", "post")
    body = assert_conforms(api.get("/tag_groups.json"), "/tag_groups.json", "get")
    assert body["tag_groups"][0]["parent_tag"][0]["name"] == "secteur"


def test_tag_group_show_and_update_conform(api: SandboxClient) -> None:
    group = api.post("/tag_groups.json", json={"name": "Secteurs"}).json()["tag_group"]

    shown = api.get(f"/tag_groups/{group['id']}.json")
    updated = api.put(f"/tag_groups/{group['id']}.json", json={"name": "Domaines",
                                                               "tag_names": ["eau"]})

    assert_conforms(shown, "/tag_groups/{id}.json", "get")
    assert assert_conforms(updated, "/tag_groups/{id}.json", "put")["tag_group"]["name"] == "Domaines"
