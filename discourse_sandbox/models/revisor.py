"""PostRevisor (lib/post_revisor.rb): one edit of a post and its topic, versions and revisions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from discourse_sandbox.core.cooking import cook, slugify
from discourse_sandbox.core.events import EventSink, PostEvent, TopicEvent
from discourse_sandbox.core.queries import known_usernames
from discourse_sandbox.core.records import Post, PostRevision, Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.models.posting import add_post

WHISPER = 4


@dataclass
class Edit:
    """The fields of one revise!: raw and edit_reason (post), title, category_id and tags (topic)."""

    raw: str | None = None
    edit_reason: str | None = None
    title: str | None = None
    category_id: int | None = None
    tags: list[str] | None = None

    def topic_fields(self) -> bool:
        """PostRevisor#topic_changed?: a tracked topic field is given, changed or not."""
        return self.title is not None or self.category_id is not None or self.tags is not None


def revise(state: State, settings: SandboxSettings, post: Post, editor: User, edit: Edit,
           now: datetime, events: EventSink) -> bool:
    """PostRevisor#revise!: apply a validated edit; False when nothing is given that would change."""
    topic = state.topics[post.topic_id]
    raw = edit.raw.rstrip() if edit.raw is not None else None  # cleanup_whitespaces
    reason = edit.edit_reason or None
    post_changed = ((raw is not None and raw != post.raw)
                    or (reason is not None and reason != post.edit_reason))
    if not (post_changed or edit.topic_fields()):
        return False
    last_version_at = post.last_version_at or post.created_at
    new_version = ((post.last_editor_id or post.user_id) != editor.id
                   or not _grace_period_edit(settings, post, editor, raw, last_version_at, now)
                   or (reason is not None and reason != post.edit_reason))
    original = _cached_original(post, last_version_at, now)
    if new_version:
        post.version += 1
        post.last_version_at = now
    elif original is None:
        expires = now + timedelta(seconds=settings.editing_grace_period + 1)
        post.grace_original = (last_version_at, expires, post.raw, post.cooked)
    modifications = _update_post(state, post, editor, raw, reason, new_version, now)
    modifications.update(_update_topic(state, settings, topic, editor, edit, now, events))
    if new_version:
        _create_revision(post, editor, modifications, original, now)
    else:
        _update_revision(post, editor, modifications)
    if new_version and _is_last_post(state, post) and post.post_type != WHISPER:
        topic.bumped_at = now  # bump_topic
    if edit.tags is not None and "tags" in modifications:
        old_tags, new_tags = modifications["tags"]
        _whisper(state, settings, topic, editor, _tags_changed_raw(old_tags, new_tags), "tags_changed",
                 now, events)
    if topic.deleted_at is None:
        if post.post_number == 1 and edit.topic_fields():
            events.emit(TopicEvent("topic_edited", topic))
        else:
            events.emit(PostEvent("post_edited", post))
    return True


def _cached_original(post: Post, last_version_at: datetime, now: datetime) -> tuple[str, str] | None:
    """The raw and cooked the grace period started from, while that redis entry lives."""
    cached = post.grace_original
    if cached is None or cached[0] != last_version_at or cached[1] < now:
        return None
    return cached[2], cached[3]


def _grace_period_edit(settings: SandboxSettings, post: Post, editor: User, raw: str | None,
                       last_version_at: datetime, now: datetime) -> bool:
    """PostRevisor#grace_period_edit?: soon enough after the last version and a small enough change."""
    if (now - last_version_at).total_seconds() > settings.editing_grace_period:
        return False
    if raw is None:
        return True
    max_diff = settings.editing_grace_period_max_diff
    if editor.staff or editor.trust_level > 1:
        max_diff = settings.editing_grace_period_max_diff_high_trust
    cached = _cached_original(post, last_version_at, now)
    original = cached[0] if cached else post.raw
    return abs(len(original) - len(raw)) <= max_diff and _diff_size(original, raw) <= max_diff


