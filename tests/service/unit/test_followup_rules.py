"""The follow-up's pure rules (domain/followup.py): how a reply splits into the three answers, which
sentences say yes or no to publication in French, Arabic and English, and when publication is allowed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sync_service.domain import followup as f_
from sync_service.domain.followup import Followup, Reply, read_reply, split_answers
from sync_service.services.brokerage import command_words
from tests.configured import packaged

T = packaged().translator
WORDS = command_words(T)
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_numbered_lines_answer_their_question_and_the_rest_continues_the_last() -> None:
    assert split_answers(["1. Une étude", "faite à distance.", "3) Oui", "2 - L'eau"]) == (
        "Une étude faite à distance.", "L'eau", "Oui")
    assert split_answers(["١. دراسة", "٢. الماء", "٣. نعم"]) == ("دراسة", "الماء", "نعم")
    assert split_answers(["**2.** Beaucoup"]) == ("", "Beaucoup", "")


def test_text_without_numbers_answers_the_first_question_and_amounts_are_not_numbers() -> None:
    assert split_answers(["Tout s'est bien passé.", "1 200 000 DH dépensés."]) == (
        "Tout s'est bien passé. 1 200 000 DH dépensés.", "", "")


def test_an_answer_is_capped() -> None:
    assert len(split_answers(["x" * 5000])[0]) == f_.ANSWER_LIMIT


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
@pytest.mark.parametrize("verb", f_.FOLLOWUP_VERBS)
def test_every_offered_sentence_reads_as_its_consent_word(locale: str, verb: str) -> None:
    sentence = T.translate(f"replies.{verb}", locale)

    assert read_reply(sentence, WORDS) == Reply(verb, ("", "", ""))
    assert len(sentence) >= 20  # Discourse's min_post_length: the sentence is accepted as a reply


def test_quotes_and_the_consent_line_are_no_answers() -> None:
    raw = ("[quote=\"codev, post:1\"]\n1. Qu'est-ce qui a été fait ?\n[/quote]\n"
           "> 2. cité\nJ'accepte la publication de mon témoignage\n1. Le forage.")

    assert read_reply(raw, WORDS) == Reply(f_.PUBLISH, ("Le forage.", "", ""))


def test_a_consent_sentence_after_the_answers_counts_and_the_last_one_wins() -> None:
    raw = ("1. Le forage.\n2. L'eau.\nJe préfère que mon témoignage reste privé\n"
           "Finalement : j'accepte la publication de mon témoignage.\n"
           "J'accepte que mon témoignage soit publié, merci.")

    assert read_reply(raw, WORDS) == Reply(f_.PUBLISH, ("Le forage.", "L'eau. Finalement : j'accepte la "
                                                        "publication de mon témoignage.", ""))


def test_ordinary_words_are_no_consent() -> None:
    assert read_reply("Publier un guide nous a aidés.", WORDS).verb is None
    assert read_reply("Oui, je recommande.", WORDS).verb is None


def _asked(consent: bool | None, answers: tuple[str, str, str] = ("", "", "")) -> Followup:
    return Followup(7, 42, "lahcen", f_.EXPERT, "fr", T0, answers, consent=consent)


def test_publication_needs_everyone_to_agree_and_someone_to_have_answered() -> None:
    said = ("Le forage.", "", "")

    assert f_.publishable([_asked(True, said), _asked(True)])
    assert not f_.publishable([_asked(True, said), _asked(None)])
    assert not f_.publishable([_asked(True, said), _asked(False, said)])
    assert not f_.publishable([_asked(True), _asked(True)])
    assert not f_.publishable([])
