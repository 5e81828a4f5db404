"""DiscourseGateway as the brokerage's ThreadReader, against the sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from discourse_sandbox import Sandbox, SandboxSettings
from sync_service.services.ports.forum import ThreadReader
from tests.conftest import SandboxClient
from tests.service.integration.test_gateway import gateway_for, need_topic, started

PEOPLE = [
    {"username": "nadia", "name": "Nadia", "email": "nadia@example.org", "admin": True,
     "moderator": True, "trust_level": 4, "groups": ["animateurs"]},
    {"username": "rkia", "name": "Rkia", "email": "rkia@example.org", "trust_level": 1,
     "groups": ["commune-anzi"]},
    {"username": "fatima", "name": "Fatima", "email": "fatima@example.org", "trust_level": 2,
     "groups": ["experts"]},
]
GROUPS = [{"name": "experts"}, {"name": "commune-anzi"}, {"name": "animateurs", "messageable_level": 99}]


def reply(number: int, user: str = "fatima") -> dict[str, Any]:
    return {"user": user, "raw": f"Réponse numéro {number} : **disponible** pour en parler."}


def review_topic(title: str, replies: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"title": title, "category": "pratiques", "user": "nadia", "tags": ["besoin"],
            "raw": "Revue des experts proposés pour le besoin d'Anzi, à valider.", "replies": replies,
            **extra}


def forum(tmp_path: Path, tags_format: str = "objects", **sections: Any) -> Sandbox:
    settings = SandboxSettings(max_admin_api_reqs_per_minute=0, tags_format=tags_format)  # type: ignore[arg-type]
    return started(tmp_path, settings, users=PEOPLE, groups=GROUPS, **sections)


def topic_titled(sandbox: Sandbox, title: str) -> int:
    with sandbox.state.transaction() as state:
        return next(t.id for t in state.topics.values() if t.title == title)


@pytest.mark.parametrize("tags_format", ["objects", "strings"])
def test_thread_gives_state_tags_and_new_posts_with_raw(tmp_path: Path, tags_format: str) -> None:
    command = {"user": "nadia", "raw": "/retenir fatima pour ce besoin"}
    sandbox = forum(tmp_path, tags_format, topics=[review_topic("Revue : eau potable à Anzi",
                                                                [reply(2), command])])
    try:
        gateway: ThreadReader = gateway_for(sandbox)  # the port, as the brokerage holds it
        topic_id = topic_titled(sandbox, "Revue : eau potable à Anzi")

        snapshot = gateway.thread(topic_id, 1)

        assert snapshot is not None and snapshot.topic_id == topic_id
        assert snapshot.closed is False and snapshot.tags == ("besoin",)
        assert [(p.post_number, p.username, p.staff) for p in snapshot.posts] == [
            (2, "fatima", False), (3, "nadia", True)]
        assert snapshot.posts[0].raw == reply(2)["raw"]  # Markdown, not cooked HTML
        assert snapshot.posts[1].raw == "/retenir fatima pour ce besoin"
        assert all(isinstance(p.user_id, int) for p in snapshot.posts)
    finally:
        sandbox.stop()


def test_long_thread_reads_only_the_tail_in_few_requests(tmp_path: Path) -> None:
    replies = [reply(n, "fatima" if n % 2 else "rkia") for n in range(2, 62)]
    sandbox = forum(tmp_path, topics=[review_topic("Revue : assainissement du centre", replies)])
    try:
        gateway = gateway_for(sandbox)
        topic_id = topic_titled(sandbox, "Revue : assainissement du centre")
        gateway.thread(topic_id, 0)  # the key is proved once (user fields), as every first read does
        before = gateway.transport.requests_made

        tail = gateway.thread(topic_id, 55)
        tail_requests = gateway.transport.requests_made - before
        whole = gateway.thread(topic_id, 0)

        assert tail is not None and [p.post_number for p in tail.posts] == list(range(56, 62))
        assert tail_requests == 2  # the topic view, then one page of post ids from the end
        assert whole is not None and [p.post_number for p in whole.posts] == list(range(1, 62))
        assert whole.posts[40].raw == reply(41)["raw"]
    finally:
        sandbox.stop()


def test_closing_shows_closed_and_leaves_out_the_small_action(tmp_path: Path) -> None:
    sandbox = forum(tmp_path, topics=[review_topic("Revue : formation des techniciens", [reply(2)])])
    try:
        topic_id = topic_titled(sandbox, "Revue : formation des techniciens")
        answer = SandboxClient(sandbox.base_url).put(f"/t/{topic_id}/status.json",
                                                      json={"status": "closed", "enabled": "true"})
        assert answer.status_code == 200

        snapshot = gateway_for(sandbox).thread(topic_id, 1)

        assert snapshot is not None and snapshot.closed is True
        assert [p.post_number for p in snapshot.posts] == [2]  # post 3 is "closed.enabled"
    finally:
        sandbox.stop()


def test_private_message_to_a_person_and_a_group_is_read(tmp_path: Path) -> None:
    sandbox = forum(tmp_path)
    try:
        api = SandboxClient(sandbox.base_url)
        created = api.as_user("nadia").post("/posts.json", json={
            "title": "Mise en relation : eau potable à Anzi", "archetype": "private_message",
            "target_recipients": "fatima,animateurs",
            "raw": "Bonjour Fatima, la commune d'Anzi cherche un appui sur l'eau potable."}).json()
        topic_id = created["topic_id"]
        api.as_user("fatima").post("/posts.json", json={
            "topic_id": topic_id, "raw": "Avec plaisir, je suis disponible dès la semaine prochaine."})

        snapshot = gateway_for(sandbox).thread(topic_id, 1)

        assert snapshot is not None and snapshot.tags == ()
        assert [(p.post_number, p.username, p.staff) for p in snapshot.posts] == [(2, "fatima", False)]
    finally:
        sandbox.stop()


def test_missing_or_deleted_topic_is_none(tmp_path: Path) -> None:
    sandbox = forum(tmp_path, topics=[review_topic("Revue : pistes rurales", [reply(2)])])
    try:
        gateway = gateway_for(sandbox)
        topic_id = topic_titled(sandbox, "Revue : pistes rurales")
        assert SandboxClient(sandbox.base_url).delete(f"/t/{topic_id}.json").status_code == 200

        assert gateway.thread(topic_id, 0) is None
        assert gateway.thread(999_999, 0) is None
    finally:
        sandbox.stop()


def test_groups_of_reads_the_groups_now(tmp_path: Path) -> None:
    sandbox = forum(tmp_path, topics=[need_topic("Eau potable pour six douars de montagne")])
    try:
        gateway = gateway_for(sandbox)

        groups = gateway.groups_of("fatima")

        assert groups is not None and "experts" in groups and "commune-anzi" not in groups
        assert gateway.groups_of("nobody.here") is None
        assert gateway.groups_of("../admin") is None
    finally:
        sandbox.stop()
