"""Topic lists (ListController, TopicQuery): latest, a category's, a tag's, /filter, messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from discourse_sandbox.core.errors import invalid_access, not_found
from discourse_sandbox.core.guardian import can_see_category, can_see_topic, is_participant, listable
from discourse_sandbox.core.params import as_bool, as_int
from discourse_sandbox.core.queries import live_posts
from discourse_sandbox.core.records import Category, Tag, Topic, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

DEFAULT_PER_PAGE = 30
_ORDERS: dict[str, Callable[[State, Topic], Any]] = {
    "default": lambda s, t: t.bumped_at, "activity": lambda s, t: t.bumped_at,
    "latest": lambda s, t: t.bumped_at, "created": lambda s, t: t.created_at,
    "views": lambda s, t: t.views, "posts": lambda s, t: len(live_posts(s, t)),
    "title": lambda s, t: t.title.lower(), "likes": lambda s, t: 0, "op_likes": lambda s, t: 0,
    "category": lambda s, t: t.category_id or 0,
}


@dataclass
class ListQuery:
    """The list params as given, cast when the list is paged: per_page, page, order, ascending."""

    per_page: Any = None
    page: Any = None
    order: Any = None
    ascending: Any = None


@dataclass
class TopicPage:
    """One page of a topic list: its topics, page size, 0-based page, and whether more follow."""

    topics: list[Topic]
    per_page: int
    page: int
    more: bool
    tag: Tag | None = None


class StaleSlug(Exception):
    """A category asked for by id under a slug path that is not its own: 301 to the full slug."""

    def __init__(self, full_slug: str) -> None:
        super().__init__(full_slug)
        self.full_slug = full_slug


def full_slug(state: State, category: Category) -> str:
    """Category#full_slug("/"): the parents' slugs, then the category's."""
    parent = state.categories.get(category.parent_category_id or 0)
    return f"{full_slug(state, parent)}/{category.slug}" if parent is not None else category.slug


# A list's params are read once the list is found, as ListController reads them: a request for a
# missing category with a bad body is a 404, not a 400. Hence a function giving the query.
QueryReader = Callable[[], ListQuery]


def _page(state: State, topics: list[Topic], read: QueryReader, pinned_first: bool = False,
          order: str | None = None, tag: Tag | None = None) -> TopicPage:
    """Sort and page: 0-based `page`, `per_page` 1-100, `order` (or the default), `ascending`."""
    query = read()
    per_page = min(max(as_int(query.per_page or DEFAULT_PER_PAGE, "per_page"), 1), 100)
    page = max(as_int(query.page or 0, "page"), 0)
    key = _ORDERS.get(str(query.order or order or "default"), _ORDERS["default"])
    ordered = sorted(topics, key=lambda t: (key(state, t), t.id), reverse=not as_bool(query.ascending))
    if pinned_first:
        ordered.sort(key=lambda t: not t.pinned)
    chunk = ordered[page * per_page:(page + 1) * per_page]
    return TopicPage(chunk, per_page, page, len(ordered) > (page + 1) * per_page, tag)


class TopicFilter(Protocol):
    """What the lists area asks of the search area: the /filter grammar."""

    def filter(self, topics: list[Topic], q: str) -> tuple[list[Topic], str | None]:
        """The topics matching `q`, and the order it asks for."""
        ...


class Lists:
    """The topic lists over the site's topics, as a viewer sees them."""

    def __init__(self, site: Site, search: TopicFilter) -> None:
        self.site = site
        self.search = search

    def latest(self, viewer: User | None, query: QueryReader) -> TopicPage:
        """Every listable topic, most recently bumped first."""
        with self.site.state.transaction() as state:
            return _page(state, _listed(state, viewer), query)

    def category(self, viewer: User | None, category_id: int, slug_path: str | None,
                 subcategories: bool, query: QueryReader) -> TopicPage:
        """A category's topics (its subcategories' too, unless not asked), pinned first."""
        with self.site.state.transaction() as state:
            category = _category(state, viewer, category_id, slug_path)
            return _page(state, _category_topics(state, viewer, category, subcategories), query, True)

    def tag(self, viewer: User | None, name: str, query: QueryReader) -> TopicPage:
        """Topics carrying the tag; 404 while tagging is off."""
        with self.site.state.transaction() as state:
            tag = state.tags.get(name.lower())
            if tag is None or not self.site.settings.tagging_enabled:
                not_found()
            topics = [t for t in _listed(state, viewer) if tag.name in t.tags]
            return _page(state, topics, query, tag=tag)

    def tag_in_category(self, viewer: User | None, slug_path: str, category_id: int, name: str,
                        query: QueryReader) -> TopicPage:
        """Topics of a category (subcategories included) carrying the tag."""
        with self.site.state.transaction() as state:
            category = _category(state, viewer, category_id, slug_path)
            tag = state.tags.get(name.lower())
            if tag is None:
                not_found()
            topics = [t for t in _category_topics(state, viewer, category, True) if tag.name in t.tags]
            return _page(state, topics, query, tag=tag)

    def filter(self, viewer: User | None, q: str, query: QueryReader) -> TopicPage:
        """TopicsFilter with tag:, tags:, category:, status: and order:."""
        with self.site.state.transaction() as state:
            topics, order = self.search.filter(_listed(state, viewer), q)
            return _page(state, topics, query, order=order)

    def messages(self, viewer: User | None, username: str, sent: bool, query: QueryReader) -> TopicPage:
        """Messages to the user or the user's groups (`sent`: those the user wrote in); the user or staff."""
        with self.site.state.transaction() as state:
            user = state.user_by_username(username)
            if user is None:
                not_found()
            if viewer is None or not (viewer.staff or viewer.id == user.id):
                invalid_access()
            topics = [t for t in state.topics.values() if t.archetype == "private_message"
                      and t.deleted_at is None and is_participant(state, t, user)
                      and (not sent or any(p.user_id == user.id for p in live_posts(state, t)))]
            return _page(state, topics, query)


def _listed(state: State, viewer: User | None) -> list[Topic]:
    """Topics the viewer may see in lists."""
    return [t for t in state.topics.values() if listable(t, viewer) and can_see_topic(state, t, viewer)]


def _category(state: State, viewer: User | None, category_id: int, slug_path: str | None) -> Category:
    """ListController#set_category: found by id; a slug path other than the full slug is StaleSlug."""
    category = state.categories.get(category_id)
    if category is None or not can_see_category(state, category, viewer):
        not_found()
    full = full_slug(state, category)
    if slug_path is not None and slug_path != full:
        raise StaleSlug(full)
    return category


def _category_topics(state: State, viewer: User | None, category: Category,
                     subcategories: bool) -> list[Topic]:
    ids = {category.id}
    if subcategories:
        ids |= {c.id for c in state.categories.values() if c.parent_category_id == category.id}
    return [t for t in _listed(state, viewer) if t.category_id in ids]