def _diff_size(before: str, after: str) -> int:
    """ONPDiff#short_diff: the characters deleted plus inserted (a longest-common-subsequence diff)."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    common = sum(block.size for block in matcher.get_matching_blocks())
    return len(before) + len(after) - 2 * common


def _update_post(state: State, post: Post, editor: User, raw: str | None, reason: str | None,
                 new_version: bool, now: datetime) -> dict[str, list[Any]]:
    """PostRevisor#update_post: the tracked fields, last_editor_id; their [before, after]."""
    changes: dict[str, list[Any]] = {}
    if raw is not None and raw != post.raw:
        cooked = cook(raw, known_usernames(state))
        changes["raw"], changes["cooked"] = [post.raw, raw], [post.cooked, cooked]
        post.raw, post.cooked = raw, cooked
    # a new version takes the given reason, or none; within the grace period a given one is kept
    if (new_version or reason is not None) and reason != post.edit_reason:
        changes["edit_reason"] = [post.edit_reason, reason]
        post.edit_reason = reason
    saved = bool(changes) or new_version or (post.last_editor_id or post.user_id) != editor.id
    post.last_editor_id = editor.id
    if saved:
        post.updated_at = now
    return changes


def _update_topic(state: State, settings: SandboxSettings, topic: Topic, editor: User, edit: Edit,
                  now: datetime, events: EventSink) -> dict[str, list[Any]]:
    """The tracked topic fields (title, category_id, tags): each change, with its whisper."""
    diff: dict[str, list[Any]] = {}
    if edit.title is not None and edit.title != topic.title:
        diff["title"] = [topic.title, edit.title]
        topic.title, topic.slug = edit.title, slugify(edit.title)
    if edit.category_id is not None and edit.category_id != topic.category_id:
        old = state.categories.get(topic.category_id) if topic.category_id is not None else None
        new = state.categories.get(edit.category_id)
        diff["category_id"] = [topic.category_id, edit.category_id]
        topic.category_id = edit.category_id
        if old is not None and new is not None:
            _whisper(state, settings, topic, editor, f"Moved from #{old.slug} to #{new.slug}",
                     "category_changed", now, events)
    if edit.tags is not None and sorted(edit.tags) != sorted(topic.tags):
        diff["tags"] = [list(topic.tags), list(edit.tags)]
        topic.tags = list(edit.tags)
    if diff:
        topic.updated_at = now
    return diff


def _create_revision(post: Post, editor: User, modifications: dict[str, list[Any]],
                     original: tuple[str, str] | None, now: datetime) -> None:
    """PostRevisor#create_revision: version `post.version`, starting from the grace period's original."""
    if original is not None:
        if "raw" in modifications:
            modifications["raw"][0] = original[0]
        if "cooked" in modifications:
            modifications["cooked"][0] = original[1]
    post.revisions[post.version] = PostRevision(post.version, editor.id, modifications, now)


def _update_revision(post: Post, editor: User, modifications: dict[str, list[Any]]) -> None:
    """PostRevisor#update_revision: merge into the last revision; one undone entirely is dropped."""
    revision = post.revisions.get(post.version)
    if revision is None:
        return
    revision.user_id = editor.id
    for name, (before, after) in modifications.items():
        if name not in revision.modifications:
            revision.modifications[name] = [before, after]
        elif str(revision.modifications[name][0]) != str(after):
            revision.modifications[name] = [revision.modifications[name][0], after]
        else:
            del revision.modifications[name]
    if revision.modifications:
        return
    del post.revisions[post.version]
    earlier = [post.revisions[n] for n in sorted(post.revisions)]
    post.last_editor_id = earlier[-1].user_id if earlier else post.user_id
    post.version -= 1


def _is_last_post(state: State, post: Post) -> bool:
    return not any(p.post_number > post.post_number for p in state.posts_of_topic(post.topic_id))


def _tags_changed_raw(before: list[str], after: list[str]) -> str:
    """PostRevisor.tags_changed_raw: the added and removed tags, each list sorted, as #tag."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))

    def listed(names: list[str]) -> str:
        return ", ".join(f"#{name}" for name in names)

    if added and removed:
        return f"Added {listed(added)} and removed {listed(removed)}"
    return f"Added {listed(added)}" if added else f"Removed {listed(removed)}"


def _whisper(state: State, settings: SandboxSettings, topic: Topic, user: User, raw: str,
             action_code: str, now: datetime, events: EventSink) -> None:
    """create_small_action_for_{category,tag}_change(s): add_moderator_post as a whisper, no bump."""
    if not settings.create_post_for_category_and_tag_changes or not settings.whispers_allowed_groups:
        return
    bumped_at = topic.bumped_at
    post = add_post(state, topic, user, raw, now)
    post.post_type, post.action_code = WHISPER, action_code
    topic.bumped_at = bumped_at
    events.emit(PostEvent("post_created", post))
