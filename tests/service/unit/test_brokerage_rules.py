"""The brokerage's pure rules: when the clock reminds and expires, what status a need takes, how many
direct introductions open, and how replies are read as commands in French, Arabic and English."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from sync_service.domain import brokerage as b
from sync_service.domain.brokerage import Command, Delays, Introduction, ShownCandidate
from tests.configured import packaged

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DELAYS = Delays(reminder=timedelta(days=7), expiry=timedelta(days=7))
T = packaged().translator
# the phrases of every catalogue, as services.brokerage.command_words gathers them
WORDS = b.command_words({verb: [p for loc in ("fr", "ar", "en")
                                for p in T.translate(f"commands.{verb}", loc).split("|")]
                         for verb in (*b.REVIEW_VERBS, *b.ANSWER_VERBS)})


def intro(status: str = b.PENDING, expert: int = 7, **changes: object) -> Introduction:
    opened = b.open_introduction(41, expert, f"expert{expert}", T0, DELAYS, reviewed=True,
                                 approved_by="nadia")
    changes.setdefault("pm_sent_at", T0)  # the PM on the forum at once, unless a test says otherwise
    return dataclasses.replace(opened, status=status, **changes)  # type: ignore[arg-type]


def review(raw: str) -> Command | None:
    return b.read_command(raw, WORDS, b.REVIEW_VERBS)


def answer(raw: str) -> Command | None:
    return b.read_command(raw, WORDS, b.ANSWER_VERBS)


# --- the clock ---------------------------------------------------------------------------------

def test_an_introduction_is_reminded_after_the_first_delay_and_expires_after_the_second() -> None:
    fresh = intro()

    assert (fresh.remind_at, fresh.expire_at) == (T0 + timedelta(days=7), T0 + timedelta(days=14))
    assert b.due_step(fresh, T0 + timedelta(days=6, hours=23)) is None
    assert b.due_step(fresh, T0 + timedelta(days=7)) == "remind"
    reminded = dataclasses.replace(fresh, reminded_at=T0 + timedelta(days=7))
    assert b.due_step(reminded, T0 + timedelta(days=10)) is None  # one reminder, not one per pass
    assert b.due_step(reminded, T0 + timedelta(days=14)) == "expire"


def test_the_first_delay_runs_from_the_message_on_the_forum_not_from_the_approval() -> None:
    late = intro(pm_sent_at=T0 + timedelta(days=2))  # the forum was down two days after the approval

    assert b.due_step(late, T0 + timedelta(days=8)) is None
    assert b.due_step(late, T0 + timedelta(days=9)) == "remind"


def test_a_message_not_yet_on_the_forum_is_not_reminded_and_ends_at_its_expiry_date() -> None:
    unsent = intro(pm_sent_at=None)

    assert b.due_step(unsent, T0 + timedelta(days=13)) is None
    assert b.due_step(unsent, T0 + timedelta(days=14)) == "expire"


def test_an_introduction_is_never_expired_before_its_reminder_even_after_an_outage() -> None:
    assert b.due_step(intro(), T0 + timedelta(days=30)) == "remind"


@pytest.mark.parametrize("status", [b.ACCEPTED, b.DECLINED, b.EXPIRED, b.WITHDRAWN, b.DISCARDED])
def test_only_a_pending_introduction_is_reminded_or_expired(status: str) -> None:
    assert b.due_step(intro(status), T0 + timedelta(days=30)) is None


def test_an_answer_closes_a_pending_introduction_once() -> None:
    accepted = b.answered(intro(), True, T0 + timedelta(days=1))

    assert (accepted.status, accepted.answered_at) == (b.ACCEPTED, T0 + timedelta(days=1))
    assert b.answered(accepted, False, T0 + timedelta(days=2)) == accepted  # a later "no" changes nothing
    assert b.ended(accepted, b.EXPIRED, T0 + timedelta(days=20)) == accepted


# --- the need's status ----------------------------------------------------------------------------

@pytest.mark.parametrize(("current", "statuses", "expected"), [
    ("open", [], "open"),
    ("open", [b.PENDING], b.MATCHED),
    ("matched", [b.EXPIRED], "open"),
    ("matched", [b.DECLINED, b.DISCARDED], "open"),
    ("matched", [b.PENDING, b.ACCEPTED], b.IN_PROGRESS),
    ("in_progress", [b.ACCEPTED], b.IN_PROGRESS),
    (b.SERVED, [b.PENDING], b.SERVED),
    (b.FUNDED, [b.ACCEPTED], b.FUNDED),
    ("closed", [b.PENDING], "closed"),
])
def test_need_status_follows_its_introductions_but_never_leaves_a_final_status(
        current: str, statuses: list[str], expected: str) -> None:
    intros = [intro(s, expert=n) for n, s in enumerate(statuses)]

    assert b.need_status(current, intros) == expected


@pytest.mark.parametrize(("status", "statuses", "per_need", "expected"), [
    ("open", [], 1, 1),
    ("open", [], 3, 3),
    ("matched", [b.PENDING], 1, 0),
    ("matched", [b.PENDING], 2, 1),
    ("open", [b.EXPIRED, b.DECLINED], 1, 1),   # those who did not answer free their place
    ("matched", [b.ACCEPTED], 2, 0),           # someone accepted: nobody else is introduced
    (b.SERVED, [], 1, 0),
    ("closed", [], 1, 0),
])
def test_direct_openings_fill_up_to_per_need_while_the_need_looks_for_an_expert(
        status: str, statuses: list[str], per_need: int, expected: int) -> None:
    intros = [intro(s, expert=n) for n, s in enumerate(statuses)]

    assert b.direct_openings(status, intros, per_need) == expected


def test_an_expert_is_never_proposed_twice_for_a_need_and_loads_count_open_work() -> None:
    intros = [intro(b.EXPIRED, 1), intro(b.PENDING, 2), intro(b.ACCEPTED, 3), intro(b.DISCARDED, 4)]

    assert b.already_asked(intros) == {1, 2, 3, 4}
    assert b.open_loads(intros) == {2: 1, 3: 1}


# --- reply commands -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("approuver karima.idrissi", Command(b.APPROVE, username="karima.idrissi")),
    ("Approuver @Karima.Idrissi, merci !", Command(b.APPROVE, username="karima.idrissi")),
    ("**approuver** #2", Command(b.APPROVE, rank=2)),
    ("Valider 1 : profil parfait pour ce douar.", Command(b.APPROVE, rank=1)),
    ("approuve hamid-ouali", Command(b.APPROVE, username="hamid-ouali")),
    ("Écarter said.bennani : déjà pris ailleurs", Command(b.DISCARD, username="said.bennani")),
    ("ecarter 3", Command(b.DISCARD, rank=3)),
    ("approuver", Command(b.APPROVE)),
    ("Besoin servi, merci à tous", Command(b.MARK_SERVED)),
    ("financé", Command(b.MARK_FUNDED)),
    ("موافقة karima.idrissi", Command(b.APPROVE, username="karima.idrissi")),
    ("استبعاد 2", Command(b.DISCARD, rank=2)),
    ("approve #1", Command(b.APPROVE, rank=1)),
    ("Discard hamid.ouali", Command(b.DISCARD, username="hamid.ouali")),
    ("approuver fatima_ait, merci beaucoup", Command(b.APPROVE, username="fatima_ait")),
    ("approuver fatima.ait. Merci.", Command(b.APPROVE, username="fatima.ait")),
    ("approuver 1, merci pour cette suggestion", Command(b.APPROVE, rank=1)),
    ("موافقة 2، شكرا جزيلا", Command(b.APPROVE, rank=2)),
])
def test_review_commands_in_every_language(raw: str, expected: Command) -> None:
    assert review(raw) == expected


def test_a_username_with_underscores_is_read_whole() -> None:
    """Discourse usernames may hold underscores; markdown emphasis must not cut them."""
    assert review("approuver karima_idrissi") == Command(b.APPROVE, username="karima_idrissi")


@pytest.mark.parametrize(("raw", "verb"), [
    ("J'accepte, avec plaisir.", b.ACCEPT),
    ("J\u2019accepte", b.ACCEPT),                 # the typographic apostrophe of phones
    ("**Oui** !", b.ACCEPT),
    ("accepter", b.ACCEPT),
    ("Je décline, je suis en mission jusqu'en mars.", b.DECLINE),
    ("je decline", b.DECLINE),
    ("Non merci", b.DECLINE),
    ("أقبل بكل سرور", b.ACCEPT),
    ("نعم", b.ACCEPT),
    ("أعتذر، لست متاحا", b.DECLINE),
    ("I accept.", b.ACCEPT),
    ("Yes!", b.ACCEPT),
    ("I decline, sorry", b.DECLINE),
    ("<!-- codev:intent:intro:4:7 -->\nJ'accepte", b.ACCEPT),
])
def test_answers_in_every_language_with_markup_and_apostrophes(raw: str, verb: str) -> None:
    assert answer(raw) == Command(verb)


@pytest.mark.parametrize("raw", [
    "Bonjour, je regarde le dossier et je reviens vers vous.",
    "Nonobstant le délai, je peux aider.",      # starts with "non" but is not "non"
    "Yesterday I read the file.",
    "Notez que je serai absent.",
    "",
    "   \n\n",
    "> J'accepte\nJe dois encore en parler à mon employeur.",
    "[quote=\"karima.idrissi, post:2\"]\nJ'accepte\n[/quote]\nQui a écrit ça ?",
])
def test_ordinary_talk_and_quoted_commands_are_not_answers(raw: str) -> None:
    assert answer(raw) is None


def test_the_first_line_after_a_quote_is_the_one_read() -> None:
    raw = "[quote=\"nadia, post:3\"]\nqui prend ?\n[/quote]\n\napprouver karima.idrissi"

    assert review(raw) == Command(b.APPROVE, username="karima.idrissi")
    assert review("[quote]qui prend ?[/quote]\napprouver #1") == Command(b.APPROVE, rank=1)


def test_answer_verbs_take_no_argument_and_review_verbs_ignore_answers() -> None:
    assert answer("j'accepte 2") == Command(b.ACCEPT)
    assert review("j'accepte") is None
    assert answer("approuver karima.idrissi") is None


# --- naming a candidate ---------------------------------------------------------------------------

SHOWN = (ShownCandidate(3, "Karima.Idrissi"), ShownCandidate(5, "hamid.ouali"))


@pytest.mark.parametrize(("command", "expected"), [
    (Command(b.APPROVE, rank=1), SHOWN[0]),
    (Command(b.APPROVE, rank=2), SHOWN[1]),
    (Command(b.APPROVE, rank=3), None),
    (Command(b.APPROVE, rank=0), None),
    (Command(b.APPROVE, username="karima.idrissi"), SHOWN[0]),
    (Command(b.APPROVE, username="said.bennani"), None),
    (Command(b.APPROVE), None),                  # two shown: "approuver" alone names nobody
])
def test_named_finds_the_candidate_by_rank_or_username_in_the_version_shown(
        command: Command, expected: ShownCandidate | None) -> None:
    assert b.named(command, SHOWN) == expected


def test_a_bare_command_names_the_only_candidate_shown() -> None:
    assert b.named(Command(b.APPROVE), SHOWN[:1]) == SHOWN[0]
    assert b.named(Command(b.APPROVE), ()) is None


def test_intent_keys_are_deterministic_per_pair_and_revision() -> None:
    assert b.intent_keys(41, 7) == {"pm": "intro:41:7", "reminder": "intro:41:7:reminder",
                                    "expiry": "intro:41:7:expiry"}
    assert (b.review_key(41), b.review_key(41, 2)) == ("review:41", "review:41:r2")
