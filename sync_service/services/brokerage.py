"""Brokerage use cases: keep each need's review thread, open introductions, read the answers.

Every decision and the outbox rows that carry it to the forum commit in one transaction (per need), so
a crash between them loses nothing and repeats nothing: intent keys are deterministic, and the outbox
sends each once. Posts are written in the need's language (French unless the need is Arabic or English).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync_service.domain import brokerage as rules_
from sync_service.domain import plugin_state, posts
from sync_service.domain import proposals as proposals_
from sync_service.domain.brokerage import Delays, Introduction, ReviewThread, ShownCandidate
from sync_service.domain.followup import FOLLOWUP_VERBS
from sync_service.domain.i18n import Translator, guess_locale
from sync_service.domain.matching.settings import Bands
from sync_service.domain.needs import NeedDetails
from sync_service.domain.proposals import Proposals
from sync_service.services.outbox import enqueue
from sync_service.services.ports.matching import Ranked, Ranker
from sync_service.services.ports.storage import Intent, UnitOfWork

COMMAND_VERBS = (*rules_.REVIEW_VERBS, *rules_.ANSWER_VERBS, *FOLLOWUP_VERBS, *rules_.DRAFT_VERBS)


@dataclass(frozen=True)
class BrokerageRules:
    """What the use cases need from the settings, resolved once at start."""

    translator: Translator
    managers_group: str
    review_category_id: int | None
    bands: Bands  # how a score is shown (matching.yaml, the one place for it)
    review_candidates: int = 5
    direct: bool = False
    per_need: int = 1
    delays: Delays = field(default_factory=lambda: Delays(timedelta(days=7), timedelta(days=7)))
    digest_interval: timedelta = timedelta(days=7)
    digest_size: int = 5
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    approve_tag_prefix: str = "approuver-"  # "": tags do not approve
    plugin: bool = False  # the forum has the codev plugin: each need's state is pushed to it
    # a language code's name in a locale (the taxonomy's labels), for the plugin's user card
    language_label: Callable[[str, str], str] = lambda code, locale: code
    followup_days: float = 30.0  # people of a need served or funded are asked how it went after this
    max_open: int = 2     # an expert is proposed first for at most this many needs, open introductions too
    shortlist: int = 20   # candidates per need the plan weighs (matching.yaml, assignment)


def command_words(translator: Translator) -> dict[str, tuple[str, ...]]:
    """verb -> every phrase of every language ("approuver | valider" in the catalogues)."""
    phrases: dict[str, list[str]] = {}
    for verb in COMMAND_VERBS:
        for locale in ("fr", "ar", "en"):
            phrases.setdefault(verb, []).extend(translator.translate(f"commands.{verb}", locale).split("|"))
    return rules_.command_words(phrases)


def need_locale(need: NeedDetails) -> str:
    """The language of a need's posts: its own when Arabic or English, else French."""
    return guess_locale(" ".join(filter(None, (need.title, need.body))))


def need_view(need: NeedDetails) -> posts.NeedView:
    """What posts say of a need."""
    return posts.NeedView(need.topic_id, need.title, need.body, need.commune or need.commune_group,
                          need.province, need.author_username)


# --- one need: review thread or direct introductions ---------------------------------------------

def refresh_need(uow: UnitOfWork, ranker: Ranker, rules: BrokerageRules, topic_id: int,
                 now: datetime, loads: Mapping[int, int] | None = None,
                 proposals: Proposals | None = None) -> str:
    """Bring one need's status, review thread and (direct setting) introductions in line. Never commits.
    With the pass's `proposals`, the plan's choice comes first (and alone is introduced, direct).
    Returns "unchanged", "review" (thread created or edited) or "introduced"."""
    uow.lock_entity("need", topic_id)
    stored = uow.needs.get(topic_id, lock=True)
    if stored is None:
        return "unchanged"
    need = stored.details
    intros = uow.introductions.of_need(topic_id)
    outcome = "unchanged"
    if rules.direct:
        openings = rules_.direct_openings(need.status, intros, rules.per_need)
        exclude = rules_.already_asked(intros)
        for ranked in _introduce(ranker, rules, topic_id, openings, exclude, need_locale(need), proposals):
            intros.append(open_introduction(uow, rules, need, ranked.user_id, ranked.username,
                                            ranked.reasons, now, reviewed=False, by=None))
            outcome = "introduced"
    shown = _Shown()
    if not rules.direct:
        outcome = _review(uow, ranker, rules, need, intros, now, shown, proposals)
    status = set_status(uow, need, intros, now, stored.fetched_at)
    if rules.plugin:
        _push_state(uow, rules, need, status, intros, shown, now, loads)
    return outcome


def _introduce(ranker: Ranker, rules: BrokerageRules, topic_id: int, openings: int, exclude: set[int],
               locale: str, proposals: Proposals | None) -> list[Ranked]:
    """Whom the direct setting introduces now: the plan's choice (nobody when every candidate is at
    their limit), or without a plan the best ranked."""
    if openings <= 0:
        return []
    if proposals is None:
        return ranker.rank(topic_id, openings, exclude, locale)
    chosen = [e for e in proposals.chosen(topic_id) if e not in exclude][:openings]
    return [c for c in _ranked_with(ranker, rules, topic_id, openings, chosen, exclude, locale)
            if c.user_id in chosen] if chosen else []


