"""Topics after creation: who may see and reply, edits, status changes, deletion, and the seed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from discourse_sandbox.cooking import clean_title, cook, slugify
from discourse_sandbox.posting import (
    Emission,
    NewPost,
    PostRejected,
    known_usernames,
    parse_time,
    title_errors,
    topic_filters,
)
from discourse_sandbox.seed_checks import seed_entries
from discourse_sandbox.state import Post, State, Topic, User

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox
    from discourse_sandbox.settings import SandboxSettings

STATUSES = ("closed", "archived", "visible", "pinned", "pinned_globally")


def is_participant(state: State, topic: Topic, user: User | None) -> bool:
    """A PM's allowed user, or a member of one of its allowed groups."""
    if user is None:
        return False
    if user.id in topic.allowed_user_ids:
        return True
    return bool(set(topic.allowed_group_ids) & set(state.group_ids_of(user.id)))


def can_see_topic(state: State, topic: Topic, user: User | None) -> bool:
    """Guardian#can_see_topic?: deleted and unlisted for staff, PMs for participants, else the category."""
    from discourse_sandbox.taxonomy import can_see_category

    staff = bool(user and user.staff)
    if topic.deleted_at is not None and not staff:
        return False
    if topic.archetype == "private_message":
        return bool(user and user.admin) or is_participant(state, topic, user)
    category = state.categories.get(topic.category_id) if topic.category_id is not None else None
    return category is None or can_see_category(state, category, user)


def can_reply_to_topic(state: State, topic: Topic, user: User) -> bool:
    """Guardian#can_create_post_on_topic?: open (staff excepted), not archived, category allows it."""
    from discourse_sandbox.taxonomy import can_reply_in_category

    if topic.deleted_at is not None or not can_see_topic(state, topic, user):
        return False
    if (topic.closed or topic.archived) and not user.staff:
        return False
    if topic.archived:
        return False
    if topic.archetype == "private_message":
        return True
    category = state.categories.get(topic.category_id) if topic.category_id is not None else None
    return category is None or can_reply_in_category(state, category, user)


def listable(topic: Topic, user: User | None) -> bool:
    """In topic lists: regular, not deleted, visible unless the viewer is staff."""
    if topic.archetype == "private_message" or topic.deleted_at is not None:
        return False
    return topic.visible or bool(user and user.staff)


# --- edits -----------------------------------------------------------------------------------

def edit_post(state: State, settings: SandboxSettings, post: Post, raw: str, reason: str | None,
              now: datetime) -> list[Emission]:
    """PostRevisor on raw: new version, cooked again; post_edited."""
    from discourse_sandbox.posting import raw_errors
    from discourse_sandbox.topic_json import post_payload

    topic = state.topics[post.topic_id]
    errors = raw_errors(settings, raw, post.post_number == 1, topic.archetype == "private_message")
    if errors:
        raise PostRejected(errors, kind="plain")
    if raw == post.raw:
        return []
    post.raw, post.cooked = raw, cook(raw, known_usernames(state))
    post.version += 1
    post.edit_reason = reason or None
    post.updated_at = now
    return [("post_edited", post_payload(state, post), topic_filters(topic))]


def update_topic(state: State, settings: SandboxSettings, topic: Topic, user: User,
                 changes: dict[str, Any], now: datetime, bump_first_post: bool = True) -> list[Emission]:
    """TopicsController#update: title, category and tags; a change emits topic_edited only."""
    from discourse_sandbox.taxonomy import can_create_in_category, ensure_tags
    from discourse_sandbox.topic_json import topic_payload

    errors: list[str] = []
    title = clean_title(str(changes.get("title") or ""), settings.title_prettify)
    new_title = title if changes.get("title") is not None and title != topic.title else None
    if new_title is not None:
        errors += title_errors(state, settings, new_title, topic.archetype == "private_message",
                               topic.category_id, ignore_topic_id=topic.id)
    new_category = None
    if changes.get("category_id") not in (None, "") and topic.archetype != "private_message":
        category = state.categories.get(int(str(changes["category_id"]))) \
            if str(changes["category_id"]).isdigit() else None
        if category is None:
            errors.append("Category can't be blank")
        elif not can_create_in_category(state, category, user):
            errors.append("You are not permitted to view the requested resource.")
        elif category.id != topic.category_id:
            new_category = category.id
    if errors:
        raise PostRejected(errors, kind="plain")
    changed = False
    if new_title is not None:
        topic.title, topic.slug, changed = new_title, slugify(new_title), True
    if new_category is not None:
        topic.category_id, changed = new_category, True
    if "tags" in changes and settings.tagging_enabled:
        tags = ensure_tags(state, changes["tags"], user, settings.max_tag_length)
        if tags != topic.tags:
            topic.tags, changed = tags, True
    if not changed:
        return []
    topic.updated_at = now
    first = next(iter(state.posts_of_topic(topic.id)), None)
    if first is not None and bump_first_post:
        first.version += 1
        first.updated_at = now
    return [("topic_edited", topic_payload(state, settings, topic), topic_filters(topic))]


def set_status(state: State, settings: SandboxSettings, topic: Topic, status: str, enabled: bool,
               now: datetime) -> list[Emission]:
    """TopicStatusUpdate: closed, archived, visible, pinned; topic_edited when something changed."""
    from discourse_sandbox.topic_json import topic_payload

    attribute = "pinned" if status == "pinned_globally" else status
    if getattr(topic, attribute) == enabled:
        return []
    setattr(topic, attribute, enabled)
    if attribute == "pinned":
        topic.pinned_at = now if enabled else None
    topic.updated_at = now
    return [("topic_edited", topic_payload(state, settings, topic), topic_filters(topic))]


