"""Seed section `topics`: topics, replies and messages created as the API would, announcing nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from discourse_sandbox.core.events import NO_EVENTS
from discourse_sandbox.core.records import Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.models.forms import render_form_submission
from discourse_sandbox.models.posting import NewPost, PostRejected, create_post, parse_time
from discourse_sandbox.seed.checks import seed_entries
from discourse_sandbox.seed.target import SeedTarget


def seed_topics(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `topics` (see the package docstring): validated like the API, created_at honoured."""

    state, settings = target.state, target.settings
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
                post = create_post(state, settings, user, req, target.clock.now(), NO_EVENTS)
            except PostRejected as exc:
                raise ValueError(f"{where} ({entry['title']}): {'; '.join(exc.errors)}") from exc
            topic = state.topics[post.topic_id]
            topic.closed = bool(entry.get("closed", False))
            for j, reply in enumerate(entry.get("replies") or []):
                _seed_reply(target, topic, reply, f"{where}.replies[{j}]")


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

    category = state.category_by_slug(str(entry.get("category") or ""))
    if category is None or not category.form_template_ids:
        raise ValueError(f"{where}: key 'form': category {entry.get('category')!r} has no form template")
    template = state.form_templates[category.form_template_ids[0]]
    try:
        return render_form_submission(template.template, entry["form"], settings.form_headings)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{where}: key 'form': {exc}") from exc


def _seed_reply(target: SeedTarget, topic: Topic, reply: Any, where: str) -> None:

    if not isinstance(reply, dict) or not reply.get("raw"):
        raise ValueError(f"{where}: key 'raw' is required")
    user = _seed_user(target.state, reply, where)
    req = NewPost(raw=str(reply["raw"]), topic_id=topic.id, created_at=_seed_time(reply, where),
                  reply_to_post_number=reply.get("reply_to_post_number"))
    closed, topic.closed = topic.closed, False  # the story's replies came before it was closed
    try:
        create_post(target.state, target.settings, user, req, target.clock.now(), NO_EVENTS)
    except PostRejected as exc:
        raise ValueError(f"{where}: {'; '.join(exc.errors)}") from exc
    finally:
        topic.closed = closed
