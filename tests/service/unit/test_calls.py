"""The call for experts: gaps by skill and commune, a draft in fr/ar/en with user text inert, published
through the outbox once, on a person's action."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings

from sync_service.config import ForumSettings, Settings
from sync_service.config.errors import ConfigError
from sync_service.domain.calls import (
    FORUM,
    PLAIN,
    CallRefused,
    GapNeed,
    as_document,
    call_text,
    gaps_of,
    read_document,
)
from sync_service.domain.i18n import Translator
from sync_service.domain.needs import NeedDetails
from sync_service.services import calls
from sync_service.services.outbox import with_marker
from tests.configured import configured, packaged
from tests.service.unit.fakes import FakeStore, FakeUnitOfWork
from tests.service.unit.test_safe_text import USER_TEXT, problems

T: Translator = packaged().translator
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
NEEDS = (GapNeed(1, ("Hydraulique", "Topographie"), "Anzi"), GapNeed(2, ("hydraulique ",), "Tanalt"),
         GapNeed(3, ("Énergie solaire",), None))


def test_gaps_count_needs_by_skill_with_their_communes_most_asked_first() -> None:
    gaps = gaps_of(NEEDS)

    assert [(g.skill, g.needs, g.communes) for g in gaps] == [
        ("Hydraulique", 2, ("Anzi", "Tanalt")), ("Énergie solaire", 1, ()), ("Topographie", 1, ("Anzi",))]


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_the_draft_names_every_missing_skill_and_commune_in_each_language(locale: str) -> None:
    call = call_text(T, gaps_of(NEEDS), locale)

    assert "Hydraulique" in call.title
    for word in ("Hydraulique", "Anzi", "Tanalt", "Topographie"):
        assert word in call.body
    assert "call." not in call.body and "call." not in call.title  # every key found in the catalogue
    assert (call.body.startswith('<div dir="rtl"')) == (locale == "ar")
    assert problems(call.body) == []


def test_a_plain_call_for_social_networks_has_no_markup_and_ends_with_the_link() -> None:
    call = call_text(T, gaps_of(NEEDS), "fr", form=PLAIN, link="https://forum.example/invites/abc")

    assert "**" not in call.body and "###" not in call.body and "\\" not in call.body
    assert call.body.rstrip().endswith("https://forum.example/invites/abc")


@settings(max_examples=150, deadline=None)
@given(USER_TEXT, USER_TEXT)
def test_skills_and_communes_people_typed_cannot_mention_link_or_format(skill: str, commune: str) -> None:
    call = call_text(T, gaps_of([GapNeed(9, (skill,), commune or None)]), "fr", form=FORUM)

    assert problems(call.body) == []


def test_the_edited_document_reads_back_as_title_and_body() -> None:
    call = call_text(T, gaps_of(NEEDS), "fr")

    assert read_document(as_document(call)) == (call.title, call.body)
    with pytest.raises(ValueError, match="first line must be the title"):
        read_document("Appel sans titre\n\ntexte")
    with pytest.raises(ValueError, match="no text"):
        read_document("# Titre seul\n\n")


def _store_with_open_needs() -> FakeStore:
    uow = FakeUnitOfWork()
    with uow:
        uow.needs.save(NeedDetails(1, "Eau", 10, "rkia", commune_group="commune-anzi", commune="Anzi",
                                   skills=("Hydraulique",)), NOW, NOW)
        uow.needs.save(NeedDetails(2, "Serre", 10, "rkia", commune_group="commune-anzi", commune="Anzi",
                                   skills=("Agronomie",), status="in_progress"), NOW, NOW)
        uow.commit()
    return uow.store


def test_prepare_lists_only_needs_nobody_serves_yet_as_plain_data() -> None:
    store = _store_with_open_needs()

    draft = calls.prepare(lambda: FakeUnitOfWork(store), T, "fr")

    assert draft["gaps"] == [{"skill": "Hydraulique", "needs": 1, "communes": ["Anzi"]}]
    assert draft["text"].startswith(f"# {draft['title']}\n\n")
    with pytest.raises(ValueError, match="locale"):
        calls.prepare(lambda: FakeUnitOfWork(store), T, "de")


def test_publishing_the_same_text_twice_queues_one_topic() -> None:
    store = _store_with_open_needs()
    text = calls.prepare(lambda: FakeUnitOfWork(store), T, "ar")["text"] + "\nمرحبا بكم\n"

    first = calls.publish(lambda: FakeUnitOfWork(store), text, 7, "youness.azougagh", NOW)
    again = calls.publish(lambda: FakeUnitOfWork(store), text, 7, "youness.azougagh", NOW)

    assert first["created"] and not again["created"] and first["key"] == again["key"]
    [intent] = store.intents("create_topic")
    assert intent.payload["category"] == 7 and intent.payload["raw"].endswith("مرحبا بكم")


def test_publishing_a_text_without_title_says_so_and_queues_nothing() -> None:
    store = FakeStore()

    with pytest.raises(ValueError, match="title"):
        calls.publish(lambda: FakeUnitOfWork(store), "pas de titre ici\n\ntexte", 7, "youness", NOW)
    assert store.intents() == []


@pytest.mark.parametrize("slug", ["besoins", "revue-des-suggestions", "nulle-part"])
def test_the_calls_category_is_a_public_category_other_than_the_needs_and_the_review(slug: str) -> None:
    settings = Settings(forum=dataclasses.replace(ForumSettings(), calls_category=slug))

    with pytest.raises(ConfigError, match="calls_category"):
        configured(settings).forum_structure(require_secret=False)


@pytest.mark.parametrize(("text", "reason"), [
    (" \n", "empty"), ("pas de titre\n\ntexte", "no_title"), ("# Titre seul", "no_body"),
    ("# " + "t" * 256 + "\n\ntexte", "title_too_long"), ("# Titre\n\n" + "x" * 32000, "too_long")])
def test_a_call_the_forum_would_refuse_names_its_reason_and_queues_nothing(text: str, reason: str) -> None:
    store = FakeStore()

    with pytest.raises(CallRefused) as refused:
        calls.publish(lambda: FakeUnitOfWork(store), text, 7, "youness", NOW)

    assert refused.value.reason == reason and "\n" not in str(refused.value)
    assert T.translate(f"dashboard.call.refused.{reason}", "fr", **refused.value.values)
    assert store.intents() == []


def test_the_longest_call_discourse_takes_counts_the_outbox_marker() -> None:
    store = FakeStore()
    text = "# Titre de l'appel\n\n" + "x" * (calls.POST_MAX - 60)

    queued = calls.publish(lambda: FakeUnitOfWork(store), text, 7, "youness", NOW)

    [intent] = store.intents("create_topic")
    assert len(with_marker(intent.payload["raw"], intent.key)) <= calls.POST_MAX
    assert calls.published(lambda: FakeUnitOfWork(store), queued["key"]) == {
        "key": queued["key"], "title": "Titre de l'appel", "status": "pending", "topic_id": None}
    assert calls.published(lambda: FakeUnitOfWork(store), "review:1") is None
