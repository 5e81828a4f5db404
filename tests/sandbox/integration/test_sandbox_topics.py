"""The sandbox's topic routes: view, posts, external id, update, tags, status, delete, seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from discourse_sandbox import Sandbox, SandboxSettings
from tests.conftest import SandboxClient, start_sandbox
from tests.sandbox.integration.test_sandbox_posts import (
    RAW,
    TITLE,
    add_category,
    add_user,
    create_topic,
    record_emits,
)


def test_topic_view_by_id_and_by_slug(api: Any) -> None:
    post = create_topic(api)
    tid = post["topic_id"]

    by_id = api.get(f"/t/{tid}.json").json()
    by_slug = api.get(f"/t/{post['topic_slug']}/{tid}.json").json()

    assert by_id == by_slug
    assert by_id["title"] == TITLE and by_id["posts_count"] == 1
    assert by_id["post_stream"]["stream"] == [post["id"]]
    assert "raw" not in by_id["post_stream"]["posts"][0]
    assert by_id["details"]["created_by"]["username"] == "system"


def test_topic_view_serves_tags_as_strings_on_older_versions(api: Any, sandbox: Sandbox) -> None:
    sandbox.settings.tags_format = "strings"
    post = create_topic(api, **{"tags[]": ["eau"]})

    assert api.get(f"/t/{post['topic_id']}.json").json()["tags"] == ["eau"]


def test_topic_posts_by_post_ids(api: Any) -> None:
    post = create_topic(api)
    reply = api.post("/posts.json", data={"topic_id": post["topic_id"], "raw": RAW + " R."}).json()

    body = api.get(f"/t/{post['topic_id']}/posts.json", params={"post_ids[]": [reply["id"]]}).json()

    assert [p["id"] for p in body["post_stream"]["posts"]] == [reply["id"]]


def test_external_id_redirects_to_the_topic_json(api: Any) -> None:
    post = create_topic(api, external_id="need-42")

    response = api.get("/t/external_id/need-42.json")

    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/t/{post['topic_slug']}/{post['topic_id']}.json")
    assert api.get("/t/external_id/nope.json").status_code == 404


def test_unknown_and_deleted_topics_are_not_found(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    post = create_topic(api)
    api.delete(f"/t/{post['topic_id']}.json")

    assert api.get("/t/999.json").status_code == 404
    assert api.as_user("ahmed").get(f"/t/{post['topic_id']}.json").status_code == 404


def test_topic_in_hidden_category_is_forbidden(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    category = add_category(sandbox, "staff-notes", permissions={"staff": 1})
    post = create_topic(api, category=category.id)

    response = api.as_user("ahmed").get(f"/t/{post['topic_id']}.json")

    assert response.status_code == 403


def test_update_topic_accepts_nested_and_top_level_keys(api: Any, sandbox: Sandbox) -> None:
    category = add_category(sandbox, "projets")
    post = create_topic(api)
    tid = post["topic_id"]

    nested = api.put(f"/t/-/{tid}.json", data={"topic[title]": "Forage profond à Tafraout enfin",
                                               "topic[category_id]": category.id})
    top = api.put(f"/t/{post['topic_slug']}/{tid}.json", data={"title": "Forage profond du douar"})

    assert nested.json()["basic_topic"]["title"] == "Forage profond à Tafraout enfin"
    assert top.json()["basic_topic"]["slug"] == "forage-profond-du-douar"
    assert api.get(f"/t/{tid}.json").json()["category_id"] == category.id


def test_title_change_emits_topic_edited_only(api: Any, sandbox: Sandbox) -> None:
    post = create_topic(api)
    calls = record_emits(sandbox)

    api.put(f"/t/-/{post['topic_id']}.json", data={"title": "Forage profond à Tafraout enfin",
                                                   "tags[]": ["forage"]})

    assert [c[0] for c in calls] == ["topic_edited"]
    assert calls[0][1]["title"] == "Forage profond à Tafraout enfin"
    assert calls[0][2]["tag_names"] == ["forage"]


def test_update_title_to_a_taken_one_is_refused(api: Any) -> None:
    create_topic(api)
    other = create_topic(api, title="Piste rurale vers le douar Ait Ali")

    response = api.put(f"/t/-/{other['topic_id']}.json", data={"title": TITLE})

    assert response.status_code == 422
    assert response.json()["errors"] == ["Title has already been used"]


def test_put_tags_replaces_the_tags(api: Any) -> None:
    post = create_topic(api, **{"tags[]": ["eau"]})

    response = api.put(f"/t/{post['topic_id']}/tags.json", data={"tags[]": ["forage", "sig"]})

    assert response.status_code == 200
    tags = api.get(f"/t/{post['topic_id']}.json").json()["tags"]
    assert sorted(t["name"] for t in tags) == ["forage", "sig"]


def test_closing_adds_a_small_action_post_and_emits_the_status_event(api: Any, sandbox: Sandbox) -> None:
    post = create_topic(api)
    calls = record_emits(sandbox)

    response = api.put(f"/t/{post['topic_id']}/status.json",
                       data={"status": "closed", "enabled": "true"})

    assert response.json() == {"success": "OK", "topic_status_update": None}
    view = api.get(f"/t/{post['topic_id']}.json").json()
    assert view["closed"] is True and view["highest_post_number"] == 2
    small = view["post_stream"]["posts"][1]
    assert (small["post_type"], small["action_code"], small["cooked"]) == (3, "closed.enabled", "")
    assert [c[0] for c in calls] == ["post_created", "topic_closed_status_updated"]
    assert calls[0][1]["post_number"] == 2 and calls[1][1]["closed"] is True


def test_status_enabled_only_when_the_string_true(api: Any) -> None:
    post = create_topic(api)
    path = f"/t/{post['topic_id']}/status.json"

    api.put(path, json={"status": "closed", "enabled": True})
    opened = api.get(f"/t/{post['topic_id']}.json").json()["closed"]
    missing = api.put(path, json={"status": "closed", "enabled": False})
    bad = api.put(path, data={"status": "shut", "enabled": "true"})

    assert opened is False
    assert missing.status_code == 400
    assert bad.json()["errors"] == ["You supplied invalid parameters to the request: status"]


def test_status_change_by_non_staff_is_forbidden(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    post = create_topic(api)

    response = api.as_user("ahmed").put(f"/t/{post['topic_id']}/status.json",
                                        data={"status": "closed", "enabled": "true"})

    assert response.status_code == 403


def test_delete_topic_emits_destroy_events_with_payloads_before_deletion(
    api: Any, sandbox: Sandbox
) -> None:
    post = create_topic(api)
    calls = record_emits(sandbox)

    response = api.delete(f"/t/{post['topic_id']}.json")

    assert response.status_code == 200
    assert sorted(c[0] for c in calls) == ["post_destroyed", "topic_destroyed"]
    topic_payload = next(c[1] for c in calls if c[0] == "topic_destroyed")
    assert topic_payload["deleted_at"] is None and topic_payload["title"] == TITLE


def test_pydiscourse_reads_closes_and_deletes_topics(discourse_client: Any) -> None:
    created = discourse_client.create_post(RAW, title=TITLE)
    slug, tid = created["topic_slug"], created["topic_id"]

    topic = discourse_client.topic(slug, tid)
    discourse_client.update_topic_status(tid, "closed", "true")
    closed = discourse_client.topic(slug, tid)
    discourse_client.delete_topic(tid)

    assert topic["title"] == TITLE and closed["closed"] is True


def test_seed_renders_forms_replies_and_private_messages(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text(SEED, encoding="utf-8")
    sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0), str(seed))
    try:
        api = SandboxClient(sandbox.base_url)
        # each seeded category has its "About the ... category" topic first
        ids = [t.id for t in sandbox.state.topics.values() if not t.title.startswith("About the ")]
        need = api.get(f"/t/{ids[0]}.json").json()
        raw = api.get(f"/raw/{ids[0]}").text
        message = api.as_user("fatima").get(f"/t/{ids[1]}.json")
    finally:
        sandbox.stop()

    assert raw.startswith("### Secteur\nEau potable")
    assert need["created_at"] == "2026-10-02T09:00:00.000Z" and need["posts_count"] == 2
    assert need["closed"] is True
    assert message.status_code == 200 and message.json()["archetype"] == "private_message"


def test_seed_names_the_entry_and_key_of_a_bad_topic(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text("topics:\n  - {title: Adduction d'eau potable, category: nope, raw: x}\n",
                    encoding="utf-8")

    with pytest.raises(ValueError, match=r"topics\[0\]: key 'category'"):
        start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0), str(seed))


SEED = """
users:
  - {username: ahmed, name: Ahmed, email: ahmed@example.org}
  - {username: fatima, name: Fatima, email: fatima@example.org}
form_templates:
  - name: Besoin
    template: |
      - type: dropdown
        id: sector
        attributes: {label: Secteur}
        choices: [Eau potable, Assainissement]
      - type: textarea
        id: description
        attributes: {label: Description}
categories:
  - {name: Besoins des communes, slug: besoins, form_templates: [Besoin]}
topics:
  - title: "Adduction d'eau potable du douar Tafraout"
    category: besoins
    user: ahmed
    created_at: "2026-10-02T09:00:00Z"
    closed: true
    form: {sector: Eau potable, description: "Le douar manque d'eau en été depuis 2024."}
    replies: [{user: fatima, raw: "Je peux aider sur le dimensionnement du réseau."}]
  - title: "Mise en relation"
    user: ahmed
    archetype: private_message
    recipients: [fatima]
    raw: "Bonjour Fatima, voici la commune de Tafraout."
"""
