"""What codev tells the codev plugin: the `need_state`, `introduction` and `expert_profile` documents of
the plugin's contract (discourse_plugin/contract/codev.schema.json). Pure: no I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync_service.domain.brokerage import ACCEPTED, DECLINED, EXPIRED, PENDING, WITHDRAWN, Introduction
from sync_service.domain.i18n import Translator
from sync_service.domain.people import ExpertProfile

MAX_CANDIDATES = 20   # the contract's maxItems
MAX_VOLUNTEERS = 50
MAX_REASONS = 8
MAX_TEXT = 200        # short_text
MAX_SKILLS = 12
MAX_LANGUAGES = 8
LOCALES = ("fr", "ar", "en")
# An introduction's status -> the candidate's state in the plugin's panel (withdrawn and discarded
# candidates are no longer shown).
_STATES = {ACCEPTED: "accepted", DECLINED: "declined", EXPIRED: "expired"}
# An introduction's status -> the state of its private message (the answer buttons show while awaiting).
_MESSAGE_STATES = {PENDING: "awaiting", ACCEPTED: "accepted", DECLINED: "declined", EXPIRED: "expired",
                   WITHDRAWN: "withdrawn"}


@dataclass(frozen=True)
class StateCandidate:
    """A ranked candidate as the review topic shows them."""

    user_id: int
    username: str
    name: str | None
    band: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class StateVolunteer:
    """A member who offered to help, and their rank among the candidates if they are one."""

    user_id: int
    username: str
    name: str | None
    offered_at: datetime


def need_state(status: str, review_topic_id: int | None, candidates: Sequence[StateCandidate],
               volunteers: Sequence[StateVolunteer], intros: Sequence[Introduction],
               asked_elsewhere: set[int], updated_at: datetime) -> dict[str, Any]:
    """The need_state document; its `version` is a hash of everything else but `updated_at`, so the
    same state pushed twice is one update."""
    offered = {v.user_id for v in volunteers}
    rows: list[dict[str, Any]] = []
    ranks: dict[int, int] = {}
    for candidate in candidates[:MAX_CANDIDATES]:
        ranks[candidate.user_id] = len(rows) + 1
        rows.append(_candidate(len(rows) + 1, candidate.username, candidate.name, candidate.band,
                               candidate.reasons, candidate.user_id in offered,
                               candidate.user_id in asked_elsewhere, "proposed"))
    for intro in intros:
        state = _intro_state(intro)
        if state is None or intro.expert_user_id in ranks or len(rows) >= MAX_CANDIDATES:
            continue
        ranks[intro.expert_user_id] = len(rows) + 1
        rows.append(_candidate(len(rows) + 1, intro.expert_username, None, "good", (),
                               intro.expert_user_id in offered, False, state))
    document: dict[str, Any] = {
        "kind": "need", "status": status, "review_topic_id": review_topic_id, "candidates": rows,
        "volunteers": [{"username": v.username, "name": _short(v.name), "offered_at": _moment(v.offered_at),
                        "candidate_rank": ranks.get(v.user_id)} for v in volunteers[:MAX_VOLUNTEERS]],
    }
    return _versioned(document, updated_at)


def introduction_state(intro: Introduction, updated_at: datetime) -> dict[str, Any] | None:
    """The `introduction` document of the introduction's private message, or None while the message is
    not on the forum, or when nobody was contacted (a discarded candidate)."""
    state = _MESSAGE_STATES.get(intro.status)
    if intro.pm_topic_id is None or state is None:
        return None
    return _versioned({"kind": "introduction", "need_topic_id": intro.need_topic_id,
                       "expert_username": intro.expert_username, "state": state}, updated_at)


def expert_profile(profile: ExpertProfile, translator: Translator, language_label: Callable[[str, str], str],
                   updated_at: datetime) -> dict[str, Any]:
    """The `expert_profile` document the user card shows: the skills as the expert wrote them, their
    languages and availability in the three languages."""
    skills = [text for text in (_short(s) for s in profile.skills) if text is not None]
    document: dict[str, Any] = {
        "skills": skills[:MAX_SKILLS],
        "languages": [{locale: _capitalised(language_label(code, locale)) for locale in LOCALES}
                      for code in profile.languages[:MAX_LANGUAGES]],
        "availability": _availability(profile, translator),
    }
    return _versioned(document, updated_at)


def _capitalised(label: str) -> str:
    """"français" as a card shows it: "Français" (Arabic has no case)."""
    return label[:1].upper() + label[1:]


def _availability(profile: ExpertProfile, translator: Translator) -> dict[str, str] | None:
    if profile.availability_hours is None and not profile.modes:
        return None
    texts = {}
    for locale in LOCALES:
        parts = [translator.translate("reasons.hours", locale, hours=f"{profile.availability_hours:g}")
                 ] if profile.availability_hours is not None else []
        parts += [translator.translate(f"reasons.mode_name.{mode}", locale) for mode in profile.modes]
        texts[locale] = _short(translator.translate("common.list_separator", locale).join(parts)) or "-"
    return texts


def _versioned(document: dict[str, Any], updated_at: datetime) -> dict[str, Any]:
    """The document with its `updated_at` and a `version` hashed from everything else: the same
    document pushed twice is one update."""
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {**document, "updated_at": _moment(updated_at), "version": digest[:32]}


def _intro_state(intro: Introduction) -> str | None:
    if intro.status == PENDING:
        return "asked" if intro.pm_topic_id is not None else "approved"
    return _STATES.get(intro.status)


def _candidate(rank: int, username: str, name: str | None, band: str, reasons: Sequence[str],
               volunteered: bool, asked_elsewhere: bool, state: str) -> dict[str, Any]:
    return {"rank": rank, "username": username, "name": _short(name), "score_band": band,
            "reasons": [_short(r) or "-" for r in reasons[:MAX_REASONS]], "volunteered": volunteered,
            "asked_elsewhere": asked_elsewhere, "state": state}


def _short(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _moment(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def state_key(need_topic_id: int, version: str) -> str:
    """The outbox intent key of one pushed state (one row per version: the same state is sent once)."""
    return f"state:{need_topic_id}:{version}"


def profile_key(user_id: int, version: str) -> str:
    """The outbox intent key of one pushed expert profile."""
    return f"profile:{user_id}:{version}"


def forget_key(user_id: int, moment: datetime) -> str:
    """The outbox intent key of the request that makes the plugin forget a profile."""
    return f"profile-forget:{user_id}:{moment.strftime('%Y%m%dT%H%M%S%f')}"
