"""Search (GET /search) and the query grammar GET /filter shares: terms, #category, tags:, @user, ..."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from discourse_sandbox.core.guardian import can_see_topic
from discourse_sandbox.core.queries import live_posts
from discourse_sandbox.core.ratelimit import RateLimiter
from discourse_sandbox.core.records import Post, Topic, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

PER_PAGE = 50  # Search#per_facet for full-page search
MAX_PAGE = 10
_FILTER_ORDERS = {"activity": "activity", "latest-post": "activity", "created": "created",
                  "views": "views", "title": "title", "posts": "posts", "category": "category"}

@dataclass
class Query:
    """A parsed search: free terms plus Discourse's advanced filters."""

    terms: list[str] = field(default_factory=list)
    category_ids: set[int] | None = None
    tags_any: list[str] = field(default_factory=list)
    tags_all: list[str] = field(default_factory=list)
    username: str | None = None
    status: str | None = None
    in_title: bool = False
    first_only: bool = False
    order: str | None = None
    before: date | None = None
    after: date | None = None


def parse_query(state: State, q: str) -> Query:
    """Split `q` into terms and filters (#category, tags:, @user, status:, in:, order:, before:/after:)."""
    query = Query()
    for token in q.split():
        lowered = token.lower()
        key, _, value = lowered.partition(":")
        if lowered.startswith("#") and len(lowered) > 1:
            _category_or_tag(state, query, lowered[1:])
        elif lowered.startswith("@") and len(lowered) > 1:
            query.username = lowered[1:]
        elif value and key in ("tags", "tag"):
            _tags(query, value)
        elif value and key in ("category", "categories"):
            _category_or_tag(state, query, value.lstrip("="), exact=value.startswith("="))
        elif value and key == "user":
            query.username = value
        elif value and key == "status":
            query.status = value
        elif value and key == "in":
            query.in_title = value == "title"
            query.first_only = value in ("first", "firstpost", "title")
        elif value and key == "order":
            query.order = value
        elif value and key in ("before", "after"):
            _date(query, key, value)
        else:
            query.terms.append(lowered)
    return query


def _category_or_tag(state: State, query: Query, slug: str, exact: bool = False) -> None:
    slug = slug.split(":")[-1]
    category = state.category_by_slug(slug)
    if category is None:
        query.tags_all.append(slug)
        return
    ids = {category.id}
    if not exact:
        ids |= {c.id for c in state.categories.values() if c.parent_category_id == category.id}
    query.category_ids = ids


def _tags(query: Query, value: str) -> None:
    if "+" in value:
        query.tags_all += [t for t in value.split("+") if t]
    else:
        query.tags_any += [t for t in value.split(",") if t]


def _date(query: Query, key: str, value: str) -> None:
    try:
        moment = date.fromisoformat(value)
    except ValueError:
        return
    setattr(query, key, moment)


def topic_matches(query: Query, topic: Topic) -> bool:
    """Filters that concern the topic itself."""
    if query.category_ids is not None and topic.category_id not in query.category_ids:
        return False
    if query.tags_any and not set(query.tags_any) & set(topic.tags):
        return False
    if query.tags_all and not set(query.tags_all) <= set(topic.tags):
        return False
    status = query.status
    return not ((status == "open" and (topic.closed or topic.archived))
                or (status == "closed" and not topic.closed)
                or (status == "archived" and not topic.archived)
                or (status in ("listed", "visible") and not topic.visible)
                or (status == "unlisted" and topic.visible))


def filter_topics(state: State, topics: list[Topic], q: str) -> tuple[list[Topic], str | None]:
    """GET /filter's TopicsFilter: the topics matching the filters, and the order asked for."""
    query = parse_query(state, q)
    order = _FILTER_ORDERS.get((query.order or "").removesuffix("-asc"))
    return [t for t in topics if topic_matches(query, t)], order


def _post_matches(state: State, query: Query, topic: Topic, post: Post) -> bool:
    if query.first_only and post.post_number != 1:
        return False
    if query.username:
        author = state.users.get(post.user_id)
        if author is None or author.username.lower() != query.username:
            return False
    # Search.word_to_date: midnight of the day; before: strictly earlier, after: strictly later.
    day = post.created_at.date()
    if (query.before and day >= query.before) or (query.after and day < query.after):
        return False
    text = topic.title.lower() if query.in_title else f"{topic.title}\n{post.raw}".lower()
    return all(term in text for term in query.terms)


def search_posts(state: State, query: Query, viewer: User | None) -> list[Post]:
    """One post per topic (the first that matches), the user's visible regular topics only."""
    found: list[Post] = []
    for topic in state.topics.values():
        if (topic.archetype == "private_message" or topic.deleted_at is not None
                or not can_see_topic(state, topic, viewer) or not topic_matches(query, topic)):
            continue
        post = next((p for p in live_posts(state, topic) if _post_matches(state, query, topic, p)),
                    None)
        if post is not None:
            found.append(post)
    if query.order in ("latest", "latest_topic"):
        found.sort(key=lambda p: (p.created_at, p.id), reverse=True)
    else:  # relevance: title hits first, then the most recent
        found.sort(key=lambda p: (all(t in state.topics[p.topic_id].title.lower() for t in query.terms),
                                  state.topics[p.topic_id].bumped_at), reverse=True)
    return found


class SearchThrottled(Exception):
    """The "search-min" limiter of a non-staff user refused (429)."""


@dataclass
class SearchResult:
    """One page of search: the posts (one per topic), the query's terms, and how many posts matched."""

    posts: list[Post]
    terms: list[str]
    matched: int


class Search:
    """SearchController#show over the site's topics, with its per-user limiter."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._limiter = RateLimiter(site.clock, site.settings.rate_limit_search_user)

    def search(self, viewer: User | None, q: str, page: int) -> SearchResult:
        """Posts matching `q` the viewer may see, PER_PAGE a page (1-based); SearchThrottled."""
        self._throttle(viewer)
        with self.site.state.transaction() as state:
            query = parse_query(state, q)
            matched = search_posts(state, query, viewer) if q.strip() else []
            chunk = matched[(page - 1) * PER_PAGE:page * PER_PAGE]
            return SearchResult(chunk, query.terms, len(matched))

    def filter(self, topics: list[Topic], q: str) -> tuple[list[Topic], str | None]:
        """GET /filter's TopicsFilter over `topics`: those matching, and the order asked for."""
        with self.site.state.transaction() as state:
            return filter_topics(state, topics, q)

    def _throttle(self, viewer: User | None) -> None:
        if viewer is None or viewer.staff:
            return
        self._limiter.limit = self.site.settings.rate_limit_search_user
        if self._limiter.hit(f"search-min:{viewer.id}") is not None:
            raise SearchThrottled
