"""Routes: full-page search (GET /search); the query grammar is in models/search.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from discourse_sandbox.core.errors import fail
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.models.search import MAX_PAGE, PER_PAGE, SearchThrottled
from discourse_sandbox.routes.guards import current_backend, current_user
from discourse_sandbox.serializers.search import search_json

bp = Blueprint("search", __name__)


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


@bp.get("/search")
def search() -> Response:
    """GET /search?q=&page=: posts (one per topic) with their topics; 50 a page, 1-based."""
    backend = current_backend()
    data = params()
    q = str(data.get("q") or data.get("term") or "")
    page = _page(data.get("page"))
    if q and len(q) < backend.settings.min_search_term_length:
        fail(400, "You supplied invalid parameters to the request: q", "invalid_parameters")
    viewer = current_user()
    with backend.transaction() as state:
        try:
            found = backend.search.search(viewer, q, page)
        except SearchThrottled:
            return json_reply({"failed": "FAILED", "message": "You’ve performed this action too many "
                               "times, please try again later."}, 429)
        more = found.matched > page * PER_PAGE
        return json_reply(search_json(state, backend.settings, found.posts, found.terms, q, more, viewer))
