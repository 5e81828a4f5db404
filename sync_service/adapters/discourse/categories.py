"""The site's categories (id -> slug) and their "About the category" topics, from GET /categories.json."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sync_service.adapters.discourse.client import ForumProtocolError

_TOPIC_URL_ID = re.compile(r"/(\d+)/?$")


class CategoryCatalog:
    """Category slugs by id, fetched once and again when an unknown category shows up."""

    def __init__(self, fetch: Callable[[], Any]) -> None:
        self._fetch = fetch  # () -> the decoded JSON of GET /categories.json?include_subcategories=true
        self._slugs: dict[int, str] | None = None
        self._about_topics: set[int] = set()

    def slug(self, category_id: Any) -> str | None:
        """The slug of a category id (None for no category or one the site does not list)."""
        if not isinstance(category_id, int) or isinstance(category_id, bool):
            return None
        if category_id not in self._load():
            self._load(refresh=True)
        return self._load().get(category_id)

    def id_of(self, slug: str) -> int | None:
        """The id of the category with this slug, if the site has one."""
        for refresh in (False, True):
            found = [cid for cid, s in self._load(refresh).items() if s == slug]
            if found:
                return found[0]
        return None

    def is_about_topic(self, topic_id: int) -> bool:
        """Whether the topic is a category's description topic (never a need)."""
        self._load()
        return topic_id in self._about_topics

    def _load(self, refresh: bool = False) -> dict[int, str]:
        if self._slugs is None or refresh:
            data = self._fetch()
            listing = data.get("category_list") if isinstance(data, dict) else None
            rows = listing.get("categories") if isinstance(listing, dict) else None
            if not isinstance(rows, list):
                raise ForumProtocolError("GET /categories.json: no category_list")
            self._slugs, self._about_topics = {}, set()
            self._walk(rows)
        return self._slugs

    def _walk(self, rows: list[Any]) -> None:
        assert self._slugs is not None
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("id"), int):
                continue
            self._slugs[int(row["id"])] = str(row.get("slug") or "")
            about = _TOPIC_URL_ID.search(str(row.get("topic_url") or ""))
            if about:
                self._about_topics.add(int(about.group(1)))
            children = row.get("subcategory_list")
            if isinstance(children, list):
                self._walk(children)
