"""The Markdown of the follow-up: the message asking three questions, its acknowledgements, and the
draft of the "retour d'expérience" topic. Pure, as domain/posts.py: sentences from the catalogues
(followup.*), people's words only through safe_text.quote, links from integers and usernames."""

from __future__ import annotations

from collections.abc import Sequence

from sync_service.domain import posts, safe_text
from sync_service.domain.followup import AUTHOR, KEEP_PRIVATE, PUBLISH, QUESTIONS, Followup
from sync_service.domain.i18n import Translator

ANSWER_QUOTE_LIMIT = 1200


def message_title(t: Translator, need: posts.NeedView, locale: str) -> str:
    """Title of the follow-up message."""
    return t.translate("followup.title", locale, title=safe_text.title(need.title, posts.TITLE_LIMIT))


def message(t: Translator, need: posts.NeedView, status: str, role: str, locale: str, key: str) -> str:
    """The follow-up message: what codev asks, how to answer, and how to agree to publication."""
    lines = [t.translate("followup.greeting", locale), "",
             t.translate(f"followup.context_{role}", locale, need=posts.need_reference(t, need, locale),
                         status=t.translate(f"status.{status}", locale)), "",
             t.translate("followup.questions_intro", locale), ""]
    lines += [f"{n}. {t.translate(f'followup.question.{q}', locale)}" for n, q in enumerate(QUESTIONS, 1)]
    lines += ["", t.translate("followup.how", locale), "",
              t.translate("followup.consent", locale,
                          publish=safe_text.code(offered(t, PUBLISH, locale), 120),
                          keep=safe_text.code(offered(t, KEEP_PRIVATE, locale), 120)), "",
              t.translate("followup.privacy", locale)]
    return posts.finish(lines, locale, key)


def offered(t: Translator, verb: str, locale: str) -> str:
    """The whole sentence offered for a consent word (long enough for Discourse's minimum lengths)."""
    return t.translate(f"replies.{verb}", locale)


def thanks(t: Translator, locale: str, key: str) -> str:
    """The reply once the person's first answers are recorded."""
    return posts.finish([t.translate("followup.thanks", locale)], locale, key)


def consent_noted(t: Translator, verb: str, locale: str, key: str) -> str:
    """The reply to a consent word (each word acknowledged once)."""
    return posts.finish([t.translate(f"followup.noted_{verb}", locale)], locale, key)


def experience_title(t: Translator, need: posts.NeedView, locale: str) -> str:
    """Title of the published topic; the need's id keeps it unique (Discourse refuses a title twice
    among topics, not among messages: app/models/topic.rb, unique_among unless private_message?)."""
    return t.translate("followup.experience_title", locale, topic_id=need.topic_id,
                       title=safe_text.title(need.title, posts.TITLE_LIMIT))


def experience(t: Translator, need: posts.NeedView, status: str, followups: Sequence[Followup],
               locale: str) -> str:
    """The draft of the "retour d'expérience": the need, then each question with each person's answer,
    quoted inert. No marker: the outbox adds it when the topic is published."""
    commune = (safe_text.plain(need.commune) if need.commune
               else t.translate("common.unknown_commune", locale))
    lines = [t.translate("followup.experience_intro", locale, need=posts.need_reference(t, need, locale),
                         commune=commune, status=t.translate(f"status.{status}", locale)), ""]
    ordered = sorted(followups, key=lambda f: (f.role != AUTHOR, f.username.casefold()))
    for n, question in enumerate(QUESTIONS):
        said = [(f, f.answers[n]) for f in ordered if f.answers[n].strip()]
        if not said:
            continue
        lines += [f"### {t.translate(f'followup.question.{question}', locale)}", ""]
        for person, text in said:
            who = t.translate(f"followup.said_{person.role}", locale,
                              user=safe_text.user_link(person.username))
            lines += [f"{who} {safe_text.quote(text, ANSWER_QUOTE_LIMIT)}", ""]
    lines.append(t.translate("followup.experience_footer", locale))
    body = "\n".join(lines).strip()
    return posts.rtl(body, locale)
