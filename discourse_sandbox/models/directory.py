"""The users directory (DirectoryItemsController#index) and its daily refresh."""

# Discourse serves the directory from directory_items rows that Jobs::DirectoryRefreshOlder
# rebuilds every day for period "all": a new user is missing until then, while field values are
# read live. The switch `directory_refresh` chooses: "live" (rows always current, the default
# because tests want it) or "daily" (a snapshot of the members, rebuilt every 24 sandbox hours or
# on POST /_sandbox/directory/refresh).

from __future__ import annotations

from dataclasses import dataclass, field

from discourse_sandbox.core.queries import post_stats
from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

DIRECTORY_PERIODS = ("all", "yearly", "quarterly", "monthly", "weekly", "daily")
DIRECTORY_ORDERS = ("likes_received", "likes_given", "topic_count", "post_count",
                    "topics_entered", "posts_read", "days_visited")
PAGE_SIZE = 50
PAGE_LIMIT = 10
REFRESH_SECONDS = 24 * 3600


@dataclass
class DirectoryQuery:
    """The params of GET /directory_items, checked: order, 0-based page, limit, asc, user_field_ids."""

    order: str = "likes_received"
    page: int = 0
    limit: int = PAGE_SIZE
    ascending: bool = False
    field_ids: list[int] = field(default_factory=list)


@dataclass
class DirectoryPage:
    """The users of one page, the total of rows, and the user fields to show (None: none asked)."""

    users: list[User]
    total: int
    field_ids: list[int] | None


class Directory:
    """The directory's rows: live, or a snapshot refreshed daily."""

    def __init__(self, site: Site) -> None:
        self.site = site
        # (sandbox seconds of the last refresh, ids of the users in the directory)
        self._snapshot: tuple[float, set[int]] | None = None

    def refresh(self) -> int:
        """Rebuild the directory snapshot now (the daily job); returns how many users it holds."""
        return len(self._take_snapshot()[1])

    def _take_snapshot(self) -> tuple[float, set[int]]:
        with self.site.state.transaction() as state:
            ids = {u.id for u in _members(state)}
        self._snapshot = (self.site.clock.seconds(), ids)
        return self._snapshot

    def page(self, viewer: User | None, query: DirectoryQuery) -> DirectoryPage:
        """One page by the asked count, the viewer's own row leading the first page."""
        with self.site.state.transaction() as state:
            users = sorted(self._listed(state), key=lambda u: u.id)
            users.sort(key=lambda u: _count(state, u, query.order), reverse=not query.ascending)
            rows = users[query.page * query.limit:(query.page + 1) * query.limit]
            if viewer is not None and query.page == 0 and all(u.id != viewer.id for u in rows):
                mine = next((u for u in users if u.id == viewer.id), None)
                if mine is not None:
                    rows.insert(0, mine)
            field_ids = None
            if query.field_ids:
                # UserField.public_fields (on profile or user card) unless the viewer is staff
                staff = viewer is not None and viewer.staff
                allowed = {f.id for f in state.user_fields.values()
                           if staff or f.show_on_profile or f.show_on_user_card}
                field_ids = [fid for fid in query.field_ids if fid in allowed]
            return DirectoryPage(rows, len(users), field_ids)

    def _listed(self, state: State) -> list[User]:
        members = _members(state)
        if self.site.settings.directory_refresh == "live":
            return members
        snapshot = self._snapshot
        if snapshot is None or self.site.clock.seconds() - snapshot[0] >= REFRESH_SECONDS:
            snapshot = self._take_snapshot()
        return [u for u in members if u.id in snapshot[1]]


def _members(state: State) -> list[User]:
    return [u for u in state.users.values()
            if u.id > 0 and u.active and not u.staged and u.silenced_till is None]


def _count(state: State, user: User, order: str) -> int:
    """The row's value for an order: topics and posts are counted, likes, reads and visits are 0."""
    post_count, topic_count, _ = post_stats(state, user.id)
    return {"topic_count": topic_count, "post_count": post_count}.get(order, 0)
