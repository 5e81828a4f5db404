"""The sandbox's topic lists (latest, category, tag, filter, private messages) and search."""

from __future__ import annotations

from typing import Any

import pytest

from discourse_sandbox import Sandbox
from tests.sandbox.integration.test_sandbox_posts import RAW, add_category, add_user, create_topic

TITLES = ("Adduction d'eau potable à Tafraout", "Piste rurale vers le douar Ait Ali",
          "Assainissement liquide à Imouzzer")


def ids(body: dict[str, Any]) -> list[int]:
    return [t["id"] for t in body["topic_list"]["topics"]]


@pytest.fixture
def three_topics(api: Any, sandbox: Sandbox) -> list[dict[str, Any]]:
    """Three topics created one after the other (the last is bumped last)."""
    return [create_topic(api, title=t, raw=RAW, created_at=f"2026-10-0{i + 1}T09:00:00Z")
            for i, t in enumerate(TITLES)]


def test_latest_lists_most_recently_bumped_first(api: Any, three_topics: list[dict[str, Any]]) -> None:
    api.post("/posts.json", data={"topic_id": three_topics[0]["topic_id"], "raw": RAW + " R."})

    body = api.get("/latest.json").json()

    assert ids(body) == [three_topics[i]["topic_id"] for i in (0, 2, 1)]
    assert body["topic_list"]["per_page"] == 30
    assert body["users"][0]["username"] == "system"


def test_latest_order_and_ascending(api: Any, three_topics: list[dict[str, Any]]) -> None:
    body = api.get("/latest.json", params={"order": "created", "ascending": "true"}).json()

    assert ids(body) == [t["topic_id"] for t in three_topics]


def test_latest_pages_with_more_topics_url(api: Any, three_topics: list[dict[str, Any]]) -> None:
    first = api.get("/latest.json", params={"per_page": 2}).json()
    second = api.get("/latest.json", params={"per_page": 2, "page": 1}).json()

    assert len(ids(first)) == 2 and "page=1" in first["topic_list"]["more_topics_url"]
    assert ids(second) == [three_topics[0]["topic_id"]]
    assert "more_topics_url" not in second["topic_list"]


