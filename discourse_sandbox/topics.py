"""Topics after creation: who may see and reply, edits, status changes, deletion, and the seed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from discourse_sandbox.core.cooking import clean_title, cook, slugify
from discourse_sandbox.core.queries import known_usernames
from discourse_sandbox.core.records import Post, Topic, User
from discourse_sandbox.core.state import State
from discourse_sandbox.posting import Emission, PostRejected, title_errors, topic_filters

if TYPE_CHECKING:
    from discourse_sandbox.core.settings import SandboxSettings
    from discourse_sandbox.sandbox import Sandbox

STATUSES = ("closed", "archived", "visible", "pinned", "pinned_globally")


# --- edits -----------------------------------------------------------------------------------

def edit_post(state: State, settings: SandboxSettings, post: Post, raw: str, reason: str | None,
              now: datetime) -> list[Emission]:
    """PostRevisor on raw: new version, cooked again; post_edited."""
    from discourse_sandbox.posting import raw_errors
    from discourse_sandbox.serializers.posts import post_payload

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
    from discourse_sandbox.core.guardian import can_create_in_category
    from discourse_sandbox.serializers.topics import topic_payload
    from discourse_sandbox.taxonomy import ensure_tags

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
        if category is None:  # TopicsController#update: render_json_error(category.errors.not_found)
            raise PostRejected(["Category not found!"], kind="plain")
        if not can_create_in_category(state, category, user):  # ensure_can_move_topic_to_category!
            raise PostRejected(["You are not permitted to view the requested resource."], 403,
                               "invalid_access")
        if category.id != topic.category_id:
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


def set_status(state: State, settings: SandboxSettings, topic: Topic, user: User, status: str,
               enabled: bool, now: datetime) -> list[Emission]:
    """TopicStatusUpdater: the change, a small-action post (post_created), topic_<status>_status_updated."""
    from discourse_sandbox.posting import add_post
    from discourse_sandbox.serializers.posts import post_payload
    from discourse_sandbox.serializers.topics import topic_payload

    attribute = "pinned" if status == "pinned_globally" else status
    if getattr(topic, attribute) == enabled and attribute != "pinned":
        return []  # update_all touched no row; update_pinned always counts as a change
    setattr(topic, attribute, enabled)
    if attribute == "pinned":
        topic.pinned_at = now if enabled else None
    # add_moderator_post: empty raw, post_type small_action, bumps only when reopening
    bumped_at = topic.bumped_at
    post = add_post(state, topic, user, "", now)
    post.post_type, post.action_code = 3, f"{status}.{'enabled' if enabled else 'disabled'}"
    if not (status == "closed" and not enabled):
        topic.bumped_at = bumped_at
    topic.updated_at = now
    filters = topic_filters(topic)
    return [("post_created", post_payload(state, post), filters),
            (f"topic_{status}_status_updated", topic_payload(state, settings, topic), filters)]


def delete_topic(state: State, settings: SandboxSettings, topic: Topic, now: datetime) -> list[Emission]:
    """TopicsController#destroy: PostDestroyer on the first post, which trashes the topic."""
    first = next(iter(state.posts_of_topic(topic.id)), None)
    if first is None:
        topic.deleted_at = now
        return []
    return delete_post(state, settings, first, now)


def delete_post(state: State, settings: SandboxSettings, post: Post, now: datetime) -> list[Emission]:
    """PostDestroyer: post_destroyed, plus topic_destroyed for a first post; payloads taken before."""
    from discourse_sandbox.serializers.posts import post_payload
    from discourse_sandbox.serializers.topics import topic_payload

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


def mark_for_deletion(state: State, post: Post, now: datetime) -> list[Emission]:
    """PostDestroyer#mark_for_deletion (an author, not staff): text replaced, user_deleted, post_edited."""
    from discourse_sandbox.serializers.posts import post_payload

    topic = state.topics[post.topic_id]
    post.raw = "(topic deleted by author)" if post.post_number == 1 else "(post deleted by author)"
    post.cooked = f"<p>{post.raw}</p>"
    post.version += 1
    post.updated_at, post.user_deleted = now, True
    if post.post_number == 1:
        topic.closed = True  # update_column: no status event, no small action
    # the real trash comes delete_removed_posts_after hours later (a job the sandbox does not run)
    return [("post_edited", post_payload(state, post), topic_filters(topic))]


def emit_all(sandbox: Sandbox, emissions: list[Emission]) -> None:
    """Hand committed changes to the emitter (call outside the state transaction)."""
    for event, payload, filters in emissions:
        sandbox.emitter.emit(event, payload, **filters)
