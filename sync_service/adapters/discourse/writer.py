"""The write side for posts: create topics, replies and PMs, edit posts, close topics; find our own.

One request per write and no retry here: an answer that does not say whether the write happened
(timeout, reset, 5xx) is an UnclearOutcome, and the outbox looks for the intent's marker before it
sends again. 429s are not writes (Discourse refuses them before the controller runs), so they are
waited out exactly as Discourse says, through the same Pacer as every read.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from sync_service.adapters.discourse.client import (
    ForumProtocolError,
    NotFound,
    Transport,
    _errors,
)
from sync_service.adapters.discourse.invites import DiscourseInvites, find_invite
from sync_service.domain.posts import marker
from sync_service.services.ports.forum import Posted, UnclearOutcome, WriteRefused

# Topic#external_id: [\w-], at most 50 characters; intent keys are longer and freer, so hash them.
EXTERNAL_ID_PREFIX = "codev-"
# Posts read from the end of a topic when looking for a reply's marker (20 a request, as Discourse pages).
LOOKUP_POSTS = 200
_CHUNK = 20
_TOPIC_PATH = re.compile(r"/t/(?:[^/]+/)?(\d+)(?:\.json)?/?$")


def external_id(key: str) -> str:
    """The topic external_id of an intent: deterministic, within Discourse's format."""
    return EXTERNAL_ID_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:40]


