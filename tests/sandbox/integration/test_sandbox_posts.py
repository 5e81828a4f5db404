"""The sandbox's POST /posts, /posts/{id} and /raw: topics, replies, private messages, edits, deletes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from discourse_sandbox import Sandbox
from discourse_sandbox.core.records import Category, Group, User

TITLE = "Réseau d'eau potable pour le douar Tafraout"
RAW = "Nous cherchons un expert en hydraulique rurale pour le réseau du douar."
TOPIC_NOT_FOUND = (
    "Something has gone wrong. Perhaps this topic was closed or deleted while you were looking at it?"
)


# --- helpers shared by the sandbox topic tests --------------------------------------------

def add_user(sandbox: Sandbox, username: str, **fields: Any) -> User:
    """A user record straight in the state (the users routes belong elsewhere)."""
    now = datetime.now(UTC)
    with sandbox.state.transaction() as state:
        user = User(id=state.next_id("users"), username=username, name=username.title(),
                    email=f"{username}@example.org", created_at=now, updated_at=now, **fields)
        state.users[user.id] = user
    return user


def add_group(sandbox: Sandbox, name: str, members: list[User]) -> Group:
    with sandbox.state.transaction() as state:
        group = Group(id=state.next_id("groups", 41), name=name, user_ids=[u.id for u in members])
        state.groups[group.id] = group
    return group


def add_category(sandbox: Sandbox, slug: str, **fields: Any) -> Category:
    """A category record straight in the state."""
    with sandbox.state.transaction() as state:
        category = Category(id=state.next_id("categories"), name=slug.title(), slug=slug, **fields)
        state.categories[category.id] = category
    return category


def record_emits(sandbox: Sandbox) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Replace the emitter's emit with a recorder; returns the list it fills."""
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    sandbox.emitter.emit = lambda event, payload, **filters: calls.append(  # type: ignore[method-assign]
        (event, payload, filters))
    return calls


def create_topic(api: Any, title: str = TITLE, raw: str = RAW, **data: Any) -> dict[str, Any]:
    """POST /posts.json for a new topic; asserts success and returns the post."""
    response = api.post("/posts.json", data={"title": title, "raw": raw, **data})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def errors_of(response: requests.Response) -> list[str]:
    return response.json()["errors"]  # type: ignore[no-any-return]


# --- new topics ------------------------------------------------------------------------------

