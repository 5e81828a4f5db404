"""DiscourseGateway: ports.ForumGateway over Discourse's REST API (the only code that speaks its words)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from sync_service.adapters.discourse.categories import CategoryCatalog
from sync_service.adapters.discourse.client import (
    Forbidden,
    ForumProtocolError,
    GatewayClient,
    NotFound,
    Transport,
    path_segment,
)
from sync_service.adapters.discourse.pacing import Clock
from sync_service.adapters.discourse.people import group_names, parse_time, person_from_json
from sync_service.adapters.discourse.threads import read_thread
from sync_service.adapters.discourse.topics import (
    author_of,
    first_post_id,
    is_need_candidate,
    need_from_json,
)
from sync_service.config.settings import ForumSettings
from sync_service.services.ports.forum import (
    AccessDenied,
    ForumUnavailable,
    NeedSnapshot,
    OfferSnapshot,
    PersonSnapshot,
    ThreadSnapshot,
)

log = logging.getLogger(__name__)

ADMIN_PAGE_SIZE = 100        # /admin/users/list pages (AdminUserIndexQuery)
MAX_PAGES = 10_000           # a guard against a listing that never ends
FIELD_REFRESH_SECONDS = 60.0  # an unknown user field id refreshes the site's list at most this often
# Usernames Discourse accepts (UsernameValidator, unicode_usernames on); anything else cannot exist.
_USERNAME = re.compile(r"^[\w.\-]{1,60}$")


class ForumAccessError(AccessDenied):
    """The API key is refused or is not an admin key, or the needs category is missing.

    Nothing the forum says can be trusted then (a 404 could be a refusal), so it is "unavailable":
    work waits for a person to fix the configuration instead of being parked or purging anyone.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, retry_after=60.0)
        log.error("Discourse access: %s", message)


