"""Fakes of the forum's read ports: FakeForum is a ForumGateway (people, need topics) and a
ThreadReader (codev's own threads: review topics and introduction PMs, with posts, tags, closed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sync_service.services.ports.forum import (
    ForumUnavailable,
    NeedSnapshot,
    OfferSnapshot,
    PersonSnapshot,
    ThreadPost,
    ThreadSnapshot,
)

FIRST_THREAD_ID = 900  # threads get ids of their own, away from the need topics tests arrange
FIRST_POST_ID = 9000


@dataclass
class FakePost:
    """One post of a thread as the forum keeps it."""

    post_id: int
    post_number: int
    username: str
    user_id: int | None
    staff: bool
    raw: str
    reply_to_post_number: int | None = None
    edit_reasons: list[str] = field(default_factory=list)
    deleted: bool = False


@dataclass
class FakeThread:
    """A topic codev opened (or any topic tests reply in): a review topic or a private message."""

    topic_id: int
    title: str
    posts: list[FakePost] = field(default_factory=list)
    category: int | None = None
    tags: list[str] = field(default_factory=list)
    recipients: tuple[str, ...] = ()  # a private message's target_recipients, as given
    key: str | None = None  # the intent that created it (Discourse: the topic's external_id)
    closed: bool = False
    pinned: bool = False
    deleted: bool = False

    @property
    def private(self) -> bool:
        return bool(self.recipients)

    @property
    def first(self) -> FakePost:
        return self.posts[0]

    def replies(self) -> list[FakePost]:
        """Posts after the first, in order."""
        return self.posts[1:]


class FakeForum:
    """The forum as dicts of people, need topics and threads; `down = True` makes every read raise
    ForumUnavailable. Usernames in `staff` post as staff; `groups_of` reads the people's groups."""

    def __init__(self) -> None:
        self.people_by_id: dict[int, PersonSnapshot] = {}
        self.topics: dict[int, NeedSnapshot] = {}
        self.threads: dict[int, FakeThread] = {}
        self.staff: set[str] = set()
        self.down = False
        self.calls: list[tuple[str, object]] = []
        # the codev plugin's offers by need topic; None: the plugin is not installed
        self.plugin_offers: dict[int, list[OfferSnapshot]] | None = None
        # the need states codev pushed to the plugin, by topic; None: the plugin is not installed
        self.plugin_states: dict[int, dict[str, Any]] | None = None
        self.plugin_profiles: dict[str, dict[str, Any]] | None = None  # by username, as the plugin
        self._last_topic_id = FIRST_THREAD_ID - 1
        self._last_post_id = FIRST_POST_ID - 1

    # --- arranging people and need topics ---
    def put_person(self, person: PersonSnapshot) -> PersonSnapshot:
        self.people_by_id[person.user_id] = person
        return person

    def change_person(self, user_id: int, **changes: Any) -> PersonSnapshot:
        return self.put_person(replace(self.people_by_id[user_id], **changes))

    def delete_person(self, user_id: int) -> None:
        self.people_by_id.pop(user_id, None)

    def add_user(self, user_id: int, username: str, groups: tuple[str, ...] = (),
                 staff: bool = False) -> PersonSnapshot:
        """A member who is not (necessarily) an expert: a community manager, a commune's author."""
        if staff:
            self.staff.add(username)
        return self.put_person(PersonSnapshot(user_id, username, None, None, {}, groups))

    def put_topic(self, topic: NeedSnapshot) -> NeedSnapshot:
        self.topics[topic.topic_id] = topic
        return topic

    def change_topic(self, topic_id: int, **changes: Any) -> NeedSnapshot:
        return self.put_topic(replace(self.topics[topic_id], **changes))

    def delete_topic(self, topic_id: int) -> None:
        self.topics.pop(topic_id, None)

    # --- arranging threads (the writer uses these too) ---
    def open_thread(self, title: str, raw: str, username: str, category: int | None = None,
                    recipients: tuple[str, ...] = (), tags: tuple[str, ...] = (),
                    key: str | None = None) -> FakeThread:
        """A new topic with its first post."""
        self._last_topic_id += 1
        thread = FakeThread(self._last_topic_id, title, category=category, tags=list(tags),
                            recipients=tuple(recipients), key=key)
        self.threads[thread.topic_id] = thread
        self.post(thread.topic_id, username, raw)
        return thread

    def post(self, topic_id: int, username: str, raw: str,
             reply_to_post_number: int | None = None) -> FakePost:
        """A reply by this user (their user id and staff flag as the forum knows them)."""
        thread = self.threads[topic_id]
        self._last_post_id += 1
        author = self._by_username(username)
        post = FakePost(self._last_post_id, len(thread.posts) + 1, username,
                        author.user_id if author else None, username in self.staff, raw,
                        reply_to_post_number)
        thread.posts.append(post)
        return post

    def find_post(self, post_id: int) -> tuple[FakeThread, FakePost] | None:
        """The thread and post of a post id, if it exists."""
        for thread in self.threads.values():
            for post in thread.posts:
                if post.post_id == post_id and not post.deleted:
                    return thread, post
        return None

    def tag(self, topic_id: int, *tags: str) -> None:
        self.threads[topic_id].tags.extend(t for t in tags if t not in self.threads[topic_id].tags)

    def untag(self, topic_id: int, *tags: str) -> None:
        self.threads[topic_id].tags[:] = [t for t in self.threads[topic_id].tags if t not in tags]

    # --- ports.ForumGateway ---
    def person(self, username: str) -> PersonSnapshot | None:
        self._call("person", username)
        return self._by_username(username)

    def person_by_id(self, user_id: int) -> PersonSnapshot | None:
        self._call("person_by_id", user_id)
        return self.people_by_id.get(user_id)

    def need(self, topic_id: int) -> NeedSnapshot | None:
        self._call("need", topic_id)
        return self.topics.get(topic_id)

    def people(self) -> Iterator[PersonSnapshot]:
        self._call("people", None)
        yield from list(self.people_by_id.values())

    def need_topic_ids(self) -> Iterator[int]:
        self._call("need_topic_ids", None)
        yield from sorted(self.topics)

    # --- ports.ThreadReader ---
    def thread(self, topic_id: int, after_post_number: int) -> ThreadSnapshot | None:
        self._call("thread", (topic_id, after_post_number))
        thread = self.threads.get(topic_id)
        if thread is None or thread.deleted:
            return None
        posts = tuple(ThreadPost(p.post_number, p.user_id, p.username, p.staff, p.raw)
                      for p in thread.posts if p.post_number > after_post_number and not p.deleted)
        return ThreadSnapshot(topic_id, thread.closed, tuple(thread.tags), posts)

    def offers(self, topic_id: int) -> list[OfferSnapshot] | None:
        """ports.forum.OfferReader: None while `plugin_offers` is None (no plugin on this forum)."""
        self._call("offers", topic_id)
        if self.plugin_offers is None:
            return None
        return list(self.plugin_offers.get(topic_id, []))

    def groups_of(self, username: str) -> tuple[str, ...] | None:
        self._call("groups_of", username)
        person = self._by_username(username)
        return None if person is None else person.groups

    def _by_username(self, username: str) -> PersonSnapshot | None:
        # Discourse finds users by username without case (/u/<name>.json)
        wanted = username.casefold()
        return next((p for p in self.people_by_id.values() if p.username.casefold() == wanted), None)

    def _call(self, name: str, argument: object) -> None:
        self.calls.append((name, argument))
        if self.down:
            raise ForumUnavailable(f"{name}: the fake forum is down", retry_after=1.0)