def test_new_topic_answers_the_first_post_with_raw_and_cooked(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")
    category = add_category(sandbox, "besoins")

    post = create_topic(api, raw=RAW + " @fatima", category=category.id)

    assert post["post_number"] == 1 and post["version"] == 1
    assert post["raw"] == RAW + " @fatima"
    assert post["topic_slug"] == "reseau-deau-potable-pour-le-douar-tafraout"
    assert '<a class="mention" href="/u/fatima">@fatima</a>' in post["cooked"]
    assert post["username"] == "system" and post["user_id"] == -1


def test_title_is_prettified_as_discourse_stores_it(api: Any) -> None:
    post = create_topic(api, title="réseau d'eau potable du douar Tafraout!!!")

    topic = api.get(f"/t/{post['topic_id']}.json").json()

    assert topic["title"] == "Réseau d'eau potable du douar Tafraout!"


def test_json_body_and_form_tags_both_create_tags(api: Any) -> None:
    form = create_topic(api, **{"tags[]": ["eau-potable", "Forage Rural"]})
    body = api.post("/posts.json", json={"title": "Assainissement liquide à Imouzzer",
                                         "raw": RAW, "tags": ["eau-potable"]}).json()

    topic_form = api.get(f"/t/{form['topic_id']}.json").json()
    topic_json = api.get(f"/t/{body['topic_id']}.json").json()
    assert [t["name"] for t in topic_form["tags"]] == ["eau-potable", "forage-rural"]
    assert [t["name"] for t in topic_json["tags"]] == ["eau-potable"]


def test_short_title_is_refused_with_discourse_create_post_body(api: Any) -> None:
    response = api.post("/posts.json", data={"title": "Puits à Tiznit", "raw": RAW})

    assert response.status_code == 422
    assert response.json() == {"action": "create_post",
                               "errors": ["Title is too short (minimum is 15 characters)"]}


def test_low_entropy_title_seems_unclear(api: Any) -> None:
    response = api.post("/posts.json", data={"title": "aaaaaaaaaaaaaaaaaaaa", "raw": RAW})

    assert "Title seems unclear, is it a complete sentence?" in errors_of(response)


def test_short_body_is_refused(api: Any) -> None:
    response = api.post("/posts.json", data={"title": TITLE, "raw": "Trop court."})

    assert response.status_code == 422
    assert errors_of(response) == ["Body is too short (minimum is 20 characters)"]


def test_missing_raw_is_a_missing_parameter(api: Any) -> None:
    response = api.post("/posts.json", data={"title": TITLE})

    assert response.status_code == 400
    assert response.json()["error_type"] == "invalid_parameters"


def test_duplicate_title_is_refused_case_insensitively(api: Any) -> None:
    create_topic(api)

    response = api.post("/posts.json", data={"title": TITLE.upper().replace("D'", "d'"),
                                             "raw": RAW + " Encore."})

    assert response.status_code == 422
    assert errors_of(response) == ["Title has already been used"]


def test_duplicate_title_allowed_when_the_site_setting_says_so(api: Any, sandbox: Sandbox) -> None:
    sandbox.settings.allow_duplicate_topic_titles = True
    first = create_topic(api)

    second = create_topic(api, raw=RAW + " Deuxième.")

    assert second["topic_id"] != first["topic_id"]


@pytest.mark.parametrize(("external_id", "error"), [
    ("besoin 12", "External is invalid"),
    ("x" * 51, "External is too long (maximum is 50 characters)"),
])
def test_external_id_must_be_short_word_characters(api: Any, external_id: str, error: str) -> None:
    response = api.post("/posts.json", data={"title": TITLE, "raw": RAW, "external_id": external_id})

    assert response.status_code == 422
    assert error in errors_of(response)


def test_external_id_is_unique_case_insensitively(api: Any) -> None:
    create_topic(api, external_id="need-12")

    response = api.post("/posts.json", data={"title": "Piste rurale vers le douar Ait Ali",
                                             "raw": RAW, "external_id": "NEED-12"})

    assert errors_of(response) == ["External has already been taken"]


def test_unknown_category_is_an_invalid_parameter(api: Any) -> None:
    response = api.post("/posts.json", data={"title": TITLE, "raw": RAW, "category": 999})

    assert response.status_code == 400
    assert response.json()["error_type"] == "invalid_parameters"


def test_topic_without_category_goes_to_uncategorized(api: Any) -> None:
    post = create_topic(api)

    topic = api.get(f"/t/{post['topic_id']}.json").json()

    assert topic["category_id"] == 1


def test_topic_without_category_is_refused_when_uncategorized_is_not_allowed(
    api: Any, sandbox: Sandbox
) -> None:
    sandbox.apply({"allow_uncategorized_topics": False})

    reply = api.post("/posts.json", data={"title": TITLE, "raw": RAW})

    assert reply.status_code == 422
    assert errors_of(reply) == ["Category can’t be blank"]


def test_posting_in_a_staff_only_category_is_forbidden_to_others(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    category = add_category(sandbox, "staff-notes", permissions={"staff": 1})

    response = api.as_user("ahmed").post("/posts.json", data={"title": TITLE, "raw": RAW,
                                                              "category": category.id})

    assert response.status_code == 403
    assert response.json()["error_type"] == "invalid_access"


def test_too_many_tags_is_refused(api: Any) -> None:
    response = api.post("/posts.json", data={"title": TITLE, "raw": RAW,
                                             "tags[]": ["a1", "b2", "c3", "d4", "e5", "f6"]})

    assert response.status_code == 422
    assert "5 tags" in errors_of(response)[0]


def test_unregistered_topic_custom_fields_are_not_permitted(api: Any) -> None:
    response = api.post("/posts.json", data={"title": TITLE, "raw": RAW,
                                             "topic_custom_fields[need_id]": "12"})

    assert response.status_code == 400
    assert errors_of(response)[0].startswith(
        "The following keys in :topic_custom_fields are not permitted")


def test_created_at_from_the_api_is_kept(api: Any) -> None:
    post = create_topic(api, created_at="2026-10-02T09:00:00Z")

    assert post["created_at"] == "2026-10-02T09:00:00.000Z"


def test_unlisted_topic_is_invisible(api: Any) -> None:
    post = create_topic(api, unlist_topic="true")

    assert api.get(f"/t/{post['topic_id']}.json").json()["visible"] is False


def test_only_staff_may_create_unlisted_topics(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")

    response = api.as_user("ahmed").post("/posts.json", data={"title": TITLE, "raw": RAW,
                                                              "visible": "false"})

    assert response.status_code == 422
    assert errors_of(response) == ["Sorry, you cannot create an unlisted topic."]


def test_private_message_without_recipients_is_refused(api: Any) -> None:
    response = api.post("/posts.json", data={"title": "Mise en relation", "raw": "Bonjour à vous.",
                                             "archetype": "private_message"})

    assert errors_of(response) == ["You must select a valid user."]


def test_anonymous_cannot_post(sandbox: Sandbox) -> None:
    response = requests.post(sandbox.base_url + "/posts.json", data={"title": TITLE, "raw": RAW},
                             timeout=5)

    assert response.status_code == 403
    assert response.json()["error_type"] == "not_logged_in"


# --- memoisation -----------------------------------------------------------------------------

def test_identical_retry_returns_the_same_post(api: Any, sandbox: Sandbox) -> None:
    first = create_topic(api)

    again = api.post("/posts.json", data={"title": TITLE, "raw": RAW})

    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert len(sandbox.state.topics) == 1


def test_retry_after_the_memo_window_is_a_new_request(api: Any, sandbox: Sandbox) -> None:
    create_topic(api)
    sandbox.clock.advance(sandbox.settings.memoize_seconds + 1)

    again = api.post("/posts.json", data={"title": TITLE, "raw": RAW})

    assert errors_of(again) == ["Title has already been used"]


# --- replies and private messages ------------------------------------------------------------

def test_reply_gets_the_next_post_number(api: Any) -> None:
    first = create_topic(api)

    reply = api.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW + " Réponse.",
                                          "reply_to_post_number": 1}).json()

    assert reply["post_number"] == 2 and reply["reply_to_post_number"] == 1


def test_reply_to_unknown_topic_is_refused(api: Any) -> None:
    response = api.post("/posts.json", data={"topic_id": 999, "raw": RAW})

    assert response.status_code == 422
    assert errors_of(response) == [TOPIC_NOT_FOUND]


def test_closed_topic_refuses_replies_except_from_staff(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    first = create_topic(api)
    api.put(f"/t/{first['topic_id']}/status.json", data={"status": "closed", "enabled": "true"})

    refused = api.as_user("ahmed").post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW})
    staff = api.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW + " Staff."})

    assert refused.status_code == 422 and errors_of(refused) == [TOPIC_NOT_FOUND]
    assert staff.status_code == 200