def delete_topic(state: State, settings: SandboxSettings, topic: Topic, now: datetime) -> list[Emission]:
    """TopicsController#destroy: PostDestroyer on the first post, which trashes the topic."""
    first = next(iter(state.posts_of_topic(topic.id)), None)
    if first is None:
        topic.deleted_at = now
        return []
    return delete_post(state, settings, first, now)


def delete_post(state: State, settings: SandboxSettings, post: Post, now: datetime) -> list[Emission]:
    """PostDestroyer: post_destroyed, plus topic_destroyed for a first post; payloads taken before."""
    from discourse_sandbox.topic_json import post_payload, topic_payload

    topic = state.topics[post.topic_id]
    filters = topic_filters(topic)
    emissions: list[Emission] = [("post_destroyed", post_payload(state, post), filters)]
    if post.post_number == 1:
        emissions.append(("topic_destroyed", topic_payload(state, settings, topic), filters))
        topic.deleted_at = now
        for other in state.posts_of_topic(topic.id):
            other.deleted_at = now
    post.deleted_at = now
    return emissions


def emit_all(sandbox: Sandbox, emissions: list[Emission]) -> None:
    """Hand committed changes to the emitter (call outside the state transaction)."""
    for event, payload, filters in emissions:
        sandbox.emitter.emit(event, payload, **filters)


# --- seed ------------------------------------------------------------------------------------

def seed_topics(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `topics` (see seed.py): validated like the API, created_at honoured, no webhooks."""
    from discourse_sandbox.posting import create_post

    state, settings = sandbox.state, sandbox.settings
    with state.transaction():
        for where, entry in seed_entries("topics", entries, "title"):
            user = _seed_user(state, entry, where)
            req = NewPost(
                raw=_seed_raw(state, settings, entry, where), title=str(entry["title"]),
                category=_seed_category(state, entry, where),
                archetype=str(entry.get("archetype") or "regular"),
                recipients=[str(r) for r in entry.get("recipients") or []],
                tags=[str(t) for t in entry.get("tags") or []],
                created_at=_seed_time(entry, where), external_id=entry.get("external_id"),
            )
            try:
                post, _events = create_post(state, settings, user, req, sandbox.clock.now())
            except PostRejected as exc:
                raise ValueError(f"{where} ({entry['title']}): {'; '.join(exc.errors)}") from exc
            topic = state.topics[post.topic_id]
            topic.closed = bool(entry.get("closed", False))
            for j, reply in enumerate(entry.get("replies") or []):
                _seed_reply(sandbox, topic, reply, f"{where}.replies[{j}]")


def _seed_user(state: State, entry: dict[str, Any], where: str) -> User:
    name = str(entry.get("user") or "system")
    user = state.user_by_username(name)
    if user is None:
        raise ValueError(f"{where}: key 'user': no user named {name!r}")
    return user


def _seed_category(state: State, entry: dict[str, Any], where: str) -> str | None:
    if not entry.get("category"):
        return None
    category = state.category_by_slug(str(entry["category"]))
    if category is None:
        raise ValueError(f"{where}: key 'category': no category with slug {entry['category']!r}")
    return str(category.id)


def _seed_time(entry: dict[str, Any], where: str) -> datetime | None:
    if entry.get("created_at") in (None, ""):
        return None
    moment = parse_time(entry["created_at"].isoformat() if isinstance(entry["created_at"], datetime)
                        else entry["created_at"])
    if moment is None:
        raise ValueError(f"{where}: key 'created_at': not an ISO 8601 time: {entry['created_at']!r}")
    return moment


def _seed_raw(state: State, settings: SandboxSettings, entry: dict[str, Any], where: str) -> str:
    if entry.get("raw") is not None and entry.get("form") is not None:
        raise ValueError(f"{where}: give either 'raw' or 'form', not both")
    if entry.get("raw") is not None:
        return str(entry["raw"])
    if not isinstance(entry.get("form"), dict):
        raise ValueError(f"{where}: key 'raw' or 'form' is required")
    from discourse_sandbox.taxonomy import render_form_submission

    category = state.category_by_slug(str(entry.get("category") or ""))
    if category is None or not category.form_template_ids:
        raise ValueError(f"{where}: key 'form': category {entry.get('category')!r} has no form template")
    template = state.form_templates[category.form_template_ids[0]]
    try:
        return render_form_submission(template.template, entry["form"], settings.form_headings)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{where}: key 'form': {exc}") from exc


def _seed_reply(sandbox: Sandbox, topic: Topic, reply: Any, where: str) -> None:
    from discourse_sandbox.posting import create_post

    if not isinstance(reply, dict) or not reply.get("raw"):
        raise ValueError(f"{where}: key 'raw' is required")
    user = _seed_user(sandbox.state, reply, where)
    req = NewPost(raw=str(reply["raw"]), topic_id=topic.id, created_at=_seed_time(reply, where),
                  reply_to_post_number=reply.get("reply_to_post_number"))
    closed, topic.closed = topic.closed, False  # the story's replies came before it was closed
    try:
        create_post(sandbox.state, sandbox.settings, user, req, sandbox.clock.now())
    except PostRejected as exc:
        raise ValueError(f"{where}: {'; '.join(exc.errors)}") from exc
    finally:
        topic.closed = closed
