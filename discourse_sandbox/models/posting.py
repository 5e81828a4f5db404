"""Creating topics, replies and private messages (PostCreator / TopicCreator and their validations)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from discourse_sandbox.core.cooking import clean_title, cook, slugify
from discourse_sandbox.core.events import EventSink, PostEvent, TopicEvent
from discourse_sandbox.core.guardian import alias_allows, can_create_in_category, can_reply_to_topic
from discourse_sandbox.core.queries import known_usernames
from discourse_sandbox.core.records import Post, Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.models.tag_names import ensure_tags

TOPIC_NOT_FOUND = (
    "Something has gone wrong. Perhaps this topic was closed or deleted while you were looking at it?"
)
EXTERNAL_ID_FORMAT = re.compile(r"\A[\w-]+\Z")
EXTERNAL_ID_MAX = 50
TITLE_MAX_WORD_LENGTH = 30
_SYMBOLS = re.compile(r"[ -/\[-`:-@{-~]")


class PostRejected(Exception):
    """A create/update refused: `errors` go into Discourse's body for that failure, with `status`."""

    def __init__(self, errors: list[str], status: int = 422, kind: str = "create_post") -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
        self.status = status
        self.kind = kind  # create_post: NewPostResult body; invalid_access / invalid_parameters / plain


@dataclass
class NewPost:
    """The params of POST /posts that the sandbox honours."""

    raw: str
    title: str | None = None
    topic_id: int | None = None
    category: str | None = None
    archetype: str = "regular"
    recipients: list[str] = field(default_factory=list)
    reply_to_post_number: int | None = None
    tags: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    external_id: str | None = None
    visible: bool = True


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from the API (`created_at`), naive ones taken as UTC."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sentinel_ok(text: str, min_entropy: int) -> bool:
    """TextSentinel#valid?: enough distinct characters, not only symbols, no huge word, not shouting."""
    squeezed = re.sub(r" +", " ", text).strip()
    if not squeezed:
        return False
    if len(set(squeezed)) < min_entropy:
        return False
    if not _SYMBOLS.sub("", squeezed):
        return False
    if re.search(rf"\w{{{TITLE_MAX_WORD_LENGTH},}}(\s|$)", squeezed):
        return False
    return not (re.search(r"[A-Z]", squeezed) and squeezed == squeezed.upper())


def _length_errors(label: str, value: str, minimum: int) -> list[str]:
    if len(value.strip()) >= minimum:
        return []
    unit = "character" if minimum == 1 else "characters"
    return [f"{label} is too short (minimum is {minimum} {unit})"]


def title_errors(state: State, settings: SandboxSettings, title: str, private: bool,
                 category_id: int | None, ignore_topic_id: int | None = None) -> list[str]:
    """Topic title validations: presence, length, quality (not for PMs), uniqueness."""
    errors: list[str] = []
    if not title.strip():
        errors.append("Title can't be blank")
    minimum = settings.min_personal_message_title_length if private else settings.min_topic_title_length
    errors += _length_errors("Title", title, minimum)
    if not private and not sentinel_ok(title, settings.title_min_entropy):
        errors.append("Title seems unclear, is it a complete sentence?")
    if title.strip() and not private and not settings.allow_duplicate_topic_titles:
        lowered = title.strip().lower()
        if any(t.title.strip().lower() == lowered for t in state.topics.values()
               if t.archetype != "private_message" and t.deleted_at is None
               and t.id != ignore_topic_id):
            errors.append("Title has already been used")
    return errors


def raw_errors(settings: SandboxSettings, raw: str, first: bool, private: bool) -> list[str]:
    """Post body validations: stripped length per kind of post, then body entropy."""
    if private:
        minimum = settings.min_personal_message_post_length
    else:
        minimum = settings.min_first_post_length if first else settings.min_post_length
    errors = _length_errors("Body", raw, minimum)
    if not errors and not private and len(set(raw.strip())) < settings.body_min_entropy:
        errors.append("Body seems unclear, is it a complete sentence?")
    return errors


def external_id_errors(state: State, external_id: str | None) -> list[str]:
    """Topic#external_id: unique (case-insensitive), at most 50 characters, word characters and dashes."""
    if external_id is None:
        return []
    errors = []
    lowered = external_id.lower()
    if any((t.external_id or "").lower() == lowered for t in state.topics.values()):
        errors.append("External has already been taken")
    if len(external_id) > EXTERNAL_ID_MAX:
        errors.append(f"External is too long (maximum is {EXTERNAL_ID_MAX} characters)")
    if not EXTERNAL_ID_FORMAT.match(external_id):
        errors.append("External is invalid")
    return errors


def resolve_category(state: State, value: str | None) -> Any:
    """TopicCreator#find_category: by numeric id only (anything else finds nothing)."""
    text = str(value or "")
    return state.categories.get(int(text)) if text.isdigit() else None


