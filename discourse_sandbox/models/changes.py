"""Changes to topics and posts: PostRevisor, TopicsController#update, TopicStatusUpdater, PostDestroyer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from discourse_sandbox.core.cooking import clean_title
from discourse_sandbox.core.events import EventSink, PostEvent, TopicEvent
from discourse_sandbox.core.guardian import can_create_in_category
from discourse_sandbox.core.records import Post, Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.models.posting import PostRejected, add_post, raw_errors, title_errors
from discourse_sandbox.models.revisor import Edit, revise
from discourse_sandbox.models.tag_names import ensure_tags

STATUSES = ("closed", "archived", "visible", "pinned", "pinned_globally")


# --- edits -----------------------------------------------------------------------------------

def check_raw(settings: SandboxSettings, topic: Topic, post: Post, raw: str) -> None:
    """The post's validators on a new raw (422 with Discourse's messages)."""
    errors = raw_errors(settings, raw, post.post_number == 1, topic.archetype == "private_message")
    if errors:
        raise PostRejected(errors, kind="plain")


def topic_edit(state: State, settings: SandboxSettings, topic: Topic, user: User,
               changes: dict[str, Any], edit: Edit) -> None:
    """TopicsController#update's checks: title and category validated into `edit`; tags named."""
    errors: list[str] = []
    title = clean_title(str(changes.get("title") or ""), settings.title_prettify)
    if changes.get("title") is not None and title != topic.title:  # an unchanged title is dropped
        errors += title_errors(state, settings, title, topic.archetype == "private_message",
                               topic.category_id, ignore_topic_id=topic.id)
        edit.title = title
    if changes.get("category_id") not in (None, "") and topic.archetype != "private_message":
        category = state.categories.get(int(str(changes["category_id"]))) \
            if str(changes["category_id"]).isdigit() else None
        if category is None:  # TopicsController#update: render_json_error(category.errors.not_found)
            raise PostRejected(["Category not found!"], kind="plain")
        if not can_create_in_category(state, category, user):  # ensure_can_move_topic_to_category!
            raise PostRejected(["You are not permitted to view the requested resource."], 403,
                               "invalid_access")
        if category.id != topic.category_id:  # an unchanged category is dropped
            edit.category_id = category.id
    if errors:
        raise PostRejected(errors, kind="plain")
    if "tags" in changes and settings.tagging_enabled:
        edit.tags = ensure_tags(state, changes["tags"], user, settings.max_tag_length)


def update_topic(state: State, settings: SandboxSettings, topic: Topic, user: User,
                 changes: dict[str, Any], now: datetime, events: EventSink) -> bool:
    """TopicsController#update: PostRevisor on the first post with the topic's fields. Revised?"""
    edit = Edit()
    topic_edit(state, settings, topic, user, changes, edit)
    first = next(iter(state.posts_of_topic(topic.id)), None)
    if first is None or not edit.topic_fields():
        return False
    return revise(state, settings, first, user, edit, now, events)


def set_status(state: State, settings: SandboxSettings, topic: Topic, user: User, status: str,
               enabled: bool, now: datetime, events: EventSink) -> None:
    """TopicStatusUpdater: the change, a small-action post (post_created), topic_<status>_status_updated."""
    attribute = "pinned" if status == "pinned_globally" else status
    if getattr(topic, attribute) == enabled and attribute != "pinned":
        return  # update_all touched no row; update_pinned always counts as a change
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
    events.emit(PostEvent("post_created", post))
    events.emit(TopicEvent(f"topic_{status}_status_updated", topic))


def delete_topic(state: State, topic: Topic, now: datetime, events: EventSink) -> None:
    """TopicsController#destroy: PostDestroyer on the first post, which trashes the topic."""
    first = next(iter(state.posts_of_topic(topic.id)), None)
    if first is None:
        topic.deleted_at = now
        return
    delete_post(state, first, now, events)


def delete_post(state: State, post: Post, now: datetime, events: EventSink) -> None:
    """PostDestroyer: post_destroyed, plus topic_destroyed for a first post; payloads taken before."""
    topic = state.topics[post.topic_id]
    events.emit(PostEvent("post_destroyed", post))
    if post.post_number == 1:
        events.emit(TopicEvent("topic_destroyed", topic))
        topic.deleted_at = now
        for other in state.posts_of_topic(topic.id):
            other.deleted_at = now
    post.deleted_at = now


def mark_for_deletion(state: State, post: Post, now: datetime, events: EventSink) -> None:
    """PostDestroyer#mark_for_deletion (an author, not staff): text replaced, user_deleted, post_edited."""
    topic = state.topics[post.topic_id]
    post.raw = "(topic deleted by author)" if post.post_number == 1 else "(post deleted by author)"
    post.cooked = f"<p>{post.raw}</p>"
    post.version += 1
    post.updated_at, post.user_deleted = now, True
    if post.post_number == 1:
        topic.closed = True  # update_column: no status event, no small action
    # the real trash comes delete_removed_posts_after hours later (a job the sandbox does not run)
    events.emit(PostEvent("post_edited", post))


def destroy_by_author(state: State, settings: SandboxSettings, post: Post, now: datetime,
                      events: EventSink) -> None:
    """PostDestroyer for an author: marked for deletion unless delete_removed_posts_after < 1."""
    if settings.delete_removed_posts_after < 1:
        delete_post(state, post, now, events)
    else:
        mark_for_deletion(state, post, now, events)
