"""Fakes of the forum's write ports: FakeWriter (ForumWriter) writes into a FakeForum's threads;
FakeAdmin (ForumAdmin) applies provisioning actions to a ForumState."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sync_service.domain.posts import marker
from sync_service.domain.provisioning import Action, Existing, ForumState, ForumStructure
from sync_service.services.ports.forum import (
    ForumRefused,
    ForumUnavailable,
    Posted,
    WriteRefused,
)
from tests.service.unit.fakes.forum import FakeForum, FakeThread

CREATES = ("create_topic", "private_message")


@dataclass(frozen=True)
class Sent:
    """One write the forum carried out."""

    kind: str
    key: str
    payload: Mapping[str, Any]
    posted: Posted


@dataclass(frozen=True)
class Failure:
    """How the next matching write fails; `written`: the forum made it before the failure (an
    UnclearOutcome whose request did reach Discourse)."""

    error: Exception
    written: bool
    key_prefix: str | None


class FakeWriter:
    """ports.ForumWriter on a FakeForum, posting as `username`. Every write lands in the forum's
    threads (so the readers see it) and in `sent`; `fail_next` makes writes fail. As the real writer,
    `locate` finds a topic by the external id its create gave it (the intent key) and a reply by its
    intent marker (`<!-- codev:intent:KEY -->`) among the writer's own posts."""

    def __init__(self, forum: FakeForum, username: str = "codev") -> None:
        self.forum = forum
        self.username = username
        self.sent: list[Sent] = []
        self.located: list[str] = []
        self.failures: list[Failure] = []
        self.invites: list[tuple[int, dict[str, Any]]] = []  # (invite id, what create_invite asked)

    def fail_next(self, error: Exception, *, written: bool = False, key_prefix: str | None = None,
                  times: int = 1) -> None:
        """The next `times` writes (of keys starting with `key_prefix`, if given) raise `error`."""
        self.failures += [Failure(error, written, key_prefix)] * times

    def keys(self, kind: str | None = None) -> list[str]:
        """Intent keys of the writes made, in order."""
        return [s.key for s in self.sent if kind is None or s.kind == kind]

    # --- ports.ForumWriter ---
    def send(self, kind: str, payload: Mapping[str, Any], key: str) -> Posted:
        failure = self._failure(key)
        if self.forum.down:
            raise ForumUnavailable("the fake forum is down", retry_after=1.0)
        if failure is not None and not failure.written:
            raise failure.error
        posted = self._write(kind, payload, key)
        self.sent.append(Sent(kind, key, dict(payload), posted))
        if failure is not None:
            raise failure.error
        return posted

    def locate(self, kind: str, payload: Mapping[str, Any], key: str) -> Posted | None:
        self.located.append(key)
        if self.forum.down:
            raise ForumUnavailable("the fake forum is down", retry_after=1.0)
        if kind in CREATES:
            thread = self._created(key)
            return Posted(thread.topic_id, thread.first.post_id) if thread is not None else None
        if kind == "create_invite":  # no external id: the same expiry, uses and groups (as the real one)
            same = [i for i, asked in self.invites if _invite_fields(asked) == _invite_fields(payload)]
            return Posted(None, same[0]) if same else None
        if kind == "reply":
            thread = self.forum.threads.get(int(payload["topic_id"]))
            mine = [p for p in (thread.posts if thread is not None and not thread.deleted else [])
                    if p.username == self.username and not p.deleted and marker(key) in p.raw]
            return Posted(thread.topic_id, mine[-1].post_id) if thread is not None and mine else None
        return None

    # --- what the forum does ---
    def _write(self, kind: str, payload: Mapping[str, Any], key: str) -> Posted:
        if kind in CREATES:
            if self._created(key) is not None:  # Discourse: external_id has already been taken
                raise WriteRefused(f"{kind} {key}: HTTP 422 external id taken", 422)
            recipients = tuple(payload["target_recipients"]) if kind == "private_message" else ()
            thread = self.forum.open_thread(str(payload["title"]), str(payload["raw"]), self.username,
                                            category=payload.get("category"), recipients=recipients,
                                            tags=tuple(payload.get("tags") or ()), key=key)
            return Posted(thread.topic_id, thread.first.post_id)
        if kind == "create_invite":
            invite_id = 500 + len(self.invites)
            self.invites.append((invite_id, dict(payload)))
            return Posted(None, invite_id)
        if kind == "reply":
            thread = self._thread(int(payload["topic_id"]))
            post = self.forum.post(thread.topic_id, self.username, str(payload["raw"]),
                                   payload.get("reply_to_post_number"))
            return Posted(thread.topic_id, post.post_id)
        if kind == "edit_post":
            found = self.forum.find_post(int(payload["post_id"]))
            if found is None:
                raise WriteRefused(f"edit_post {key}: HTTP 404", 404)
            thread, post = found
            post.raw = str(payload["raw"])
            post.edit_reasons.append(str(payload.get("edit_reason") or ""))
            return Posted(thread.topic_id, post.post_id)
        if kind == "put_topic_state":
            topic_id = int(payload["topic_id"])
            if self.forum.plugin_states is None:
                raise WriteRefused(f"put_topic_state {key}: HTTP 404 (no plugin)", 404)
            self.forum.plugin_states[topic_id] = dict(payload["state"])
            return Posted(topic_id, None)
        if kind in ("put_user_profile", "forget_user_profile"):
            username = str(payload["username"])
            if self.forum.plugin_profiles is None:
                if kind == "forget_user_profile":
                    return Posted(None, None)  # the real writer: a 404 on forgetting is forgotten
                raise WriteRefused(f"{kind} {key}: HTTP 404 (no plugin)", 404)
            if kind == "put_user_profile":
                self.forum.plugin_profiles[username] = dict(payload["profile"])
            else:
                self.forum.plugin_profiles.pop(username, None)
            return Posted(None, None)
        if kind == "close_topic":
            topic_id = int(payload["topic_id"])
            if topic_id in self.forum.topics:
                self.forum.change_topic(topic_id, closed=True)
            else:
                self._thread(topic_id).closed = True
            return Posted(topic_id, None)
        if kind == "list_topic":
            topic_id = int(payload["topic_id"])
            if topic_id in self.forum.topics:
                self.forum.change_topic(topic_id, visible=True)
            return Posted(topic_id, None)
        if kind == "pin_topic":
            self._thread(int(payload["topic_id"])).pinned = True
            return Posted(int(payload["topic_id"]), None)
        raise ValueError(f"unknown outbox kind {kind!r}")

    def _thread(self, topic_id: int) -> FakeThread:
        thread = self.forum.threads.get(topic_id)
        if thread is None or thread.deleted:
            raise WriteRefused(f"topic {topic_id}: HTTP 404", 404)
        return thread

    def _created(self, key: str) -> FakeThread | None:
        """The topic an earlier create of this intent made (by its external id)."""
        return next((t for t in self.forum.threads.values() if not t.deleted and t.key == key), None)

    def _failure(self, key: str) -> Failure | None:
        for index, failure in enumerate(self.failures):
            if failure.key_prefix is None or key.startswith(failure.key_prefix):
                return self.failures.pop(index)
        return None