def test_latest_leaves_out_messages_deleted_and_unlisted(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")
    kept = create_topic(api)
    create_topic(api, title="Mise en relation", raw="Bonjour Fatima, voici.",
                 archetype="private_message", target_recipients="fatima")
    gone = create_topic(api, title=TITLES[1])
    api.delete(f"/t/{gone['topic_id']}.json")
    hidden = create_topic(api, title=TITLES[2], unlist_topic="true")

    as_user = ids(api.as_user("fatima").get("/latest.json").json())
    as_staff = ids(api.get("/latest.json").json())

    assert as_user == [kept["topic_id"]]
    assert set(as_staff) == {kept["topic_id"], hidden["topic_id"]}


def test_category_lists_include_subcategories_unless_none(api: Any, sandbox: Sandbox) -> None:
    parent = add_category(sandbox, "besoins")
    child = add_category(sandbox, "eau", parent_category_id=parent.id)
    in_parent = create_topic(api, category=parent.id)
    in_child = create_topic(api, title=TITLES[1], category=child.id)
    create_topic(api, title=TITLES[2])

    full = ids(api.get(f"/c/besoins/{parent.id}.json").json())
    by_id = ids(api.get(f"/c/{parent.id}.json").json())
    latest = ids(api.get(f"/c/besoins/{parent.id}/l/latest.json").json())
    none = ids(api.get(f"/c/besoins/{parent.id}/none.json").json())

    assert set(full) == set(by_id) == set(latest) == {in_parent["topic_id"], in_child["topic_id"]}
    assert none == [in_parent["topic_id"]]


def test_hidden_or_unknown_category_list_is_not_found(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    secret = add_category(sandbox, "staff-notes", permissions={"staff": 1})

    assert api.as_user("ahmed").get(f"/c/staff-notes/{secret.id}.json").status_code == 404
    assert api.get("/c/nope/999.json").status_code == 404


def test_tag_lists(api: Any, sandbox: Sandbox) -> None:
    category = add_category(sandbox, "besoins")
    tagged = create_topic(api, category=category.id, **{"tags[]": ["eau"]})
    create_topic(api, title=TITLES[1], **{"tags[]": ["eau"]})
    create_topic(api, title=TITLES[2], **{"tags[]": ["piste"]})

    by_tag = api.get("/tag/eau.json").json()
    in_category = ids(api.get(f"/tags/c/besoins/{category.id}/eau.json").json())

    assert len(ids(by_tag)) == 2 and by_tag["topic_list"]["tags"][0]["name"] == "eau"
    assert ids(api.get("/tag/eau/l/latest.json").json()) == ids(by_tag)
    assert in_category == [tagged["topic_id"]]
    assert api.get("/tag/nope.json").status_code == 404


def test_filter_by_tag_category_and_status(api: Any, sandbox: Sandbox) -> None:
    category = add_category(sandbox, "besoins")
    open_one = create_topic(api, category=category.id, **{"tags[]": ["eau"]})
    closed = create_topic(api, title=TITLES[1], category=category.id, **{"tags[]": ["eau"]})
    api.put(f"/t/{closed['topic_id']}/status.json", data={"status": "closed", "enabled": "true"})

    body = api.get("/filter.json", params={"q": "tag:eau category:besoins status:open"}).json()

    assert ids(body) == [open_one["topic_id"]]


def test_private_message_lists(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")
    add_user(sandbox, "ahmed")
    message = create_topic(api, title="Mise en relation", raw="Bonjour Fatima, voici.",
                           archetype="private_message", target_recipients="fatima")

    inbox = api.as_user("fatima").get("/topics/private-messages/fatima.json")
    sent = api.get("/topics/private-messages-sent/system.json").json()
    other = api.as_user("ahmed").get("/topics/private-messages/fatima.json")

    assert ids(inbox.json()) == [message["topic_id"]]
    assert ids(sent) == [message["topic_id"]]
    assert other.status_code == 403


def test_pydiscourse_lists(discourse_client: Any, api: Any, sandbox: Sandbox) -> None:
    category = add_category(sandbox, "besoins")
    post = create_topic(api, category=category.id)

    latest = discourse_client.latest_topics()
    in_category = discourse_client.category_topics(category.id)

    assert [t["id"] for t in latest["topic_list"]["topics"]] == [post["topic_id"]]
    assert [t["id"] for t in in_category["topic_list"]["topics"]] == [post["topic_id"]]


# --- search ----------------------------------------------------------------------------------

def search(api: Any, q: str, **extra: Any) -> dict[str, Any]:
    response = api.get("/search.json", params={"q": q, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def topic_ids(body: dict[str, Any]) -> list[int]:
    return [p["topic_id"] for p in body["posts"]]


def test_search_matches_terms_in_title_and_body(api: Any, three_topics: list[dict[str, Any]]) -> None:
    by_title = search(api, "PISTE rurale")
    by_body = search(api, "hydraulique")

    assert topic_ids(by_title) == [three_topics[1]["topic_id"]]
    assert len(by_body["posts"]) == 3
    assert by_title["grouped_search_result"]["post_ids"] == [by_title["posts"][0]["id"]]
    assert by_title["topics"][0]["id"] == three_topics[1]["topic_id"]


def test_search_in_title_ignores_bodies(api: Any, three_topics: list[dict[str, Any]]) -> None:
    assert search(api, "hydraulique in:title")["posts"] == []


def test_search_filters_category_tags_user_and_status(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")
    category = add_category(sandbox, "besoins")
    both = create_topic(api, category=category.id, **{"tags[]": ["eau", "forage"]})
    eau = create_topic(api, title=TITLES[1], **{"tags[]": ["eau"]})
    by_fatima = api.as_user("fatima").post(
        "/posts.json", data={"title": TITLES[2], "raw": RAW}).json()
    api.put(f"/t/{eau['topic_id']}/status.json", data={"status": "closed", "enabled": "true"})

    assert topic_ids(search(api, "douar #besoins")) == [both["topic_id"]]
    assert set(topic_ids(search(api, "douar tags:eau,forage"))) == {both["topic_id"], eau["topic_id"]}
    assert topic_ids(search(api, "douar tags:eau+forage")) == [both["topic_id"]]
    assert topic_ids(search(api, "douar @fatima")) == [by_fatima["topic_id"]]
    assert topic_ids(search(api, "douar status:closed")) == [eau["topic_id"]]
    assert eau["topic_id"] not in topic_ids(search(api, "douar status:open"))


def test_search_order_latest_and_dates(api: Any, three_topics: list[dict[str, Any]]) -> None:
    latest = topic_ids(search(api, "douar order:latest"))
    after = topic_ids(search(api, "douar after:2026-10-02"))
    before = topic_ids(search(api, "douar before:2026-10-02"))

    assert latest == [t["topic_id"] for t in reversed(three_topics)]
    assert set(after) == {three_topics[1]["topic_id"], three_topics[2]["topic_id"]}
    assert before == [three_topics[0]["topic_id"]]


def test_search_leaves_out_private_messages(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")
    create_topic(api, title="Mise en relation", raw="Bonjour Fatima, voici le douar.",
                 archetype="private_message", target_recipients="fatima")

    assert search(api, "douar")["posts"] == []


def test_search_pages_by_fifty(api: Any, sandbox: Sandbox) -> None:
    sandbox.settings.allow_duplicate_topic_titles = True
    for i in range(51):
        create_topic(api, title=f"Besoin numéro {i} du douar Tafraout", raw=RAW)

    first = search(api, "douar")
    second = search(api, "douar", page=2)

    assert len(first["posts"]) == 50 and first["grouped_search_result"]["more_full_page_results"]
    assert len(second["posts"]) == 1


def test_pydiscourse_search(discourse_client: Any, api: Any) -> None:
    post = create_topic(api)

    found = discourse_client.search("hydraulique")

    assert [p["topic_id"] for p in found["posts"]] == [post["topic_id"]]
