"""Behaviours a fidelity review found departing from Discourse: params, memoisation, messages."""

from __future__ import annotations

from typing import Any

from discourse_sandbox import Sandbox
from tests.sandbox.integration.test_sandbox_posts import (
    RAW,
    TITLE,
    add_category,
    add_group,
    add_user,
    create_topic,
    errors_of,
)


def test_tags_given_as_hashes_are_named_by_their_name(api: Any) -> None:
    post = create_topic(api, **{"tags[][name]": ["eau", "sig"]})

    tags = api.get(f"/t/{post['topic_id']}.json").json()["tags"]

    assert sorted(t["name"] for t in tags) == ["eau", "sig"]


def test_tags_in_a_json_body_as_hashes(api: Any) -> None:
    post = api.post("/posts.json", json={"title": TITLE, "raw": RAW, "tags": [{"name": "forage"}]}).json()

    response = api.put(f"/t/{post['topic_id']}/tags.json", json={"tags": [{"name": "puits"}]})

    assert response.status_code == 200
    assert [t["name"] for t in api.get(f"/t/{post['topic_id']}.json").json()["tags"]] == ["puits"]


def test_retry_with_an_extra_unpermitted_param_is_still_memoised(api: Any) -> None:
    first = create_topic(api)

    again = api.post("/posts.json", data={"title": TITLE, "raw": RAW, "junk": "1"})

    assert again.status_code == 200 and again.json()["id"] == first["id"]


def test_retry_from_another_user_agent_is_a_new_request(api: Any) -> None:
    create_topic(api)

    again = api.post("/posts.json", data={"title": TITLE, "raw": RAW}, headers={"User-Agent": "other/1"})

    assert errors_of(again) == ["Title has already been used"]


def test_message_names_a_messageable_group_before_a_user_of_that_name(api: Any, sandbox: Sandbox) -> None:
    karim = add_user(sandbox, "karim")
    add_user(sandbox, "experts")
    add_group(sandbox, "experts", [karim]).messageable_level = 99

    post = create_topic(api, title="Mise en relation", raw="Bonjour à vous.",
                        archetype="private_message", target_recipients="experts")

    view = api.get(f"/t/{post['topic_id']}.json").json()
    assert [g["name"] for g in view["details"]["allowed_groups"]] == ["experts"]
    assert [u["username"] for u in view["details"]["allowed_users"]] == ["system"]


def test_naming_uncategorized_when_it_is_not_allowed_is_reserved(api: Any, sandbox: Sandbox) -> None:
    sandbox.apply({"allow_uncategorized_topics": False})
    uncategorized = sandbox.state.category_by_slug("uncategorized")
    assert uncategorized is not None

    reply = api.post("/posts.json", data={"title": TITLE, "raw": RAW, "category": uncategorized.id})

    assert errors_of(reply) == ["Category is reserved"]
    assert add_category(sandbox, "eau")


def test_new_category_gets_its_about_topic(api: Any) -> None:
    category = api.post("/categories.json", data={"name": "Eau potable", "color": "0088CC",
                                                  "text_color": "FFFFFF"}).json()["category"]

    topic_id = int(category["topic_url"].rsplit("/", 1)[1])
    view = api.get(f"/t/{topic_id}.json").json()
    listed = api.get(f"/c/{category['slug']}/{category['id']}.json").json()["topic_list"]["topics"]

    assert view["title"] == "About the Eau potable category" and view["pinned"] is True
    assert api.get(f"/raw/{topic_id}").text.startswith("[Replace this first paragraph")
    assert [t["id"] for t in listed] == [topic_id]
    assert category["topic_count"] == 0


def test_subcategory_path_is_served_and_a_wrong_slug_redirects(api: Any, sandbox: Sandbox) -> None:
    parent = add_category(sandbox, "eau")
    child = add_category(sandbox, "puits", parent_category_id=parent.id)

    served = api.get(f"/c/eau/puits/{child.id}.json")
    moved = api.get(f"/c/ancien/{child.id}/none.json?page=1", allow_redirects=False)

    assert served.status_code == 200
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/c/eau/puits/{child.id}/none.json?page=1")


def test_post_edit_needs_the_post_hash(api: Any) -> None:
    post = create_topic(api)

    response = api.put(f"/posts/{post['id']}.json", data={"raw": RAW + " Modifié."})

    assert response.status_code == 400
    assert response.json()["errors"] == ["param is missing or the value is empty: post"]


def test_edit_conflict_message(api: Any) -> None:
    post = create_topic(api)

    response = api.put(f"/posts/{post['id']}.json", data={"post[raw]": RAW + " Modifié.",
                                                         "post[original_text]": "autre chose"})

    assert response.status_code == 409
    assert response.json() == {"errors": [
        "That post was edited by another user and your changes can no longer be saved."]}


# --- per-user limits -------------------------------------------------------------------------

def test_second_topic_too_soon_is_rate_limited_for_non_staff(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    ahmed = api.as_user("ahmed")
    create_topic(ahmed)

    refused = ahmed.post("/posts.json", data={"title": "Forage à Tafraout pour le village",
                                              "raw": RAW + " Autre."})
    sandbox.clock.advance(sandbox.settings.rate_limit_create_topic)
    later = ahmed.post("/posts.json", data={"title": "Forage à Tafraout pour le village",
                                            "raw": RAW + " Autre."})

    assert refused.status_code == 429
    assert refused.json()["error_type"] == "rate_limit"
    assert refused.json()["errors"] == [
        "You’re creating topics a bit too quickly. Please wait 15 seconds before trying again."]
    assert later.status_code == 200


def test_same_body_again_is_too_similar(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    first = create_topic(api)
    ahmed = api.as_user("ahmed")
    ahmed.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW + " Réponse."})
    sandbox.clock.advance(sandbox.settings.rate_limit_create_post)

    again = ahmed.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW + " Réponse.",
                                            "reply_to_post_number": 1})

    assert again.status_code == 422
    assert errors_of(again) == ["Body is too similar to what you recently posted"]


def test_new_users_reply_cap_in_one_topic(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "novice", trust_level=0)
    first = create_topic(api)
    novice = api.as_user("novice")
    for n in range(3):
        sandbox.clock.advance(sandbox.settings.rate_limit_create_post)
        assert novice.post("/posts.json", data={"topic_id": first["topic_id"],
                                                "raw": f"{RAW} Réponse {n}."}).status_code == 200
    sandbox.clock.advance(sandbox.settings.rate_limit_create_post)

    fourth = novice.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW + " Encore."})

    assert errors_of(fourth) == [
        "We're sorry, but new users are temporarily limited to 3 replies in the same topic."]


def test_admin_rate_limit_says_a_few_seconds_or_singular_minutes() -> None:
    from discourse_sandbox.core.ratelimit import time_left

    assert [time_left(s) for s in (2, 45, 60, 150, 3600)] == [
        "a few seconds", "45 seconds", "1 minute", "2 minutes", "1 hour"]


def test_posts_of_low_trust_users_are_enqueued_when_approval_is_on(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "novice", trust_level=0)
    sandbox.settings.approve_unless_trust_level = 1

    response = api.as_user("novice").post("/posts.json", data={"title": TITLE, "raw": RAW})

    body = response.json()
    assert response.status_code == 200
    assert (body["action"], body["success"], body["pending_post"]["raw"]) == ("enqueued", True, RAW)
    assert sandbox.state.topics == {}