class DiscourseWriter:
    """Implements services.outbox.ForumWriter on a Transport (the admin key, paced)."""

    def __init__(self, transport: Transport, username: str) -> None:
        self.transport = transport
        self.username = username.lower()

    # --- sending ----------------------------------------------------------------------------

    def send(self, kind: str, payload: Mapping[str, Any], key: str) -> Posted:
        """Make the write once; UnclearOutcome, WriteRefused or ForumUnavailable when it fails."""
        if kind in ("create_topic", "private_message"):
            body: dict[str, Any] = {"title": payload["title"], "raw": payload["raw"],
                                    "external_id": external_id(key)}
            if kind == "private_message":
                body["archetype"] = "private_message"
                body["target_recipients"] = ",".join(payload["target_recipients"])
            else:
                for name in ("category", "tags"):
                    if payload.get(name) is not None:
                        body[name] = payload[name]
                if payload.get("visible") is False:
                    body["unlist_topic"] = "true"  # PostsController#create_params: visible false (staff only)
            return _posted(self._write("POST", "/posts.json", body))
        if kind == "reply":
            body = {"topic_id": payload["topic_id"], "raw": payload["raw"]}
            if payload.get("reply_to_post_number") is not None:
                body["reply_to_post_number"] = payload["reply_to_post_number"]
            return _posted(self._write("POST", "/posts.json", body))
        if kind == "edit_post":
            post: dict[str, Any] = {"raw": payload["raw"]}
            if payload.get("edit_reason"):
                post["edit_reason"] = payload["edit_reason"]
            answer = self._write("PUT", f"/posts/{int(payload['post_id'])}.json", {"post": post})
            return _posted(answer.get("post") if isinstance(answer, dict) else None)
        if kind == "put_topic_state":
            # the codev plugin's endpoint (docs/plugin.md): the same version twice is one update
            topic_id = int(payload["topic_id"])
            self._write("PUT", f"/codev/topics/{topic_id}.json", dict(payload["state"]))
            return Posted(topic_id, None)
        if kind == "put_user_profile":
            self._write("PUT", f"/codev/users/{_segment(payload['username'])}.json", dict(payload["profile"]))
            return Posted(None, None)
        if kind == "forget_user_profile":
            try:
                self._write("DELETE", f"/codev/users/{_segment(payload['username'])}.json", {})
            except WriteRefused as exc:
                if exc.status != 404:  # 404: nothing stored for them, or no plugin any more: forgotten
                    raise
            return Posted(None, None)
        if kind == "create_invite":
            # InvitesController#create: a link invite (no email), multi-use, into the named groups
            answer = self._write("POST", "/invites.json", {
                "max_redemptions_allowed": int(payload["max_redemptions_allowed"]),
                "expires_at": payload["expires_at"], "group_names": ",".join(payload["group_names"]),
                "skip_email": True})
            if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
                raise UnclearOutcome("Discourse accepted the invite but its answer names no invite")
            return Posted(None, answer["id"])  # the invite's id stands where a post's would
        if kind == "close_topic":
            topic_id = int(payload["topic_id"])
            # TopicsController#status compares enabled with the string "true"
            self._write("PUT", f"/t/{topic_id}/status.json", {"status": "closed", "enabled": "true"})
            return Posted(topic_id, None)
        if kind in ("pin_topic", "list_topic"):
            topic_id = int(payload["topic_id"])
            # pinned in its category (pinned_globally would pin it on every list); listed = visible
            status = "pinned" if kind == "pin_topic" else "visible"
            self._write("PUT", f"/t/{topic_id}/status.json", {"status": status, "enabled": "true"})
            return Posted(topic_id, None)
        raise ValueError(f"unknown outbox kind {kind!r}")

    def _write(self, method: str, path: str, body: dict[str, Any]) -> Any:
        try:
            status, _headers, raw = self.transport.send_waiting_out_429(method, path, body=body)
        except (requests.RequestException, ForumProtocolError) as exc:
            raise UnclearOutcome(f"{type(exc).__name__} on {method} {path}") from exc
        if 200 <= status < 300:
            try:
                return json.loads(raw.decode("utf-8")) if raw.strip() else {}
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                raise UnclearOutcome(f"{method} {path}: {status} with unreadable JSON") from exc
        if status >= 500:
            raise UnclearOutcome(f"HTTP {status} on {method} {path}")
        raise WriteRefused(f"{method} {path}: HTTP {status} {_errors(raw)}".rstrip(), status)

    # --- finding what an earlier attempt made -------------------------------------------------

    def locate(self, kind: str, payload: Mapping[str, Any], key: str) -> Posted | None:
        """The post an earlier attempt of this intent made, found by its marker; None if there is none."""
        try:
            if kind in ("create_topic", "private_message"):
                return self._topic_by_external_id(key)
            if kind == "reply":
                return self._reply_with_marker(int(payload["topic_id"]), key)
            if kind == "create_invite":
                return self._invite_like(payload)
        except ForumProtocolError as exc:
            raise UnclearOutcome(f"looking for {key}: {exc}") from exc
        except NotFound:
            return None
        return None

    def _topic_by_external_id(self, key: str) -> Posted | None:
        path = f"/t/external_id/{external_id(key)}.json"
        try:
            # a 429 is waited out as Discourse says: it says nothing of whether the post exists
            status, headers, _body = self.transport.send_waiting_out_429("GET", path)
        except requests.RequestException as exc:
            raise UnclearOutcome(f"{type(exc).__name__} on GET {path}") from exc
        if status == 404:
            return None
        location = headers.get("location", "").split("?")[0] if status in (301, 302) else ""
        found = _TOPIC_PATH.search(location)
        if found is None:
            raise UnclearOutcome(f"GET {path}: HTTP {status}, no topic location")
        topic_id = int(found.group(1))
        view = self.transport.get_json(f"/t/{topic_id}.json")
        stream = (view.get("post_stream") or {}).get("stream") or [] if isinstance(view, dict) else []
        return Posted(topic_id, int(stream[0]) if stream else None)

    def _invite_like(self, payload: Mapping[str, Any]) -> Posted | None:
        reader = DiscourseInvites(self.transport)
        for state in ("pending", "expired"):
            found = find_invite(reader.invites(self.username, state), payload)
            if found is not None:
                return Posted(None, found.invite_id)
        return None

    def _reply_with_marker(self, topic_id: int, key: str) -> Posted | None:
        view = self.transport.get_json(f"/t/{topic_id}.json")
        stream = [int(i) for i in (view.get("post_stream") or {}).get("stream") or []]
        recent = list(reversed(stream))[:LOOKUP_POSTS]
        mark = marker(key)
        for start in range(0, len(recent), _CHUNK):
            chunk = recent[start:start + _CHUNK]
            page = self.transport.get_json(f"/t/{topic_id}/posts.json", {"post_ids[]": chunk})
            posts = (page.get("post_stream") or {}).get("posts") or []
            ours = [p["id"] for p in posts if str(p.get("username", "")).lower() == self.username]
            for post_id in sorted(ours, reverse=True):
                post = self.transport.get_json(f"/posts/{int(post_id)}.json")
                if mark in str(post.get("raw") or ""):
                    return Posted(topic_id, int(post_id))
        return None


def _segment(username: str) -> str:
    """A username as one path segment (Discourse allows Unicode usernames)."""
    return quote(username, safe="")


def _posted(post: Any) -> Posted:
    if not isinstance(post, dict) or not isinstance(post.get("id"), int):
        raise UnclearOutcome("Discourse accepted the write but its answer names no post")
    topic_id = post.get("topic_id")
    return Posted(topic_id if isinstance(topic_id, int) else None, post["id"])
