"""Every reply codev's posts offer is one Discourse accepts as offered, and one codev reads as meant.

Discourse refuses a reply under min_post_length (20) in a topic and min_personal_message_post_length
(10) in a message, and one under body_min_entropy (app/models/post.rb, lib/validators/post_validator.rb,
config/site_settings.yml): "oui", "servi" or "approuver 2" alone are refused. The sandbox applies the
same rules; each offered reply is posted as a manager would in a review topic, or as an expert would
in an introduction message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sync_service.domain import brokerage as rules_
from sync_service.domain import followup_posts, posts
from sync_service.domain.brokerage import Command, read_command
from sync_service.domain.followup import FOLLOWUP_VERBS, read_reply
from sync_service.services.brokerage import command_words
from tests.configured import packaged
from tests.conftest import SandboxClient
from tests.service.integration.test_gateway_threads import forum, review_topic

T = packaged().translator
WORDS = command_words(T)


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_every_offered_reply_is_posted_and_read_as_its_command(tmp_path: Path, locale: str) -> None:
    sandbox = forum(tmp_path, topics=[review_topic("Revue : eau potable à Anzi", [])])
    try:
        api = SandboxClient(sandbox.base_url)
        review_id = api.get("/latest.json").json()["topic_list"]["topics"][0]["id"]
        pm_id = api.as_user("nadia").post("/posts.json", json={
            "title": "Mise en relation : eau potable à Anzi", "archetype": "private_message",
            "target_recipients": "fatima", "raw": "Bonjour Fatima, la commune d'Anzi cherche un appui."},
        ).json()["topic_id"]
        offered = [(review_id, "nadia", verb, "fatima" if verb in (rules_.APPROVE, rules_.DISCARD) else None,
                    rules_.REVIEW_VERBS) for verb in rules_.REVIEW_VERBS]
        offered += [(pm_id, "fatima", verb, None, rules_.ANSWER_VERBS) for verb in rules_.ANSWER_VERBS]

        for topic_id, user, verb, who, verbs in offered:
            raw = posts.offered_reply(T, verb, locale, who)
            answer = api.as_user(user).post("/posts.json", json={"topic_id": topic_id, "raw": raw})

            assert answer.status_code == 200, (raw, answer.text)
            assert read_command(raw, WORDS, verbs) == Command(verb, username=who), raw
            sandbox.clock.advance(6)  # past rate_limit_create_post (5 s) before the next reply
    finally:
        sandbox.stop()


@pytest.mark.parametrize("short", ["oui", "servi", "approuver 2"])
def test_a_bare_command_word_is_refused_in_a_topic(tmp_path: Path, short: str) -> None:
    sandbox = forum(tmp_path, topics=[review_topic("Revue : eau potable à Anzi", [])])
    try:
        api = SandboxClient(sandbox.base_url)
        review_id = api.get("/latest.json").json()["topic_list"]["topics"][0]["id"]

        answer = api.as_user("nadia").post("/posts.json", json={"topic_id": review_id, "raw": short})

        assert answer.status_code == 422
    finally:
        sandbox.stop()


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_every_consent_sentence_of_a_follow_up_is_posted_and_read_as_its_word(tmp_path: Path,
                                                                               locale: str) -> None:
    sandbox = forum(tmp_path, topics=[review_topic("Revue : eau potable à Anzi", [])])
    try:
        api = SandboxClient(sandbox.base_url)
        pm_id = api.as_user("nadia").post("/posts.json", json={
            "title": "Retour d'expérience : eau potable à Anzi", "archetype": "private_message",
            "target_recipients": "fatima", "raw": "Bonjour Fatima, qu'est-ce qui a été fait ?"},
        ).json()["topic_id"]

        for verb in FOLLOWUP_VERBS:
            raw = followup_posts.offered(T, verb, locale)
            answer = api.as_user("fatima").post("/posts.json", json={"topic_id": pm_id, "raw": raw})

            assert answer.status_code == 200, (raw, answer.text)
            assert read_reply(raw, WORDS).verb == verb, raw
            sandbox.clock.advance(6)
    finally:
        sandbox.stop()