class DiscourseGateway:
    """Reads people, needs and codev's own threads from one Discourse site with an admin API key."""

    def __init__(self, transport: Transport, forum: ForumSettings, *, clock: Clock = time.monotonic,
                 author_cache_seconds: float = 60.0) -> None:
        self.transport = transport
        self._client = GatewayClient(self.transport)
        self._forum = forum
        self._clock = clock
        self._author_cache_seconds = author_cache_seconds
        self._fields: dict[str, tuple[str, str]] | None = None
        self._fields_at = float("-inf")
        self._categories = CategoryCatalog(
            lambda: self._call(self._client._get, "/categories.json", include_subcategories="true"))
        self._author_groups: dict[str, tuple[float, tuple[str, ...]]] = {}

    # --- people ------------------------------------------------------------------------------

    def person(self, username: str) -> PersonSnapshot | None:
        """The person now (GET /u/{username}.json), or None if the forum has no such user."""
        self._site_fields()  # an admin route: proves the key is an admin's before a 404 is believed
        user = self._user_json(username)
        return None if user is None else self._snapshot(user)

    def person_by_id(self, user_id: int) -> PersonSnapshot | None:
        """The person by forum id (GET /admin/users/{id}.json, then /u/), or None if deleted."""
        self._site_fields()  # an admin route: proves the key is an admin's before a 404 is believed
        try:
            admin = self._call(self._client.user_by_id, int(user_id))
        except NotFound:
            return None
        if not isinstance(admin, dict) or not isinstance(admin.get("username"), str):
            raise ForumProtocolError(f"GET /admin/users/{user_id}.json: no username")
        user = self._user_json(admin["username"])
        if user is None:
            return None
        if user.get("id") != int(user_id):  # renamed and the name reused between the two reads
            raise ForumUnavailable(f"user {user_id} changed while being read", 1.0)
        return self._snapshot(user)

    def people(self) -> Iterator[PersonSnapshot]:
        """Every real, non-staged user, oldest first; deactivated and suspended ones included."""
        self._site_fields()
        seen: set[int] = set()
        for page in range(1, MAX_PAGES + 1):
            # "active" is Discourse's list of every user (it filters nothing); by creation date,
            # oldest first, so that users who sign up or are seen during the sweep move nobody.
            rows = self._call(self._client.list_users, "active", page=page, order="created", asc="true")
            if not isinstance(rows, list):
                raise ForumProtocolError("GET /admin/users/list/active.json: not a list")
            for row in rows:
                if not isinstance(row, dict) or not isinstance(row.get("id"), int):
                    continue
                user_id = int(row["id"])
                if user_id <= 0 or user_id in seen or row.get("staged"):
                    continue
                seen.add(user_id)
                person = self.person(str(row.get("username") or ""))
                if person is None or person.user_id != user_id:
                    person = self.person_by_id(user_id)  # renamed since the page was read
                if person is not None:
                    yield person
            if len(rows) < ADMIN_PAGE_SIZE:
                return

    def _user_json(self, username: str) -> dict[str, Any] | None:
        if not _USERNAME.match(username or ""):
            return None
        try:
            user = self._call(self._client.user, path_segment(username))
        except NotFound:
            return None
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            raise ForumProtocolError("GET /u/{username}.json: no user object")
        return user

    def _snapshot(self, user: dict[str, Any]) -> PersonSnapshot:
        fields = self._site_fields()
        given = user.get("user_fields")
        if isinstance(given, dict) and any(str(k) not in fields for k in given):
            fields = self._site_fields(refresh=True)
        return person_from_json(user, fields, self._forum.user_fields)

    def _site_fields(self, refresh: bool = False, force: bool = False) -> dict[str, tuple[str, str]]:
        """"<id>" -> (name, field_type) from GET /admin/config/user_fields.json, cached.

        Admin only: it is also how the gateway proves its key (ForumAccessError if refused).
        """
        now = self._clock()
        stale = refresh and now - self._fields_at >= FIELD_REFRESH_SECONDS
        if self._fields is None or stale or force:
            try:
                data = self._client._get("/admin/config/user_fields.json")
            except (NotFound, Forbidden) as exc:
                status = 403 if isinstance(exc, Forbidden) else 404
                raise ForumAccessError(
                    f"the forum at {self.transport.base_url} refused the API key (HTTP {status} on an admin "
                    "route): CODEV_DISCOURSE_API_KEY is wrong, revoked or not global, or "
                    "CODEV_DISCOURSE_API_USERNAME is not an admin") from exc
            rows = data.get("user_fields") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise ForumProtocolError("GET /admin/config/user_fields.json: no user_fields")
            self._fields = {str(f["id"]): (str(f.get("name") or ""), str(f.get("field_type") or ""))
                            for f in rows if isinstance(f, dict) and "id" in f}
            self._fields_at = now
        return self._fields

    # --- needs -------------------------------------------------------------------------------

    def need(self, topic_id: int) -> NeedSnapshot | None:
        """The topic now with its first post, or None if missing, deleted, hidden from us or a PM."""
        self._site_fields()  # an admin route: proves the key is an admin's before a 404 is believed
        topic = self._topic_part(f"/t/{int(topic_id)}.json")
        if topic is None or not is_need_candidate(topic) or topic.get("id") != int(topic_id):
            return None
        slug = self._categories.slug(topic.get("category_id"))
        post_id = first_post_id(topic)
        if post_id is None or self._categories.is_about_topic(int(topic_id)):
            return None
        post = self._topic_part(f"/posts/{post_id}.json")
        if post is None or post.get("deleted_at"):
            return None
        author = author_of(topic)
        groups = self._groups_of(author[1]) if author else ()
        return need_from_json(topic, post, category_slug=slug, author_groups=groups,
                              headings=self._forum.need_form_fields)

    # --- codev's threads (ports.forum.ThreadReader) -------------------------------------------

    def thread(self, topic_id: int, after_post_number: int) -> ThreadSnapshot | None:
        """A review topic or introduction PM now, with its written posts after `after_post_number`."""
        self._site_fields()  # an admin route: proves the key is an admin's before a 404 is believed
        return read_thread(self._topic_part, int(topic_id), int(after_post_number))

    def plugin_installed(self) -> bool:
        """Whether the forum has the codev plugin, enabled (GET /codev/status.json answers)."""
        self._site_fields()  # an admin route: proves the key is an admin's before a 404 is believed
        return self._topic_part("/codev/status.json") is not None

    def offers(self, topic_id: int) -> list[OfferSnapshot] | None:
        """The codev plugin's offers on the need (ports.forum.OfferReader); None without the plugin."""
        self._site_fields()  # an admin route: proves the key is an admin's before a 404 is believed
        data = self._topic_part(f"/codev/topics/{int(topic_id)}/offers.json")
        if data is None:
            return None
        rows = data.get("offers")
        if not isinstance(rows, list):
            raise ForumProtocolError(f"GET /codev/topics/{int(topic_id)}/offers.json: no offers")
        offers = []
        for row in rows:
            created = parse_time(row.get("created_at")) if isinstance(row, dict) else None
            if created is None or not isinstance(row.get("user_id"), int) or \
                    not isinstance(row.get("username"), str):
                raise ForumProtocolError(f"GET /codev/topics/{int(topic_id)}/offers.json: an offer "
                                         "without user_id, username or created_at")
            offers.append(OfferSnapshot(int(row["user_id"]), str(row["username"]), created,
                                        parse_time(row.get("withdrawn_at"))))
        return offers

    def groups_of(self, username: str) -> tuple[str, ...] | None:
        """The person's group names now (not the authors' cache), or None if there is no such user."""
        self._site_fields()
        user = self._user_json(username)
        if user is None:
            return None
        groups = group_names(user)
        if self._author_cache_seconds > 0:
            self._author_groups[username] = (self._clock(), groups)
        return groups

    def category_id(self, slug: str) -> int | None:
        """The id of the category with this slug, or None while the site has none (looked up again)."""
        return self._categories.id_of(slug)

    def need_topic_ids(self) -> Iterator[int]:
        """Ids of the needs category's topics (subcategories too) and of the needs tag's topics."""
        self._site_fields()
        slug = self._forum.needs_category
        category_id = self._categories.id_of(slug)
        if category_id is None:
            raise ForumAccessError(f"the forum at {self.transport.base_url} has no category with slug "
                                   f"{slug!r} (forum.needs_category): run `codev provision`")
        seen: set[int] = set()
        lists = [f"/c/{path_segment(slug)}/{category_id}.json"]
        if self._forum.needs_tag:
            lists.append(f"/tag/{path_segment(self._forum.needs_tag)}.json")
        for path in lists:
            for topic_id in self._listed_ids(path):
                if topic_id not in seen and not self._categories.is_about_topic(topic_id):
                    seen.add(topic_id)
                    yield topic_id

    def _call(self, method: Callable[..., Any], *args: Any, **params: Any) -> Any:
        """One pydiscourse call; a 403 is first checked against the key itself."""
        try:
            return method(*args, **params)
        except Forbidden as exc:
            self._site_fields(force=True)  # raises ForumAccessError if the key is the problem
            raise ForumProtocolError(str(exc)) from exc

    def _topic_part(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """GET a topic or post; None on 404, or on 403 once the key itself is proved good."""
        try:
            data = self._client._get(path, **(params or {}))
        except NotFound:
            return None
        except Forbidden:
            self._site_fields(force=True)  # raises ForumAccessError if the key is the problem
            return None
        if not isinstance(data, dict):
            raise ForumProtocolError(f"GET {path}: not an object")
        return data

    def _listed_ids(self, path: str) -> Iterator[int]:
        """Topic ids of a topic list, page by page (0-based `page`) while more_topics_url says so."""
        for page in range(MAX_PAGES):
            try:
                data = self._call(self._client._get, path, page=page)
            except NotFound:
                return  # a tag nobody used yet does not exist
            topic_list = data.get("topic_list") if isinstance(data, dict) else None
            if not isinstance(topic_list, dict) or not isinstance(topic_list.get("topics"), list):
                raise ForumProtocolError(f"GET {path}: no topic_list")
            topics = topic_list["topics"]
            for topic in topics:
                if isinstance(topic, dict) and isinstance(topic.get("id"), int) and \
                        topic.get("archetype", "regular") == "regular":
                    yield int(topic["id"])
            if not topic_list.get("more_topics_url") or not topics:
                return

    def _groups_of(self, username: str) -> tuple[str, ...]:
        """The author's group names, cached a short while: a page of needs often shares authors."""
        now = self._clock()
        cached = self._author_groups.get(username)
        if cached is not None and now - cached[0] < self._author_cache_seconds:
            return cached[1]
        user = self._user_json(username)
        groups = () if user is None else group_names(user)
        if self._author_cache_seconds > 0:
            self._author_groups[username] = (now, groups)
        return groups