def _invite_fields(payload: Mapping[str, Any]) -> tuple[Any, ...]:
    return (payload.get("expires_at"), payload.get("max_redemptions_allowed"),
            tuple(payload.get("group_names") or ()))


_STATE_FIELDS = {"group": "groups", "user_field": "user_fields", "tag_group": "tag_groups",
                 "form_template": "form_templates", "category": "categories", "webhook": "webhooks"}


class FakeAdmin:
    """ports.ForumAdmin in memory: applies actions to a ForumState; may refuse one kind of action."""

    def __init__(self, state: ForumState | None = None, refuse: str | None = None,
                 down: bool = False) -> None:
        self.state = state or ForumState()
        self.refuse = refuse
        self.down = down
        self.writes: list[Action] = []
        self.plugin: dict[str, int] = {}  # the codev plugin's event types; empty: no plugin

    def read_structure(self, desired: ForumStructure) -> ForumState:
        if self.down:
            raise ForumUnavailable("the fake forum is down")
        return self.state

    def plugin_events(self) -> dict[str, int]:
        if self.down:
            raise ForumUnavailable("the fake forum is down")
        return dict(self.plugin)

    def apply(self, action: Action) -> None:
        if self.down:
            raise ForumUnavailable("the fake forum is down")
        if action.kind == self.refuse:
            raise ForumRefused(action.describe(), "HTTP 422", "fix it")
        self.writes.append(action)
        name = _STATE_FIELDS[action.kind]
        items = [e for e in getattr(self.state, name) if e.id != action.target_id]
        items.append(Existing(action.target_id or 1000 + len(self.writes), action.spec))
        self.state = replace(self.state, **{name: tuple(items)})