def _ranked_with(ranker: Ranker, rules: BrokerageRules, topic_id: int, k: int, chosen: Sequence[int],
                 exclude: set[int], locale: str) -> list[Ranked]:
    """The k best ranked, or deeper when the plan chose someone below them (from its shortlist)."""
    ranked = ranker.rank(topic_id, k, exclude, locale)
    if not set(chosen) <= {c.user_id for c in ranked}:
        ranked = ranker.rank(topic_id, max(k, rules.shortlist), exclude, locale)
    return ranked


@dataclass
class _Shown:
    """What the review topic shows of a need, for the state pushed to the plugin."""

    candidates: list[Ranked] = field(default_factory=list)


def _push_state(uow: UnitOfWork, rules: BrokerageRules, need: NeedDetails, status: str,
                intros: Sequence[Introduction], shown: _Shown, now: datetime,
                loads: Mapping[int, int] | None) -> None:
    """The need's status, candidates and volunteers to the codev plugin, through the outbox, once per
    version (a newer pending state supersedes an older one)."""
    thread = uow.reviews.get(need.topic_id)
    offers = uow.offers.of_need(need.topic_id)
    names = {c.user_id: c.name for c in shown.candidates}
    loads = loads if loads is not None else uow.introductions.loads()  # a pass reads them once
    mine = {i.expert_user_id for i in intros if i.status in (rules_.PENDING, rules_.ACCEPTED)}
    elsewhere = {user for user, n in loads.items() if n > (1 if user in mine else 0)}
    document = plugin_state.need_state(
        status, thread.topic_id if thread is not None else None,
        [plugin_state.StateCandidate(c.user_id, c.username, c.name, rules.bands.of(c.score), c.reasons)
         for c in shown.candidates],
        [plugin_state.StateVolunteer(v.user_id, v.username, names.get(v.user_id), v.offered_at)
         for v in offers],
        intros, elsewhere, now)
    _put_state(uow, need.topic_id, document, now)
    for intro in intros:
        message = plugin_state.introduction_state(intro, now)
        if message is not None and intro.pm_topic_id is not None:
            _put_state(uow, intro.pm_topic_id, message, now)


def _put_state(uow: UnitOfWork, topic_id: int, document: Mapping[str, object], now: datetime) -> None:
    key = plugin_state.state_key(topic_id, str(document["version"]))
    enqueue(uow, Intent(key, "put_topic_state", {"topic_id": topic_id, "state": document}), now)


def _review(uow: UnitOfWork, ranker: Ranker, rules: BrokerageRules, need: NeedDetails,
            intros: list[Introduction], now: datetime, shown_out: _Shown,
            proposals: Proposals | None) -> str:
    thread = uow.reviews.get(need.topic_id, lock=True)
    locale = thread.locale if thread is not None else need_locale(need)
    status = rules_.need_status(need.status, intros)
    candidates: list[Ranked] = []
    volunteers: list[posts.CandidateView] = []
    t = rules.translator
    if rules_.takes_candidates(status, intros):
        asked = rules_.already_asked(intros)
        if proposals is None:
            candidates = ranker.rank(need.topic_id, rules.review_candidates, asked, locale)
        else:
            chosen = proposals.chosen(need.topic_id)
            candidates = proposals_.arrange(
                _ranked_with(ranker, rules, need.topic_id, rules.review_candidates, chosen, asked, locale),
                chosen, rules.review_candidates, lambda c: c.user_id)
        volunteers = _volunteers(uow, ranker, rules, need, {c.user_id for c in candidates} | asked, locale)
        # the skill gaps: a need looking for an expert without a strong candidate (docs/impact.md)
        strong = any(rules.bands.of(c.score) == "strong" for c in candidates)
        uow.history.note_match(need.topic_id, strong, now)
    shown_out.candidates = candidates
    if thread is None and not candidates and not volunteers:
        return "unchanged"  # the thread opens when the need first has candidates (or a volunteer)
    if thread is None and rules.review_category_id is None:
        # without its staff-only category a review topic would land in a public one: wait for provision
        return "no review category"
    offered = {v.user_id for v in uow.offers.of_need(need.topic_id)}
    views = [posts.CandidateView(c.username, c.name, rules.bands.of(c.score), c.reasons,
                                 posts.offered_reply(t, rules_.APPROVE, locale, c.username),
                                 rules_.approve_tag(rules.approve_tag_prefix, rank),
                                 c.user_id in offered, *_elsewhere(proposals, c.user_id, need))
             for rank, c in enumerate(candidates, 1)]
    key = rules_.review_key(need.topic_id)
    raw = posts.review_thread(t, need_view(need), views, locale, key, status,
                              [(i.expert_username, i.status) for i in intros], volunteers)
    digest = hashlib.sha256(raw.encode()).hexdigest()
    shown = tuple(ShownCandidate(c.user_id, c.username) for c in candidates)
    if thread is not None and thread.content_hash == digest:
        if thread.shown != shown:
            uow.reviews.save(dataclasses.replace(thread, shown=shown))
        return "unchanged"
    if thread is None:
        payload = {"title": posts.review_title(t, need_view(need), locale), "raw": raw,
                   "category": rules.review_category_id}
        enqueue(uow, Intent(key, "create_topic", payload), now)
        thread = ReviewThread(need.topic_id, locale=locale)
    else:
        revision = thread.revision + 1
        enqueue(uow, Intent(rules_.review_key(need.topic_id, revision), "edit_post",
                            {"raw": raw, "edit_reason": t.translate("review.edit_reason", locale)},
                            depends_on=key), now)
        thread = dataclasses.replace(thread, revision=revision)
    uow.reviews.save(dataclasses.replace(thread, content_hash=digest, shown=shown))
    return "review"


