"""Webhook bodies: strict decoding, and the event table saying which entity a delivery asks to refetch.

The payload is only a hint (STYLE.md): the worker refetches the topic or user through the API. So
nothing is kept of the body but ids, versions and the username; never the e-mail address that user
payloads carry, never a bio or a post's raw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync_service.domain.provisioning import OFFER_EVENTS, OLD_EVENT_NAMES
from sync_service.services.ports.storage import EntityRef

MAX_DEPTH = 32  # Discourse's payloads nest 4 or 5 levels deep
MAX_INT = 2**63  # ids are bigint in Discourse's database
PING = "ping"
UNKNOWN_EVENT = "unknown event"
_NAME = re.compile(r"[a-z0-9_]{1,64}")
_EVENT_ID = re.compile(r"[0-9]{1,32}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_NUL_OR_SURROGATE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class MalformedDelivery(Exception):
    """The body or headers break the contract (a 400); `reason` is a short code for the record."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Delivery:
    """What the inbox keeps of one accepted delivery: the entity to refetch, or why it is ignored."""

    event: str
    event_type: str
    discourse_event_id: str | None
    ref: EntityRef | None
    hint: Mapping[str, Any] = field(default_factory=dict)
    ignored_because: str | None = None  # None: to process; else stored as ignored (unknown event...)

    @property
    def is_ping(self) -> bool:
        return self.event == PING


# --- strict JSON ------------------------------------------------------------------------------

def _refuse_constant(name: str) -> Any:
    raise MalformedDelivery("json_constant", f"{name} is not JSON")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise MalformedDelivery("json_duplicate_key", "an object repeats a key")
    return result


