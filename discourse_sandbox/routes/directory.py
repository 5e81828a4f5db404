"""Routes: the users directory (DirectoryItemsController#index)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from discourse_sandbox.core.errors import fail, invalid_access, invalid_parameters
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.models.directory import (
    DIRECTORY_ORDERS,
    DIRECTORY_PERIODS,
    PAGE_LIMIT,
    PAGE_SIZE,
    DirectoryQuery,
)
from discourse_sandbox.routes.guards import current_backend, current_user
from discourse_sandbox.serializers.directory import directory_rows_json

bp = Blueprint("directory", __name__)


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
    args = params()
    period = str(args.get("period") or "")
    if not period:
        invalid_parameters("period")  # params.require(:period)
    if period not in DIRECTORY_PERIODS:
        invalid_access()  # raise Discourse::InvalidAccess.new(:period_type)
    order = str(args.get("order") or "likes_received")
    if order not in DIRECTORY_ORDERS:
        order = "likes_received"
    query = DirectoryQuery(
        order=order,
        page=_bounded(args.get("page"), "page", 0, PAGE_LIMIT),
        limit=_bounded(args.get("limit"), "limit", PAGE_SIZE, PAGE_SIZE) or PAGE_SIZE,
        ascending=args.get("asc") not in (None, ""),  # any value, even "false", means ascending
        field_ids=[int(p) for p in str(args.get("user_field_ids") or "").split("|") if p.isdigit()],
    )
    backend = current_backend()
    with backend.transaction() as state:
        page = backend.directory.page(current_user(), query)
        rows = directory_rows_json(state, page.users, page.field_ids)
    more: dict[str, Any] = {"order": order, "page": query.page + 1, "period": period}
    if query.field_ids:
        more["user_field_ids"] = "|".join(map(str, query.field_ids))
    load_more = "&".join(f"{k}={v}" for k, v in sorted(more.items())).replace("|", "%7C")
    return json_reply({
        "directory_items": rows,
        "meta": {"last_updated_at": None, "total_rows_directory_items": page.total,
                 "load_more_directory_items": f"/directory_items.json?{load_more}"},
    })
