"""Welcome topics: the guides' language sections, queued once, pinned once, edited when their text changes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from sync_service.domain.welcome import WelcomeError, welcome_texts
from sync_service.services.outbox import send_due
from sync_service.services.welcome import queue_welcome
from tests import paths
from tests.service.unit.fakes import FakeForum, FakeStore, FakeUnitOfWork, FakeWriter

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WELCOME = paths.ROOT / "config" / "welcome"
CATEGORIES = {"pratiques": 4}


def guides():
    return [t for name in ("commune", "expert")
            for t in welcome_texts(name, (WELCOME / f"guide-{name}.md").read_text(encoding="utf-8"), name)]


def test_each_guide_has_a_french_and_an_arabic_section_with_a_title():
    texts = guides()

    assert [(t.guide, t.locale) for t in texts] == [("commune", "fr"), ("commune", "ar"), ("expert", "fr"),
                                                    ("expert", "ar")]
    assert texts[0].title.startswith("Guide de la commune") and texts[1].title.startswith("دليل الجماعة")
    assert all(t.category == "pratiques" and "<!--" not in t.raw for t in texts)


@pytest.mark.parametrize(("text", "expected"), [
    ("# Sans marqueur\ntexte", "guide.md: no section marker"),
    ("<!-- welcome: fr -->\npas de titre\n", "guide.md: line 1: a section is a '# title' line"),
    ("<!-- welcome: fr -->\n# T\nx\n<!-- welcome: fr -->\n# T\ny\n",
     "guide.md: line 4: a second section in fr"),
])
def test_a_malformed_guide_is_one_line_naming_the_file_and_line(text, expected):
    with pytest.raises(WelcomeError) as caught:
        welcome_texts("commune", text, "guide.md")
    assert str(caught.value).startswith(expected)


def provision(store: FakeStore, texts) -> object:
    with FakeUnitOfWork(store) as uow:
        result = queue_welcome(uow, texts, CATEGORIES, T0)
        uow.commit()
    return result


def test_welcome_topics_are_posted_and_pinned_once_and_edited_when_their_text_changes():
    store, forum = FakeStore(), FakeForum()
    writer = FakeWriter(forum)
    texts = guides()

    first = provision(store, texts)
    send_due(lambda: FakeUnitOfWork(store), writer, "w", lambda: T0)
    second = provision(store, texts)
    edited_text = [dataclasses.replace(texts[0], raw=texts[0].raw + "\nNouveau paragraphe.\n"), *texts[1:]]
    third = provision(store, edited_text)
    fourth = provision(store, edited_text)
    send_due(lambda: FakeUnitOfWork(store), writer, "w", lambda: T0)

    assert first.created == [t.key for t in texts] and second.created == second.edited == []
    assert len(second.unchanged) == 4 and third.edited == ["welcome:commune:fr"] and fourth.edited == []
    assert writer.keys("create_topic") == [t.key for t in texts]
    assert writer.keys("pin_topic") == [f"{t.key}:pin" for t in texts]
    assert writer.keys("edit_post") == [f"welcome:commune:fr:r{edited_text[0].revision}"]
    threads = [t for t in forum.threads.values() if t.key and t.key.startswith("welcome:")]
    assert all(t.pinned and t.category == 4 for t in threads)
    assert "Nouveau paragraphe." in next(t for t in threads if t.key == "welcome:commune:fr").first.raw


def test_a_missing_category_is_reported_and_nothing_is_queued():
    store = FakeStore()
    with FakeUnitOfWork(store) as uow:
        result = queue_welcome(uow, guides(), {"pratiques": None}, T0)
        uow.commit()
    assert len(result.no_category) == 4 and store.outbox == []
