"""The sandbox does what the brokerage relies on as Discourse does: PMs to people and groups, the
webhooks they fire, post authors' staff flags, raw on request, tag edits and closing by staff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from discourse_sandbox import Sandbox
from discourse_sandbox.seed.users import seed_users
from tests.conftest import SandboxClient
from tests.sandbox.integration.test_sandbox_webhooks import Receiver, add_hook
from tests.service.integration.test_gateway_threads import forum, reply, review_topic, topic_titled

INTRO = {"title": "Mise en relation : eau potable à Anzi", "archetype": "private_message",
         "target_recipients": "fatima,animateurs",
         "raw": "Bonjour Fatima, la commune d'Anzi cherche un appui sur l'eau potable."}
EVENTS = ["topic_created", "post_created", "topic_edited", "post_edited"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Sandbox]:
    """Nadia (admin), Rkia (commune), Fatima (expert) and Omar in the animateurs group, one review topic."""
    omar = {"username": "omar", "name": "Omar", "email": "omar@example.org", "trust_level": 2,
            "groups": ["animateurs"]}
    sandbox = forum(tmp_path, topics=[review_topic("Revue : eau potable à Anzi", [reply(2)])])
    seed_users(sandbox, [omar])
    yield sandbox
    sandbox.stop()


def api(sandbox: Sandbox, username: str = "system") -> SandboxClient:
    return SandboxClient(sandbox.base_url).as_user(username)


def received(sandbox: Sandbox, receiver: Receiver) -> list[tuple[str, dict[str, Any]]]:
    assert sandbox.emitter.flush(5)
    return [(r.headers["X-Discourse-Event"], r.json()) for r in receiver.requests]


def test_pm_to_a_person_and_a_group_is_seen_by_the_groups_members_only(site: Sandbox) -> None:
    created = api(site, "nadia").post("/posts.json", json=INTRO)
    topic_id = created.json()["topic_id"]

    view = api(site, "omar").get(f"/t/{topic_id}.json")

    assert created.status_code == 200 and view.status_code == 200  # omar is not named: his group is
    assert [g["name"] for g in view.json()["details"]["allowed_groups"]] == ["animateurs"]
    assert [u["username"] for u in view.json()["details"]["allowed_users"]] == ["nadia", "fatima"]
    assert api(site, "fatima").get(f"/t/{topic_id}.json").status_code == 200
    assert api(site, "rkia").get(f"/t/{topic_id}.json").status_code == 403


def test_pm_and_its_replies_fire_topic_and_post_webhooks(site: Sandbox) -> None:
    receiver = Receiver()
    try:
        add_hook(site, receiver.url, events=EVENTS)
        topic_id = api(site, "nadia").post("/posts.json", json=INTRO).json()["topic_id"]
        api(site, "fatima").post("/posts.json", json={
            "topic_id": topic_id, "raw": "Avec plaisir, je suis disponible dès la semaine prochaine."})

        events = received(site, receiver)

        # Discourse sends each event from its own job: no order is promised
        assert sorted(name for name, _ in events) == ["post_created", "post_created", "topic_created"]
        topic = next(body["topic"] for name, body in events if name == "topic_created")
        posts = sorted((body["post"] for name, body in events if name == "post_created"),
                       key=lambda p: p["post_number"])
        assert topic["archetype"] == "private_message"
        assert [(p["topic_id"], p["post_number"], p["topic_archetype"]) for p in posts] == [
            (topic_id, 1, "private_message"), (topic_id, 2, "private_message")]
    finally:
        receiver.close()


def test_post_json_carries_author_and_staff_flags(site: Sandbox) -> None:
    receiver = Receiver()
    try:
        add_hook(site, receiver.url, events=EVENTS)
        topic_id = topic_titled(site, "Revue : eau potable à Anzi")
        posted = api(site, "nadia").post("/posts.json", json={
            "topic_id": topic_id, "raw": "Je retiens Fatima pour ce besoin, merci à tous."}).json()

        hook = received(site, receiver)[0][1]["post"]
        fetched = api(site).get(f"/posts/{posted['id']}.json").json()

        for post in (posted, hook, fetched):
            assert {k: post[k] for k in ("username", "post_number", "staff", "admin", "moderator")} == {
                "username": "nadia", "post_number": 3, "staff": True, "admin": True, "moderator": True}
            assert isinstance(post["user_id"], int)
        expert = api(site).get(f"/t/{topic_id}.json").json()["post_stream"]["posts"][1]
        assert (expert["username"], expert["staff"], expert["admin"], expert["moderator"]) == (
            "fatima", False, False, False)
    finally:
        receiver.close()


def test_raw_is_in_the_topic_view_and_posts_pages_only_with_include_raw(site: Sandbox) -> None:
    topic_id = topic_titled(site, "Revue : eau potable à Anzi")
    client = api(site)

    plain = client.get(f"/t/{topic_id}.json").json()["post_stream"]["posts"]
    view = client.get(f"/t/{topic_id}.json", params={"include_raw": "true"}).json()
    page = client.get(f"/t/{topic_id}/posts.json",
                      params={"post_ids[]": view["post_stream"]["stream"][1:], "include_raw": "1"}).json()

    assert all("raw" not in p for p in plain)
    assert [p["raw"] for p in view["post_stream"]["posts"]][1] == reply(2)["raw"]
    assert [p["raw"] for p in page["post_stream"]["posts"]] == [reply(2)["raw"]]


def test_staff_changes_tags_with_put_and_that_fires_topic_edited_only(site: Sandbox) -> None:
    receiver = Receiver()
    try:
        add_hook(site, receiver.url, events=EVENTS)
        topic_id = topic_titled(site, "Revue : eau potable à Anzi")

        answer = api(site, "nadia").put(f"/t/-/{topic_id}.json", data={"tags[]": ["besoin", "retenu"]})

        events = received(site, receiver)
        assert answer.status_code == 200
        assert [name for name, _ in events] == ["topic_edited"]
        tags = events[0][1]["topic"]["tags"]
        assert sorted(t["name"] if isinstance(t, dict) else t for t in tags) == ["besoin", "retenu"]
        assert api(site, "rkia").put(f"/t/-/{topic_id}.json", data={"tags[]": ["x"]}).status_code == 403
    finally:
        receiver.close()


def test_closing_fires_the_small_action_post_and_topic_closed_status_updated(site: Sandbox) -> None:
    receiver = Receiver()
    try:
        add_hook(site, receiver.url, events=EVENTS)
        topic_id = topic_titled(site, "Revue : eau potable à Anzi")

        answer = api(site, "nadia").put(f"/t/{topic_id}/status.json",
                                        data={"status": "closed", "enabled": "true"})

        events = received(site, receiver)
        assert answer.status_code == 200
        by_name = dict(events)
        assert sorted(by_name) == ["post_created", "topic_closed_status_updated"] and len(events) == 2
        assert by_name["post_created"]["post"]["post_type"] == 3
        assert by_name["topic_closed_status_updated"]["topic"]["closed"] is True
    finally:
        receiver.close()