def test_archived_topic_refuses_replies(api: Any) -> None:
    first = create_topic(api)
    api.put(f"/t/{first['topic_id']}/status.json", data={"status": "archived", "enabled": "true"})

    refused = api.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW})

    assert errors_of(refused) == [TOPIC_NOT_FOUND]


def test_private_message_reaches_users_and_group_members(api: Any, sandbox: Sandbox) -> None:
    fatima, ahmed, karim = (add_user(sandbox, n) for n in ("fatima", "ahmed", "karim"))
    add_group(sandbox, "experts", [karim]).messageable_level = 99

    post = create_topic(api, title="Introduction", raw="Bonjour à vous deux.",
                        archetype="private_message", target_recipients="fatima,experts")

    path = f"/t/{post['topic_id']}.json"
    view = api.as_user("fatima").get(path).json()
    assert view["archetype"] == "private_message" and view["category_id"] is None
    assert [u["username"] for u in view["details"]["allowed_users"]] == ["system", "fatima"]
    assert [g["name"] for g in view["details"]["allowed_groups"]] == ["experts"]
    assert api.as_user("karim").get(path).status_code == 200
    assert api.as_user("ahmed").get(path).status_code == 403
    assert fatima and ahmed


def test_private_message_with_target_usernames_has_no_recipient(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")

    response = api.post("/posts.json", data={"title": "Mise en relation", "raw": "Bonjour Fatima, voici.",
                                             "archetype": "private_message", "target_usernames": "fatima"})

    assert errors_of(response) == ["You must select a valid user."]


def test_private_message_to_unknown_user_is_refused(api: Any) -> None:
    response = api.post("/posts.json", data={"title": "Mise en relation", "raw": "Bonjour à vous.",
                                             "archetype": "private_message",
                                             "target_recipients": "nobody"})

    assert response.status_code == 422
    assert errors_of(response) == ["One of the users you are sending this message to could not be found."]


def test_private_message_reply_by_recipient(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "fatima")
    post = create_topic(api, title="Mise en relation", raw="Bonjour Fatima, voici.",
                        archetype="private_message", target_recipients="fatima")

    reply = api.as_user("fatima").post("/posts.json", data={"topic_id": post["topic_id"],
                                                             "raw": "Merci, avec plaisir."})

    assert reply.status_code == 200 and reply.json()["post_number"] == 2


# --- webhook emission ------------------------------------------------------------------------

def test_new_topic_emits_topic_created_and_post_created(api: Any, sandbox: Sandbox) -> None:
    calls = record_emits(sandbox)
    category = add_category(sandbox, "besoins")

    create_topic(api, category=category.id, **{"tags[]": ["eau"]})

    assert [c[0] for c in calls] == ["topic_created", "post_created"]
    topic_payload, post_payload = calls[0][1], calls[1][1]
    assert "post_stream" not in topic_payload and "details" not in topic_payload
    assert topic_payload["created_by"]["username"] == "system"
    assert topic_payload["tags"][0]["name"] == "eau"
    assert post_payload["raw"] == RAW and post_payload["topic_title"] == TITLE
    assert post_payload["category_slug"] == "besoins" and "tags" not in post_payload
    assert calls[0][2] == {"category_id": category.id, "tag_names": ["eau"], "group_ids": []}


def test_reply_emits_post_created_only(api: Any, sandbox: Sandbox) -> None:
    first = create_topic(api)
    calls = record_emits(sandbox)

    api.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW + " Réponse."})

    assert [c[0] for c in calls] == ["post_created"]
    assert calls[0][1]["post_number"] == 2


