"""Routes: the users directory (DirectoryItemsController#index) and its daily refresh."""

# Discourse serves the directory from directory_items rows that Jobs::DirectoryRefreshOlder
# rebuilds every day for period "all": a new user is missing until then, while field values are
# read live. The switch `directory_refresh` chooses: "live" (rows always current, the default
# because tests want it) or "daily" (a snapshot of the members, rebuilt every 24 sandbox hours or
# on POST /_sandbox/directory/refresh).

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, g

from discourse_sandbox.core.errors import fail, invalid_access, invalid_parameters
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.guards import current_user
from discourse_sandbox.serializers.directory import directory_item_json

if TYPE_CHECKING:
    from discourse_sandbox.core.records import User
    from discourse_sandbox.core.state import State
    from discourse_sandbox.sandbox import Sandbox

bp = Blueprint("directory", __name__)

DIRECTORY_PERIODS = ("all", "yearly", "quarterly", "monthly", "weekly", "daily")
DIRECTORY_ORDERS = ("likes_received", "likes_given", "topic_count", "post_count",
                    "topics_entered", "posts_read", "days_visited")
PAGE_SIZE = 50
PAGE_LIMIT = 10
REFRESH_SECONDS = 24 * 3600
# Per sandbox: (sandbox seconds of the last refresh, ids of the users in the directory).
_SNAPSHOTS: weakref.WeakKeyDictionary[Any, tuple[float, set[int]]] = weakref.WeakKeyDictionary()


def _members(state: State) -> list[User]:
    return [u for u in state.users.values()
            if u.id > 0 and u.active and not u.staged and u.silenced_till is None]


def refresh(sandbox: Sandbox) -> int:
    """Rebuild the directory snapshot now (the daily job); returns how many users it holds."""
    with sandbox.state.transaction() as state:
        ids = {u.id for u in _members(state)}
    _SNAPSHOTS[sandbox] = (sandbox.clock.seconds(), ids)
    return len(ids)


def _listed(sandbox: Sandbox, state: State) -> list[User]:
    members = _members(state)
    if sandbox.settings.directory_refresh == "live":
        return members
    snapshot = _SNAPSHOTS.get(sandbox)
    if snapshot is None or sandbox.clock.seconds() - snapshot[0] >= REFRESH_SECONDS:
        refresh(sandbox)
        snapshot = _SNAPSHOTS[sandbox]
    return [u for u in members if u.id in snapshot[1]]


def _bounded(value: Any, name: str, default: int, maximum: int) -> int:
    """fetch_int_from_params(name, max:): 400 beyond the maximum."""
    number = as_int(value, name) if value not in (None, "") else default
    if number > maximum:
        fail(400, f"You supplied invalid parameters to the request: {name} parameter must not be "
             f"greater than {maximum}", "invalid_parameters")
    return max(number, 0)


@bp.get("/directory_items")
def directory_items() -> Response:
    """GET /directory_items: 50 a page (at most 10 pages), optional user_field_ids=1|2|3."""
    sandbox: Sandbox = g.sandbox
    args = params()
    period = str(args.get("period") or "")
    if not period:
        invalid_parameters("period")  # params.require(:period)
    if period not in DIRECTORY_PERIODS:
        invalid_access()  # raise Discourse::InvalidAccess.new(:period_type)
    order = str(args.get("order") or "likes_received")
    if order not in DIRECTORY_ORDERS:
        order = "likes_received"
    page = _bounded(args.get("page"), "page", 0, PAGE_LIMIT)
    limit = _bounded(args.get("limit"), "limit", PAGE_SIZE, PAGE_SIZE) or PAGE_SIZE
    ascending = args.get("asc") not in (None, "")  # any value, even "false", means ascending
    viewer = current_user()
    with sandbox.state.transaction() as state:
        requested = [int(p) for p in str(args.get("user_field_ids") or "").split("|") if p.isdigit()]
        users = _listed(sandbox, state)
        all_rows = [directory_item_json(state, u, []) for u in sorted(users, key=lambda u: u.id)]
        all_rows.sort(key=lambda r: r[order], reverse=not ascending)
        rows = all_rows[page * limit:(page + 1) * limit]
        if viewer is not None and page == 0 and all(r["id"] != viewer.id for r in rows):
            mine = next((r for r in all_rows if r["id"] == viewer.id), None)
            if mine is not None:  # the current user's own row leads the first page
                rows.insert(0, mine)
        if requested:
            # UserField.public_fields (on profile or user card) unless the viewer is staff
            allowed = {f.id for f in state.user_fields.values()
                       if (viewer is not None and viewer.staff) or f.show_on_profile or f.show_on_user_card}
            ids = [fid for fid in requested if fid in allowed]
            for row in rows:
                row["user"] = directory_item_json(state, state.users[row["id"]], ids)["user"]
                row["user"].setdefault("user_fields", {})
    more = {"order": order, "page": page + 1, "period": period}
    if requested:
        more["user_field_ids"] = "|".join(map(str, requested))
    query = "&".join(f"{k}={v}" for k, v in sorted(more.items())).replace("|", "%7C")
    return json_reply({
        "directory_items": rows,
        "meta": {"last_updated_at": None, "total_rows_directory_items": len(all_rows),
                 "load_more_directory_items": f"/directory_items.json?{query}"},
    })
