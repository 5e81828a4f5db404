"""A recruitment campaign end to end against the sandbox: a need nobody can serve, the call for experts
drafted, edited and published, a campaign launched (its invite made through the outbox), two people
joining through the invite link, one of them accepting an introduction later; the worker is killed
right after the forum accepted the invite and right after it accepted the call, and nothing is made
twice. `codev report` counts the campaign: 2 joined, 1 accepted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sync_service.domain.brokerage import ACCEPTED
from sync_service.entrypoints.cli import cli
from sync_service.services import calls, campaigns
from sync_service.services.worker import Worker
from tests.conftest import SandboxClient
from tests.service.e2e.brokerage_harness import MANAGER, Killed, World
from tests.service.e2e.test_brokerage_story import WATER

AMINA, OMAR = "amina.tazi", "omar.haddou"
CAMPAIGN = "Hiver 2026 : eau potable"


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    # Discourse's memoisation of identical posts is off: codev alone must prevent duplicates
    built = World(tmp_path, database_url, memoize_seconds=0.0)
    built.start()
    try:
        yield built
    finally:
        built.close()


def _arm_kills(world: World, kills: dict[str, int]) -> None:
    """Every worker started dies right after the forum accepted its first invite, and its first call."""
    original = world.start_worker

    def started(name: str = "w1") -> Worker:
        worker = original(name)
        real_send = world.loop.writer.send

        def send(kind: str, payload: Any, key: str) -> Any:
            posted = real_send(kind, payload, key)
            which = "invite" if kind == "create_invite" else "call" if key.startswith("call:") else None
            if which is not None and not kills[which]:
                kills[which] += 1
                raise Killed
            return posted

        world.loop.writer.send = send
        return worker

    world.start_worker = started  # type: ignore[method-assign]


def _join(world: World, key: str, username: str) -> None:
    """Someone follows the campaign's link, signs up, confirms their address, fills in their profile."""
    anonymous = SandboxClient(world.sandbox.base_url, api_key=None)
    answer = anonymous.put(f"/invites/show/{key}.json", json={
        "username": username, "email": f"{username}@example.org", "password": "a-long-password-1"})
    assert answer.status_code == 200, answer.text
    world.api.put(f"/admin/users/{world.forum.user_id(username)}/activate.json")
    world.fill_profile(username, ["Hydraulique", "Alimentation en eau potable rurale"], ["Eau potable"])


def test_a_campaign_from_launch_to_two_joined_and_one_accepted_through_a_killed_worker(world: World) -> None:
    kills = {"invite": 0, "call": 0}
    _arm_kills(world, kills)
    world.start_worker()
    water = world.post_need("Raccordement de trois douars au réseau d'eau potable", *WATER)
    world.settle()
    codev = world.codev
    assert codev is not None
    rules = codev.campaign_rules()

    # the manager prepares the call from the gaps, edits it and publishes it; then launches the campaign
    draft = calls.prepare(codev.uow, codev.config.translator, "fr")
    assert any(gap["communes"] == ["Anzi"] for gap in draft["gaps"]), draft["gaps"]
    edited = draft["text"] + "\nMerci de faire circuler cet appel autour de vous.\n"
    category = codev.gateway.category_id("pratiques")
    assert category is not None
    published = calls.publish(codev.uow, edited, category, MANAGER, world.clock())
    launched = campaigns.launch(codev.uow, rules, CAMPAIGN, world.clock(), days=30, max_uses=10,
                                actor=MANAGER)
    # asked twice (a double click): nothing more
    assert not calls.publish(codev.uow, edited, category, MANAGER, world.clock())["created"]
    assert not campaigns.launch(codev.uow, rules, CAMPAIGN, world.clock(), days=30, max_uses=10)["created"]
    world.settle()
    assert kills == {"invite": 1, "call": 1} and world.restarts == 2

    campaigns.refresh(world.codev.uow, world.codev.invites, rules, world.clock())
    [row] = campaigns.summaries(world.codev.uow, rules.pepper)
    assert row["key"] == launched["key"] and row["link"], row
    invite_key = row["link"].rsplit("/", 1)[1]

    # two people join through the link; the worker's next sweep learns it from the inviter's redemptions
    _join(world, invite_key, AMINA)
    _join(world, invite_key, OMAR)
    world.settle()
    assert {AMINA, OMAR} <= set(world.held.experts())
    world.clock.advance(minutes=2)  # the sweep is due (worker.reconcile_interval_minutes, here 1)
    world.settle()
    assert [r["joined"] for r in campaigns.summaries(world.codev.uow, rules.pepper)] == [2]

    # later, Amina is approved for the water need and accepts
    review = world.held.review(water)
    assert review is not None and review.topic_id is not None
    world.reply(MANAGER, review.topic_id, f"approuver {AMINA}, merci pour la suggestion")
    world.settle()
    pm = world.held.introductions(water)[AMINA].pm_topic_id
    assert pm is not None
    world.reply(AMINA, pm, "J'accepte, avec plaisir : je peux commencer la semaine prochaine.")
    world.settle()
    assert world.held.introductions(water)[AMINA].status == ACCEPTED

    result = CliRunner().invoke(cli, ["report", "--format", "json"],
                                env={"CODEV_DATABASE_URL": world.database_url})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["campaigns"] == [
        {"key": launched["key"], "name": CAMPAIGN, "joined": 2, "accepted": 1}]
    [row] = campaigns.summaries(world.codev.uow, rules.pepper, names=True)
    assert row["joined_usernames"] == [AMINA, OMAR] and row["accepted_usernames"] == [AMINA]

    # nothing made twice: one invite, one call topic, every codev post once
    with world.sandbox.state.transaction() as state:
        invites = list(state.invites.values())
        calls_posted = [t for t in state.topics.values() if t.title == published["title"]]
    assert len(invites) == 1 and invites[0].redemption_count == 2
    assert len(calls_posted) == 1
    counts = world.forum.marker_counts()
    print(f"\n[campaign story] kills {kills}; {world.restarts} restarts; {len(invites)} invite, "
          f"{invites[0].redemption_count} redemptions; {len(calls_posted)} call topic; "
          f"{sum(counts.values())} codev posts for {len(counts)} intent keys; "
          f"outbox {dict(world.held.outbox())}")
    assert counts[published["key"]] == 1 and max(counts.values()) == 1
    assert world.held.outbox().keys() <= {"sent"}


def test_an_invite_whose_every_answer_is_lost_is_made_once(world: World) -> None:
    """Every write succeeds on the forum and answers 500 (and one request in five gets a 429): codev
    finds the invite it made among the inviter's invites instead of making another."""
    world.start_worker()
    world.settle()
    codev = world.codev
    assert codev is not None
    world.faults(api_fail_after_write_rate=1.0, api_429_rate=0.2)
    campaigns.launch(codev.uow, codev.campaign_rules(), CAMPAIGN, world.clock(), days=30, max_uses=10)
    world.settle()
    injected = dict(world.sandbox.faults.injected)
    world.faults(api_fail_after_write_rate=0, api_429_rate=0)

    with world.sandbox.state.transaction() as state:
        invites = list(state.invites.values())
    [row] = campaigns.summaries(codev.uow, codev.campaign_rules().pepper)
    assert injected.get("after_write", 0) >= 1, injected
    assert len(invites) == 1 and row["invite_id"] == invites[0].id
    assert world.held.outbox() == {"sent": 1}