def test_refused_post_emits_nothing(api: Any, sandbox: Sandbox) -> None:
    calls = record_emits(sandbox)

    api.post("/posts.json", data={"title": "Court", "raw": RAW})

    assert calls == []


# --- one post: read, edit, delete ------------------------------------------------------------

def test_get_post_has_raw(api: Any) -> None:
    post = create_topic(api)

    body = api.get(f"/posts/{post['id']}.json").json()

    assert body["raw"] == RAW and body["cooked"].startswith("<p>")


def test_raw_endpoint_serves_plain_text(api: Any) -> None:
    post = create_topic(api)

    first = api.get(f"/raw/{post['topic_id']}")
    numbered = api.get(f"/raw/{post['topic_id']}/1")

    assert first.text == RAW and numbered.text == RAW
    assert first.headers["Content-Type"].startswith("text/plain")


def test_edit_post_bumps_version_and_emits_post_edited(api: Any, sandbox: Sandbox) -> None:
    post = create_topic(api)
    calls = record_emits(sandbox)

    response = api.put(f"/posts/{post['id']}.json", data={"post[raw]": RAW + " Modifié.",
                                                          "post[edit_reason]": "précision"})

    edited = response.json()["post"]
    assert edited["version"] == 2 and edited["raw"].endswith("Modifié.")
    assert edited["edit_reason"] == "précision"
    assert [c[0] for c in calls] == ["post_edited"]


def test_first_post_edit_with_a_title_emits_topic_edited_only(api: Any, sandbox: Sandbox) -> None:
    post = create_topic(api)
    sandbox.clock.advance(301)  # past editing_grace_period: the edit makes a version
    calls = record_emits(sandbox)

    response = api.put(f"/posts/{post['id']}.json", data={"post[raw]": RAW + " Modifié.",
                                                          "title": "Forage profond à Tafraout enfin"})

    assert response.json()["post"]["version"] == 2
    assert [c[0] for c in calls] == ["topic_edited"]
    assert calls[0][1]["title"] == "Forage profond à Tafraout enfin"


def test_edit_with_a_short_body_is_refused_and_changes_nothing(api: Any) -> None:
    post = create_topic(api)

    response = api.put(f"/posts/{post['id']}.json", data={"post[raw]": "Court.",
                                                          "title": "Forage profond à Tafraout enfin"})

    assert response.status_code == 422
    assert response.json()["errors"] == ["Body is too short (minimum is 20 characters)"]
    assert api.get(f"/t/{post['topic_id']}.json").json()["title"] == TITLE


def test_edit_with_stale_original_text_conflicts(api: Any) -> None:
    post = create_topic(api)

    response = api.put(f"/posts/{post['id']}.json", data={"post[raw]": RAW + " Modifié.",
                                                          "post[original_text]": "autre chose"})

    assert response.status_code == 409


def test_edit_of_someone_elses_post_is_forbidden(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    post = create_topic(api)

    response = api.as_user("ahmed").put(f"/posts/{post['id']}.json",
                                        data={"post[raw]": RAW + " Piratage."})

    assert response.status_code == 403


def test_delete_reply_emits_post_destroyed_with_its_content(api: Any, sandbox: Sandbox) -> None:
    first = create_topic(api)
    reply = api.post("/posts.json", data={"topic_id": first["topic_id"], "raw": RAW + " R."}).json()
    calls = record_emits(sandbox)

    response = api.delete(f"/posts/{reply['id']}.json")

    assert response.status_code == 200
    assert [c[0] for c in calls] == ["post_destroyed"]
    assert calls[0][1]["raw"] == RAW + " R." and calls[0][1]["deleted_at"] is None
    assert api.get(f"/posts/{reply['id']}.json").status_code == 200  # staff still sees it
    assert api.as_user("system").get(f"/t/{first['topic_id']}.json").json()["posts_count"] == 1


def test_pydiscourse_creates_reads_and_updates_posts(discourse_client: Any) -> None:
    created = discourse_client.create_post(RAW, title=TITLE, tags=["eau"])

    fetched = discourse_client.post_by_id(created["id"])
    updated = discourse_client.update_post(created["id"], RAW + " Mis à jour.", "relecture")

    assert fetched["raw"] == RAW
    assert updated["post"]["version"] == 2