def decode_body(body: bytes) -> Any:
    """Parse `body` as strict UTF-8 JSON: no NaN/Infinity, no repeated keys, no NUL, no lone surrogate."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedDelivery("not_utf8", f"byte {exc.start}") from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates)
    except RecursionError:
        raise MalformedDelivery("json_too_deep", f"more than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, and ints past Python's 4300-digit limit
        raise MalformedDelivery("not_json", str(exc)[:120]) from None
    _check_tree(document, text)
    return document


def _check_tree(document: Any, text: str) -> None:
    """Depth cap, and text that PostgreSQL (NUL) or UTF-8 encoders (lone surrogates) would refuse later."""
    # Strict UTF-8 cannot carry either one, so only an escape can: look at every text only then.
    check_texts = _ESCAPED_NUL_OR_SURROGATE.search(text) is not None
    # No deeper than the number of brackets (those in texts included): most bodies need no walk.
    if not check_texts and text.count("{") + text.count("[") <= MAX_DEPTH:
        return
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node)
            continue
        if depth > MAX_DEPTH:
            raise MalformedDelivery("json_too_deep", f"more than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            if check_texts:
                for key in node:
                    _check_text(key)
            children = node.values()
        else:
            children = node
        for child in children:
            if isinstance(child, dict | list) or (check_texts and isinstance(child, str)):
                stack.append((child, depth + 1))


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise MalformedDelivery("json_nul", "a text holds U+0000")
    if not text.isascii() and _SURROGATE.search(text):
        raise MalformedDelivery("json_surrogate", "a text holds a lone surrogate")


# --- fields -----------------------------------------------------------------------------------

def _int(payload: Mapping[str, Any], key: str, required: bool = True) -> int | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    return _required_int(payload, key)


def _required_int(payload: Mapping[str, Any], key: str) -> int:
    value = payload.get(key)
    if type(value) is not int or not -MAX_INT < value < MAX_INT:  # bool is not an id
        raise MalformedDelivery("wrong_type", f"{key}: expected an integer, found {type(value).__name__}")
    return value


def _text(payload: Mapping[str, Any], key: str, limit: int, required: bool = False) -> str | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise MalformedDelivery("wrong_type", f"{key}: expected a text of 1 to {limit} characters")
    return value


# --- the event table ----------------------------------------------------------------------------

PRIVATE_MESSAGE = "private_message"

Reader = Callable[[str, Mapping[str, Any]], tuple[EntityRef | None, dict[str, Any]]]


def _topic(event: str, topic: Mapping[str, Any]) -> tuple[EntityRef | None, dict[str, Any]]:
    topic_id = _required_int(topic, "id")
    hint = {"topic_id": topic_id, "user_id": _int(topic, "user_id", False),
            "category_id": _int(topic, "category_id", False),
            "archetype": _text(topic, "archetype", 32)}
    if hint["archetype"] == PRIVATE_MESSAGE:
        return None, hint  # a PM is never a need (a PM made public fires again as a regular topic)
    return EntityRef("need", str(topic_id), event), hint


def _post(event: str, post: Mapping[str, Any]) -> tuple[EntityRef | None, dict[str, Any]]:
    """A first post asks for its need; a reply written or edited asks for its thread (the brokerage's).

    Other replies (deleted, recovered) and moderators' small actions are kept as ignored rows.
    """
    topic_id = _required_int(post, "topic_id")
    post_number = _required_int(post, "post_number")
    hint = {"post_id": _required_int(post, "id"), "topic_id": topic_id, "post_number": post_number,
            "version": _int(post, "version", False), "updated_at": _text(post, "updated_at", 40),
            "user_id": _int(post, "user_id", False), "category_id": _int(post, "category_id", False),
            "archetype": _text(post, "topic_archetype", 32)}
    if post_number == 1:
        # a PM's first post is codev's own introduction or digest, or a conversation codev does not read
        need = EntityRef("need", str(topic_id), event)
        return (None if hint["archetype"] == PRIVATE_MESSAGE else need), hint
    if event in _THREAD_POST_EVENTS and _int(post, "post_type", False) in _WRITTEN_POST_TYPES:
        return EntityRef("thread", str(topic_id), event), hint
    return None, hint


# A reply that someone wrote (regular, or a staff whisper; a missing post_type counts as regular),
# as opposed to Discourse's own moderator actions and small actions ("closed.enabled"...).
_WRITTEN_POST_TYPES = (None, 1, 4)
_THREAD_POST_EVENTS = frozenset({"post_created", "post_edited"})


def _user(event: str, user: Mapping[str, Any]) -> tuple[EntityRef | None, dict[str, Any]]:
    user_id = _required_int(user, "id")
    hint = {"user_id": user_id, "username": _text(user, "username", 60, required=True)}
    return EntityRef("person", str(user_id), event), hint


def _group_user(event: str, member: Mapping[str, Any]) -> tuple[EntityRef | None, dict[str, Any]]:
    """Joining or leaving the experts' group changes who is matchable."""
    user_id = _required_int(member, "user_id")
    hint = {"user_id": user_id, "group_id": _int(member, "group_id", False)}
    return EntityRef("person", str(user_id), event), hint


def _offer(event: str, offer: Mapping[str, Any]) -> tuple[EntityRef | None, dict[str, Any]]:
    """The plugin's "Je peux aider" pressed or withdrawn: a hint to read the need's offers again."""
    topic_id = _required_int(offer, "topic_id")
    hint = {"topic_id": topic_id, "user_id": _required_int(offer, "user_id"),
            "username": _text(offer, "username", 60, required=True)}
    return EntityRef("offers", str(topic_id), event), hint


_TOPIC_STATUSES = ("closed", "autoclosed", "archived", "visible", "pinned", "pinned_globally")

# Discourse event name -> (the body's key, which must equal X-Discourse-Event-Type; the reader).
EVENTS: dict[str, tuple[str, Reader]] = {
    **{f"topic_{verb}": ("topic", _topic)
       for verb in ("created", "revised", "edited", "destroyed", "recovered")},
    # TopicStatusUpdater: DiscourseEvent :topic_status_updated -> "topic_<status>_status_updated"
    **{f"topic_{status}_status_updated": ("topic", _topic) for status in _TOPIC_STATUSES},
    **{f"post_{verb}": ("post", _post) for verb in ("created", "edited", "destroyed", "recovered")},
    **{f"user_{verb}": ("user", _user)
       for verb in ("created", "approved", "updated", "destroyed", "confirmed_email", "suspended",
                    "unsuspended")},
    # Discourse sends user_added_to_group / user_removed_from_group; older notes named them otherwise.
    **{name: ("group_user", _group_user) for pair in OLD_EVENT_NAMES.items() for name in pair},
    # the codev plugin's events (discourse_plugin, docs/plugin.md): body {"codev_offer": {...}}
    **{name: ("codev_offer", _offer) for name in OFFER_EVENTS},
}

# Events Discourse sends that say nothing about a need or an expert: stored as `ignored`.
IGNORED: frozenset[str] = frozenset({
    "user_logged_in", "user_logged_out",
    "group_created", "group_updated", "group_destroyed",
    "category_created", "category_updated", "category_destroyed",
    "tag_created", "tag_updated", "tag_destroyed",
    "reviewable_created", "reviewable_updated", "reviewable_score_updated", "reviewable_transitioned_to",
    "notification_created", "user_badge_granted", "user_badge_revoked", "like_created", "post_liked",
    "user_promoted_created", "user_promoted",
    "flag_created", "flag_agreed", "flag_disagreed", "flag_deferred",
    "queued_post_created", "approved_post", "rejected_post",
    "solved_accepted_solution", "solved_unaccepted_solution", "accepted_solution", "unaccepted_solution",
    "assign_assigned", "assign_unassigned", "assigned", "unassigned",
    "voting_topic_upvote", "voting_topic_unvote", "topic_upvote", "topic_unvote",
    "chat_message_created", "chat_message_edited", "chat_message_trashed", "chat_message_restored",
})


def _why_ignored(event: str) -> str:
    """Why a post event asks for nothing: a reply deleted or recovered, or Discourse's own small action."""
    return "not a first post" if event not in _THREAD_POST_EVENTS else "not a written reply"


def read_delivery(event: str | None, event_type: str | None, event_id: str | None, body: bytes) -> Delivery:
    """Check the headers and body of one (already authenticated) delivery and say what to store."""
    if not event or not _NAME.fullmatch(event):
        raise MalformedDelivery("bad_event_header", "X-Discourse-Event")
    if not event_type or not _NAME.fullmatch(event_type):
        raise MalformedDelivery("bad_event_type_header", "X-Discourse-Event-Type")
    if event_id is not None and not _EVENT_ID.fullmatch(event_id):
        raise MalformedDelivery("bad_event_id_header", "X-Discourse-Event-Id")
    document = decode_body(body)
    if not isinstance(document, dict) or list(document) != [event_type]:
        raise MalformedDelivery("wrong_shape", f"expected an object with the one key {event_type!r}")
    payload = document[event_type]
    if event == PING:
        if event_type != PING or not isinstance(payload, str):
            raise MalformedDelivery("wrong_shape", 'a ping is {"ping": "OK"}')
        return Delivery(event, event_type, event_id, None)
    if event in IGNORED:
        return Delivery(event, event_type, event_id, None, ignored_because="ignored event")
    rule = EVENTS.get(event)
    if rule is None:
        return Delivery(event, event_type, event_id, None, ignored_because=UNKNOWN_EVENT)
    expected_type, reader = rule
    if event_type != expected_type:
        raise MalformedDelivery("event_type_mismatch", f"{event} is sent as {expected_type!r}")
    if not isinstance(payload, dict):
        raise MalformedDelivery("wrong_shape", f"{event_type}: expected an object")
    ref, hint = reader(event, payload)
    if ref is None:
        why = "a private message's topic" if hint.get("archetype") == PRIVATE_MESSAGE and \
            hint.get("post_number", 1) == 1 else _why_ignored(event)
        return Delivery(event, event_type, event_id, None, hint, ignored_because=why)
    return Delivery(event, event_type, event_id, ref, hint)
