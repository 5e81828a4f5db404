"""Topics, posts, lists and search of the sandbox against the official OpenAPI response schemas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from discourse_sandbox import Sandbox, SandboxSettings
from tests.conftest import SandboxClient, start_sandbox
from tests.sandbox.contract.openapi import assert_conforms
from tests.sandbox.integration.test_sandbox_posts import RAW, TITLE, add_category, add_user, create_topic

# The spec's /latest.json says image_url is a string (never null): give the topic an image.
RAW_WITH_IMAGE = RAW + "\n\n![plan](https://example.org/plan.png)"


@pytest.fixture
def topic(api: Any, sandbox: Sandbox) -> dict[str, Any]:
    """A topic in a category, with a tag."""
    category = add_category(sandbox, "besoins")
    return create_topic(api, category=category.id, **{"tags[]": ["eau"]})


def test_create_post(api: Any, sandbox: Sandbox) -> None:
    category = add_category(sandbox, "besoins")

    response = api.post("/posts.json", data={"title": TITLE, "raw": RAW, "category": category.id})

    assert_conforms(response, "/posts.json", "post")


def test_get_and_update_post(api: Any, topic: dict[str, Any]) -> None:
    got = api.get(f"/posts/{topic['id']}.json")
    put = api.put(f"/posts/{topic['id']}.json", data={"post[raw]": RAW + " Modifié."})

    assert_conforms(got, "/posts/{id}.json", "get")
    assert_conforms(put, "/posts/{id}.json", "put")


def test_post_replies(api: Any, topic: dict[str, Any]) -> None:
    api.post("/posts.json", data={"topic_id": topic["topic_id"], "raw": RAW + " R.",
                                  "reply_to_post_number": 1})

    assert_conforms(api.get(f"/posts/{topic['id']}/replies.json"), "/posts/{id}/replies.json", "get")


def test_topic_view(api: Any, topic: dict[str, Any]) -> None:
    assert_conforms(api.get(f"/t/{topic['topic_id']}.json"), "/t/{id}.json", "get")


def test_topic_posts(api: Any, topic: dict[str, Any]) -> None:
    response = api.get(f"/t/{topic['topic_id']}/posts.json", params={"post_ids[]": [topic["id"]]})

    assert_conforms(response, "/t/{id}/posts.json", "get")


def test_update_topic(api: Any, topic: dict[str, Any]) -> None:
    response = api.put(f"/t/-/{topic['topic_id']}.json",
                       json={"topic": {"title": "Forage profond à Tafraout enfin"}})

    assert_conforms(response, "/t/-/{id}.json", "put")


def test_update_topic_status(api: Any, topic: dict[str, Any]) -> None:
    response = api.put(f"/t/{topic['topic_id']}/status.json",
                       data={"status": "closed", "enabled": "true"})

    assert_conforms(response, "/t/{id}/status.json", "put")


def test_topic_by_external_id_redirects(api: Any) -> None:
    post = create_topic(api, external_id="need-7")

    response = api.get("/t/external_id/need-7.json")

    # The spec documents a bare 301 (no body schema): the status and target are the contract.
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/t/{post['topic_slug']}/{post['topic_id']}.json")


def test_latest(api: Any, sandbox: Sandbox) -> None:
    category = add_category(sandbox, "besoins")
    create_topic(api, raw=RAW_WITH_IMAGE, category=category.id)

    assert_conforms(api.get("/latest.json"), "/latest.json", "get")


@pytest.fixture
def untagged_sandbox() -> Iterator[Sandbox]:
    """The spec's category list has no `tags` key on topics: a site with tagging off."""
    sb = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0, tagging_enabled=False))
    yield sb
    sb.stop()


def test_category_topics(untagged_sandbox: Sandbox) -> None:
    api = SandboxClient(untagged_sandbox.base_url)
    add_user(untagged_sandbox, "ahmed")
    category = add_category(untagged_sandbox, "besoins")
    create_topic(api, category=category.id)

    # As a reader without a TopicUser row, as in the spec's example (bookmarked/liked null).
    response = api.as_user("ahmed").get(f"/c/besoins/{category.id}.json")

    assert_conforms(response, "/c/{slug}/{id}.json", "get")


def test_tag_topics(api: Any, topic: dict[str, Any]) -> None:
    assert_conforms(api.get("/tag/eau.json"), "/tag/{name}.json", "get")


def test_search_without_results(api: Any, topic: dict[str, Any]) -> None:
    # With results Discourse also sideloads `topics`, which the spec's example never showed.
    assert_conforms(api.get("/search.json", params={"q": "introuvable"}), "/search.json", "get")


def test_private_message_lists(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")
    create_topic(api, title="Mise en relation", raw="Bonjour Fatima, voici.",
                 archetype="private_message", target_recipients="fatima")

    inbox = api.as_user("fatima").get("/topics/private-messages/fatima.json")
    sent = api.get("/topics/private-messages-sent/system.json")

    assert_conforms(inbox, "/topics/private-messages/{username}.json", "get")
    assert_conforms(sent, "/topics/private-messages-sent/{username}.json", "get")