def _elsewhere(proposals: Proposals | None, user_id: int, need: NeedDetails) -> tuple[int, int | None]:
    """What the review topic says of a candidate asked elsewhere: the other needs the plan proposes
    them first for, and their limit when it is reached (CandidateView's `elsewhere` and `limit`)."""
    if proposals is None:
        return 0, None
    at_limit = proposals.at_limit(user_id, need.topic_id)
    return proposals.elsewhere(user_id, need.topic_id), proposals.limit if at_limit else None


def _volunteers(uow: UnitOfWork, ranker: Ranker, rules: BrokerageRules, need: NeedDetails,
                shown: set[int], locale: str) -> list[posts.CandidateView]:
    """Members who offered their help and are not among the candidates shown (nor already asked): the
    consenting experts codev holds, with the reasons the engine gives for them (none when the engine
    finds them too far from the need, which the post then says)."""
    views = []
    for volunteer in uow.offers.of_need(need.topic_id):
        stored = uow.experts.get(volunteer.user_id)
        if volunteer.user_id in shown or stored is None or not stored.profile.matchable:
            continue
        reasons = ranker.reasons(need.topic_id, volunteer.user_id, locale)
        views.append(posts.CandidateView(
            stored.profile.username, stored.profile.display_name, "possible", reasons,
            posts.offered_reply(rules.translator, rules_.APPROVE, locale, stored.profile.username),
            offered=True))
    return views


def open_introduction(uow: UnitOfWork, rules: BrokerageRules, need: NeedDetails, user_id: int,
                      username: str, reasons: Sequence[str], now: datetime, reviewed: bool,
                      by: str | None) -> Introduction:
    """Record the introduction and the PM that opens it (expert, need author, community managers)."""
    intro = rules_.open_introduction(need.topic_id, user_id, username, now, rules.delays, reviewed, by)
    if not uow.introductions.add(intro):
        existing = uow.introductions.get(need.topic_id, user_id)
        return existing if existing is not None else intro
    t, locale = rules.translator, need_locale(need)
    key = rules_.intent_keys(need.topic_id, user_id)["pm"]
    view = need_view(need)
    raw = posts.introduction(t, view, username, reasons, answer_for(rules, locale, intro), locale, key,
                             reviewed=reviewed)
    recipients = [username, *([need.author_username] if need.author_username else []), rules.managers_group]
    enqueue(uow, Intent(key, "private_message", {"title": posts.introduction_title(t, view, locale),
                                                 "raw": raw, "target_recipients": recipients},
                        person_id=user_id), now)
    return intro


def answer_for(rules: BrokerageRules, locale: str, intro: Introduction) -> posts.Answer:
    """How the expert answers an introduction: the words to reply with and the date to answer by."""
    t = rules.translator
    return posts.Answer(posts.offered_reply(t, rules_.ACCEPT, locale),
                        posts.offered_reply(t, rules_.DECLINE, locale), intro.expire_at.date())


def withdraw(uow: UnitOfWork, rules: BrokerageRules, need: NeedDetails, intro: Introduction,
             now: datetime) -> Introduction:
    """End a pending introduction because the need ended, telling the expert in the PM."""
    ended = rules_.ended(intro, rules_.WITHDRAWN, now)
    uow.introductions.save(ended)
    keys = rules_.intent_keys(intro.need_topic_id, intro.expert_user_id)
    locale = need_locale(need)
    raw = rules.translator.translate("withdrawn.body", locale, need=posts.need_reference(
        rules.translator, need_view(need), locale))
    enqueue(uow, Intent(f"{keys['pm']}:withdrawn", "reply", {"raw": raw}, depends_on=keys["pm"],
                        person_id=intro.expert_user_id), now)
    return ended


def set_status(uow: UnitOfWork, need: NeedDetails, intros: Sequence[Introduction], now: datetime,
               fetched_at: datetime) -> str:
    """Store the need's status as its introductions make it (open, matched, in progress)."""
    status = rules_.need_status(need.status, intros)
    if status != need.status:
        uow.needs.save(dataclasses.replace(need, status=status), fetched_at, now)
    return status