def resolve_recipients(state: State, user: User, names: list[str]) -> tuple[list[int], list[int], list[str]]:
    """target_recipients: names of groups the sender may message first, the rest usernames."""
    user_ids: list[int] = []
    group_ids: list[int] = []
    unknown: list[str] = []
    for name in names:
        group = state.group_by_name(name)
        if group is not None and alias_allows(group.messageable_level, group, user):
            group_ids.append(group.id)
        elif (found := state.user_by_username(name)) is not None:
            user_ids.append(found.id)
        else:
            unknown.append(name)
    return user_ids, group_ids, unknown


def add_post(state: State, topic: Topic, user: User, raw: str, when: datetime,
             reply_to: int | None = None) -> Post:
    """Append a post to a topic and bump it."""
    topic.highest_post_number += 1
    post = Post(id=state.next_id("posts"), topic_id=topic.id, post_number=topic.highest_post_number,
                user_id=user.id, raw=raw, cooked=cook(raw, known_usernames(state)),
                created_at=when, updated_at=when,
                reply_to_post_number=reply_to if topic.highest_post_number > 1 else None)
    state.posts[post.id] = post
    topic.bumped_at = max(topic.bumped_at, when)
    topic.updated_at = max(topic.updated_at, when)
    return post


def new_topic(state: State, user: User, title: str, when: datetime, category_id: int | None,
              archetype: str = "regular") -> Topic:
    """A topic record without posts."""
    topic = Topic(id=state.next_id("topics"), title=title.strip(), slug=slugify(title),
                  user_id=user.id, created_at=when, updated_at=when, bumped_at=when,
                  category_id=category_id, archetype=archetype)
    state.topics[topic.id] = topic
    return topic


def create_post(state: State, settings: SandboxSettings, user: User, req: NewPost, now: datetime,
                events: EventSink) -> Post:
    """PostCreator: a reply when topic_id is given, otherwise a new topic or private message."""
    when = req.created_at or now
    if req.topic_id is not None:
        post = _reply(state, settings, user, req, when)
        events.emit(PostEvent("post_created", post))
        return post
    topic, post = _create_topic(state, settings, user, req, when)
    events.emit(TopicEvent("topic_created", topic))
    events.emit(PostEvent("post_created", post))
    return post


def _reply(state: State, settings: SandboxSettings, user: User, req: NewPost, when: datetime) -> Post:
    topic = state.topics.get(req.topic_id or 0)
    if topic is None or not can_reply_to_topic(state, topic, user):
        raise PostRejected([TOPIC_NOT_FOUND])
    errors = raw_errors(settings, req.raw, first=False, private=topic.archetype == "private_message")
    if errors:
        raise PostRejected(errors)
    numbers = {p.post_number for p in state.posts_of_topic(topic.id)}
    reply_to = req.reply_to_post_number if req.reply_to_post_number in numbers else None
    return add_post(state, topic, user, req.raw, when, reply_to)


def _create_topic(state: State, settings: SandboxSettings, user: User, req: NewPost,
                  when: datetime) -> tuple[Topic, Post]:
    private = req.archetype == "private_message"
    category_id = None
    if not private:
        category = resolve_category(state, req.category)
        if req.category not in (None, "") and category is None:
            raise PostRejected(["You supplied invalid parameters to the request: category"], 400,
                               "invalid_parameters")
        if category is not None and not can_create_in_category(state, category, user):
            raise PostRejected(["You are not permitted to view the requested resource."], 403,
                               "invalid_access")
        category_id = category.id if category is not None else _uncategorized_id(state)
    title = clean_title(req.title or "", settings.title_prettify)
    errors = title_errors(state, settings, title, private, category_id)
    if not private and not settings.allow_uncategorized_topics and category_id == _uncategorized_id(state):
        # Topic validates category_id: blank without one (Rails 7.1+ text), reserved when named
        named = req.category not in (None, "")
        errors.insert(0, "Category is reserved" if named else "Category can’t be blank")
    errors += raw_errors(settings, req.raw, first=True, private=private)
    errors += external_id_errors(state, req.external_id)
    if not req.visible and not user.staff:
        errors.append("Sorry, you cannot create an unlisted topic.")
    if errors:
        raise PostRejected(errors)
    user_ids: list[int] = []
    group_ids: list[int] = []
    if private:  # TopicCreator#process_private_message runs after the validations
        user_ids, group_ids, unknown = resolve_recipients(state, user, req.recipients)
        if not req.recipients:
            raise PostRejected(["You must select a valid user."])
        if unknown:
            raise PostRejected(["One of the users you are sending this message to could not be found."])
    tags: list[str] = []
    if req.tags and settings.tagging_enabled and not private:
        tags = ensure_tags(state, req.tags, user, settings.max_tag_length)
    topic = new_topic(state, user, title, when, category_id,
                      "private_message" if private else "regular")
    topic.tags, topic.external_id, topic.visible = tags, req.external_id, req.visible
    if private:
        topic.allowed_user_ids = [user.id] + [uid for uid in user_ids if uid != user.id]
        topic.allowed_group_ids = group_ids
    return topic, add_post(state, topic, user, req.raw, when)


def _uncategorized_id(state: State) -> int | None:
    # Discourse files topics without a category under the site's "Uncategorized" category.
    found = state.category_by_slug("uncategorized")
    return found.id if found else None
