"""The follow-up proof against the sandbox: a need served, then, once the clock has moved past
`lifecycle.followup_days`, a message each to its author and its expert; both answer and agree; the
community manager publishes the "retour d'expérience" with `codev testimony publish`, twice (the second
time refused); the topic is in the practices category once and `codev report` counts it. A worker dies
right after the forum took the first follow-up message, and again right after it read an answer
(before its commit): nothing is posted twice. Time is injected (StoryClock), never waited for.

The two messages share a title, as Discourse allows for messages (app/models/topic.rb: a title is
unique among topics `unless ... t.private_message?`); the published topic's title names the need's id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sync_service.domain.followup import experience_key, followup_key
from sync_service.entrypoints.cli import cli
from sync_service.services.worker import Worker
from tests.conftest import ADMIN_API_KEY
from tests.service.e2e.brokerage_harness import MANAGER, OFFICIAL, Killed, World
from tests.service.e2e.test_brokerage_story import KARIMA, WATER, _experts, _pm_of, _review_topic

FOLLOWUP_DAYS = 30


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    built = World(tmp_path, database_url)
    built.start()
    try:
        yield built
    finally:
        built.close()


def _codev(world: World, *args: str) -> Any:
    """`codev ...` as the community manager runs it, on the story's database and forum."""
    env = {"CODEV_DATABASE_URL": world.database_url, "CODEV_DISCOURSE_URL": world.sandbox.base_url,
           "CODEV_DISCOURSE_API_KEY": ADMIN_API_KEY, "CODEV_DISCOURSE_API_USERNAME": "system"}
    return CliRunner().invoke(cli, list(args), env=env)


def _arm(world: World, kills: dict[str, int]) -> None:
    """The next worker dies right after the forum took the first follow-up message, and right after it
    first read a person's reply in a follow-up message (before the commit)."""
    real_send, real_thread = world.loop.writer.send, world.loop.forum.thread

    def send(kind: str, payload: object, key: str) -> object:
        posted = real_send(kind, payload, key)
        if key.startswith("followup:") and kind == "private_message" and not kills["message"]:
            kills["message"] += 1
            raise Killed
        return posted

    def thread(topic_id: int, after_post_number: int) -> object:
        snapshot = real_thread(topic_id, after_post_number)
        mine = world.held.uow  # the topic is a follow-up message once codev knows it sent one there
        with mine() as uow:
            asked = uow.followups.by_pm_topic(topic_id) is not None
        if asked and snapshot is not None and snapshot.posts and not kills["answer read"]:
            kills["answer read"] += 1
            raise Killed
        return snapshot

    world.loop.writer.send = send
    world.loop.forum.thread = thread


def test_a_served_need_is_followed_up_and_its_experience_published_once(world: World) -> None:
    kills = {"message": 0, "answer read": 0}
    original = world.start_worker

    def started(name: str = "w1") -> Worker:
        worker = original(name)
        _arm(world, kills)
        return worker

    world.start_worker = started  # type: ignore[method-assign]  # arms every restarted worker
    world.start_worker()
    _experts(world)
    world.settle()
    water = world.post_need("Raccordement de trois douars au réseau d'eau potable", *WATER)
    world.settle()
    review = _review_topic(world, water)
    world.reply(MANAGER, review, f"approuver {KARIMA}, merci pour la suggestion")
    world.settle()
    world.reply(KARIMA, _pm_of(world, water, KARIMA), "J'accepte cette mise en relation")
    world.settle()
    world.reply(MANAGER, review, "servi : le besoin a trouvé son expert")
    world.settle()
    assert world.held.need_status(water) == "served"
    official, karima = world.forum.user_id(OFFICIAL), world.forum.user_id(KARIMA)
    keys = {OFFICIAL: followup_key(water, official), KARIMA: followup_key(water, karima)}

    world.clock.advance(days=FOLLOWUP_DAYS - 1)
    world.settle()
    assert world.forum.marker_counts()[keys[OFFICIAL]] == 0  # not yet

    world.clock.advance(days=1, hours=1)
    world.settle()
    counts = world.forum.marker_counts()
    assert counts[keys[OFFICIAL]] == counts[keys[KARIMA]] == 1
    with world.held.uow() as uow:
        asked = {f.username: f for f in uow.followups.of_need(water)}
    assert set(asked) == {OFFICIAL, KARIMA}
    messages = {name: f.pm_topic_id for name, f in asked.items()}
    assert all(messages.values())
    users, groups = world.forum.recipients(messages[KARIMA])  # type: ignore[arg-type]
    assert KARIMA in users and OFFICIAL not in users and groups == {"animateurs"}

    world.reply(OFFICIAL, messages[OFFICIAL], "J'accepte la publication de mon témoignage\n"  # type: ignore[arg-type]
                "1. Trois douars raccordés au réseau.\n2. L'eau au robinet pour 140 familles.\n3. Oui.")
    world.reply(KARIMA, messages[KARIMA], "1. L'étude hydraulique et le suivi du chantier.\n"  # type: ignore[arg-type]
                "2. Une commune qui sait piloter un chantier.\n3. Oui, sans hésiter.")
    world.settle()
    world.reply(KARIMA, messages[KARIMA], "J'accepte la publication de mon témoignage")  # type: ignore[arg-type]
    world.settle()

    refused = _codev(world, "testimony", "publish", str(water + 1000))
    listed = _codev(world, "testimony", "list")
    drafted = _codev(world, "testimony", "draft", str(water))
    published = _codev(world, "testimony", "publish", str(water))
    again = _codev(world, "testimony", "publish", str(water))
    world.settle()
    report = json.loads(_codev(world, "report").output)

    assert refused.exit_code == 1 and "n'a pas de retour d'expérience demandé" in refused.output
    assert listed.exit_code == 0 and "publiable" in listed.output, listed.output
    assert drafted.exit_code == 0 and "Trois douars raccordés au réseau" in drafted.output
    assert published.exit_code == 0, published.output
    assert again.exit_code == 1 and "rien n'est publié deux fois" in again.output
    practices = world.forum.topics_in("pratiques")
    assert len(practices) == 1
    first = world.forum.posts(practices[0])[0]
    assert "L\\'étude hydraulique et le suivi du chantier" in first[2] and first[1] == "system"
    counts = world.forum.marker_counts()
    print(f"\n[follow-up story] kills {kills}; {world.restarts} restarts; {sum(counts.values())} codev "
          f"posts for {len(counts)} intent keys; outbox {dict(world.held.outbox())}; "
          f"report {report['experiences']}")
    assert all(kills.values()), kills
    assert counts and max(counts.values()) == 1, {k: n for k, n in counts.items() if n > 1}
    assert counts[experience_key(water)] == 1
    assert counts[keys[OFFICIAL] + ":thanks"] == counts[keys[KARIMA] + ":publish"] == 1
    assert report["experiences"] == {"received": 2, "published": 1}
    assert world.held.outbox().keys() <= {"sent"}
