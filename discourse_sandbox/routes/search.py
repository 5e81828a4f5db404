"""Routes: full-page search (GET /search) and the query grammar shared with GET /filter."""

from __future__ import annotations

import html
import weakref
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, g

from discourse_sandbox.core.clock import iso
from discourse_sandbox.core.cooking import plain_text
from discourse_sandbox.core.errors import fail
from discourse_sandbox.core.guardian import can_see_topic
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.core.queries import live_posts
from discourse_sandbox.core.ratelimit import RateLimiter
from discourse_sandbox.serializers.avatars import avatar_or_default
from discourse_sandbox.serializers.topic_lists import list_item

if TYPE_CHECKING:
    from discourse_sandbox.core.records import Post, Topic
    from discourse_sandbox.core.state import State

bp = Blueprint("search", __name__)

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


def search_posts(state: State, query: Query) -> list[Post]:
    """One post per topic (the first that matches), the user's visible regular topics only."""
    found: list[Post] = []
    for topic in state.topics.values():
        if (topic.archetype == "private_message" or topic.deleted_at is not None
                or not can_see_topic(state, topic, g.user) or not topic_matches(query, topic)):
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


def blurb(post: Post, terms: list[str], length: int = 200) -> str:
    """Search#blurb: the text around the first term found."""
    text = plain_text(post.cooked)
    lowered = text.lower()
    start = min((lowered.find(t) for t in terms if t in lowered), default=0)
    start = max(start - length // 4, 0)
    piece = text[start:start + length]
    return html.escape(("..." if start else "") + piece + ("..." if start + length < len(text) else ""),
                       quote=False)


def _search_post(state: State, post: Post, terms: list[str]) -> dict[str, Any]:
    user = state.users.get(post.user_id)
    return {"id": post.id, "name": user.name if user else None,
            "username": user.username if user else None, "avatar_template": avatar_or_default(user),
            "created_at": iso(post.created_at), "like_count": 0, "blurb": blurb(post, terms),
            "post_number": post.post_number, "topic_id": post.topic_id}


# Per sandbox: the "search-min" limiter of non-staff users (rate_limit_search_user a minute).
_LIMITERS: weakref.WeakKeyDictionary[Any, RateLimiter] = weakref.WeakKeyDictionary()


def _page(value: Any) -> int:
    """SearchController#show: a page must be a whole number written as such, at most 10."""
    if value in (None, ""):
        return 1
    if not isinstance(value, str) or str(as_int(value, "page")) != value:
        fail(400, "You supplied invalid parameters to the request: page", "invalid_parameters")
    if int(value) > MAX_PAGE:
        fail(400, f"You supplied invalid parameters to the request: page parameter must not be greater "
             f"than {MAX_PAGE}", "invalid_parameters")
    return max(int(value), 1)


def _rate_limited(sandbox: Any) -> Response | None:
    user = g.user
    if user is None or user.staff:
        return None
    limiter = _LIMITERS.get(sandbox)
    if limiter is None:
        limiter = _LIMITERS[sandbox] = RateLimiter(sandbox.clock, sandbox.settings.rate_limit_search_user)
    limiter.limit = sandbox.settings.rate_limit_search_user
    if limiter.hit(f"search-min:{user.id}") is None:
        return None
    return json_reply({"failed": "FAILED", "message": "You’ve performed this action too many times, "
                       "please try again later."}, 429)


@bp.get("/search")
def search() -> Response:
    """GET /search?q=&page=: posts (one per topic) with their topics; 50 a page, 1-based."""
    sandbox = g.sandbox
    data = params()
    q = str(data.get("q") or data.get("term") or "")
    page = _page(data.get("page"))
    if q and len(q) < sandbox.settings.min_search_term_length:
        fail(400, "You supplied invalid parameters to the request: q", "invalid_parameters")
    limited = _rate_limited(sandbox)
    if limited is not None:
        return limited
    with sandbox.state.transaction() as state:
        query = parse_query(state, q)
        matched = search_posts(state, query) if q.strip() else []
        chunk = matched[(page - 1) * PER_PAGE:page * PER_PAGE]
        body: dict[str, Any] = {"posts": [_search_post(state, p, query.terms) for p in chunk]}
        if chunk:
            seen = list(dict.fromkeys(p.topic_id for p in chunk))
            body["topics"] = [list_item(state, sandbox.settings, state.topics[tid], g.user)
                              for tid in seen]
        body.update({"users": [], "categories": [], "tags": [], "groups": []})
        body["grouped_search_result"] = {
            "more_posts": None, "more_users": None, "more_categories": None, "term": q,
            "search_log_id": 0, "more_full_page_results": True if len(matched) > page * PER_PAGE
            else None, "can_create_topic": g.user is not None, "error": None,
            "post_ids": [p.id for p in chunk], "user_ids": [], "category_ids": [], "tag_ids": [],
            "group_ids": [],
        }
    return json_reply(body)
