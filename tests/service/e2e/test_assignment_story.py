"""The assignment in the brokerage loop, through the sandbox: two water needs compete for the one
water engineer whose max_open_introductions is 1. The plan proposes her first for one need only; the
other need gets the next candidate first and lists her with the mark that she is asked elsewhere.
Nothing posts twice, and passes that change nothing leave the review topics as they are (no edit).
Time is injected (StoryClock), never waited for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_service.domain.brokerage import PENDING
from tests.service.e2e.brokerage_harness import MANAGER, World

KARIMA, BRAHIM, HAMID = "karima.idrissi", "brahim.tazi", "hamid.ouali"
WATER = "Eau potable"
ASKED = "**Déjà sollicité·e ailleurs :** codev le (la) propose en premier pour un autre besoin."
AT_LIMIT = "**Limite atteinte :** une mise en relation à la fois au plus"


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    built = World(tmp_path, database_url, max_open=1)
    built.start()
    try:
        yield built
    finally:
        built.close()


def _people(world: World) -> None:
    """Karima is the water engineer; Brahim knows hydraulics; Hamid is an electrician."""
    for username, name in ((KARIMA, "Karima Idrissi"), (BRAHIM, "Brahim Tazi"), (HAMID, "Hamid Ouali")):
        world.add_expert(username, name)
    world.fill_profile(KARIMA, ["Hydraulique", "Alimentation en eau potable rurale"], [WATER])
    world.fill_profile(BRAHIM, ["Hydraulique"], [WATER])
    world.fill_profile(HAMID, ["Énergie solaire", "Génie électrique"], ["Énergie"])


def _lists(world: World, needs: list[int]) -> dict[int, list[str]]:
    out = {}
    for need in needs:
        thread = world.held.review(need)
        assert thread is not None and thread.topic_id is not None, f"no review topic for need {need}"
        out[need] = [c.username for c in thread.shown]
    return out


def _first_post(world: World, need: int) -> tuple[str, int]:
    """(raw, version) of the review topic's first post in the forum."""
    thread = world.held.review(need)
    assert thread is not None and thread.topic_id is not None
    _, author, raw, version = world.forum.posts(thread.topic_id)[0]
    assert author == "system"
    return raw, version


def _under(raw: str, username: str) -> str:
    """What the review post says of one candidate (from their heading to the next one's)."""
    start = raw.index(f"/u/{username})")
    following = raw.find("\n#### ", start)
    return raw[start:following if following >= 0 else len(raw)]


def _quiet_passes(world: World, needs: list[int]) -> None:
    """Passes that change nothing: the review posts keep their text and version, no row is added."""
    posts = {n: _first_post(world, n) for n in needs}
    outbox = world.held.outbox()
    for _ in range(2):
        world.clock.advance(seconds=world.lifecycle.pass_seconds + 1)
        world.settle()
        assert "review" not in world.loop.last["rematch"], world.loop.last
    assert {n: _first_post(world, n) for n in needs} == posts
    assert world.held.outbox() == outbox


def test_two_needs_compete_for_one_expert_at_limit_one_and_the_second_gets_another(world: World) -> None:
    world.start_worker()
    _people(world)
    world.settle()
    needs = [world.post_need("Raccordement de trois douars au réseau d'eau potable", WATER,
                             "Hydraulique, alimentation en eau potable rurale",
                             "Raccorder trois douars au réseau d'eau potable : étude hydraulique à faire."),
             world.post_need("Adduction d'eau potable du douar Tagant", WATER,
                             "Hydraulique, alimentation en eau potable rurale",
                             "Un réservoir et une adduction d'eau potable pour le douar Tagant.")]
    world.settle()

    # Karima comes first in one review topic only; the other need proposes Brahim first and lists her,
    # marked as asked elsewhere and at her limit
    lists = _lists(world, needs)
    [hers] = [n for n in needs if lists[n][0] == KARIMA]
    [other] = [n for n in needs if n != hers]
    assert lists[other][:2] == [BRAHIM, KARIMA], lists
    raw, _ = _first_post(world, other)
    assert ASKED in _under(raw, KARIMA) and AT_LIMIT in _under(raw, KARIMA)
    assert ASKED not in _under(raw, BRAHIM)
    assert ASKED not in _under(_first_post(world, hers)[0], KARIMA)
    _quiet_passes(world, needs)

    # the manager approves her where she was proposed: the other need keeps Brahim first, and now
    # says that her limit is reached (one edit), then stays as it is
    review = world.held.review(hers)
    assert review is not None and review.topic_id is not None
    world.reply(MANAGER, review.topic_id, "approuver 1, elle correspond bien au besoin")
    world.settle()
    assert world.held.introductions(hers)[KARIMA].status == PENDING
    assert KARIMA not in world.held.introductions(other)
    assert _lists(world, [other])[other][:2] == [BRAHIM, KARIMA]
    raw, version = _first_post(world, other)
    assert AT_LIMIT in _under(raw, KARIMA) and ASKED not in raw and version == 2
    _quiet_passes(world, needs)

    counts = world.forum.marker_counts()
    assert counts and max(counts.values()) == 1, {k: n for k, n in counts.items() if n > 1}
    assert world.held.outbox().keys() <= {"sent", "superseded"}
