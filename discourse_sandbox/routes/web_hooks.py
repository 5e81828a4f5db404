"""Routes: the webhooks admin API (Admin::WebHooksController), admins only (others get a 404)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response

from discourse_sandbox.core.errors import invalid_parameters
from discourse_sandbox.core.http import json_error, json_reply, params
from discourse_sandbox.core.params import as_list
from discourse_sandbox.models.web_hooks import PER_PAGE, WebHookRejected
from discourse_sandbox.routes.guards import current_backend, require_admin
from discourse_sandbox.serializers import web_hooks as wh

bp = Blueprint("web_hooks", __name__)


@bp.before_request
def _admins_only() -> None:
    require_admin()


@bp.get("/admin/api/web_hooks")
def index() -> Response:
    """All hooks, 50 a page, with the event types and enums the admin UI needs."""
    offset = _to_i(params().get("offset"))
    backend = current_backend()
    with backend.transaction() as state:
        hooks, total = backend.web_hooks.page(offset)
        return json_reply({
            "web_hooks": [wh.web_hook_json(h) for h in hooks],
            "extras": wh.index_extras(wh.sideloaded_categories(state, hooks)),
            "total_rows_web_hooks": total,
            "load_more_web_hooks": f"/admin/api/web_hooks.json?limit={PER_PAGE}&offset={offset + PER_PAGE}",
        })


@bp.post("/admin/api/web_hooks")
def create() -> Response:
    """A new hook from web_hook[...]; 422 with the model's messages when invalid."""
    raw = _web_hook_params()
    backend = current_backend()
    with backend.transaction() as state:
        try:
            hook = backend.web_hooks.create(raw)
        except WebHookRejected as rejected:
            return json_error(rejected.errors, 422)
        return json_reply(wh.rooted_web_hook_json(state, hook))


@bp.get("/admin/api/web_hooks/<int:hook_id>")
def show(hook_id: int) -> Response:
    """One hook, its categories sideloaded."""
    backend = current_backend()
    with backend.transaction() as state:
        hook = backend.web_hooks.get(hook_id)
        return json_reply({"web_hook": wh.web_hook_json(hook),
                           "extras": {"categories": wh.sideloaded_categories(state, [hook])}})


@bp.put("/admin/api/web_hooks/<int:hook_id>")
def update(hook_id: int) -> Response:
    """Change the given web_hook[...] fields only."""
    raw = _web_hook_params()
    backend = current_backend()
    with backend.transaction() as state:
        try:
            hook = backend.web_hooks.update(hook_id, raw)
        except WebHookRejected as rejected:
            return json_error(rejected.errors, 422)
        return json_reply(wh.rooted_web_hook_json(state, hook))


@bp.delete("/admin/api/web_hooks/<int:hook_id>")
def destroy(hook_id: int) -> Response:
    """Delete the hook and its events (has_many :web_hook_events, dependent: :destroy)."""
    current_backend().web_hooks.destroy(hook_id)
    return json_reply({"success": "OK"})


@bp.get("/admin/api/web_hook_events/<int:hook_id>")
def list_events(hook_id: int) -> Response:
    """A hook's events, newest first, 50 a page; `status` successful|failed filters."""
    args = params()
    offset, status = _to_i(args.get("offset")), args.get("status")
    backend = current_backend()
    with backend.transaction() as state:
        page = backend.web_hooks.events(hook_id, status, offset)
        more = f"/admin/api/web_hook_events/{hook_id}.json?limit={PER_PAGE}&offset={offset + PER_PAGE}"
        return json_reply({
            "web_hook_events": [wh.event_json(state, e) for e in page.events],
            "total_rows_web_hook_events": page.total,
            "load_more_web_hook_events": more + (f"&status={status}" if status else ""),
            "extras": {"web_hook_id": hook_id},
        })


@bp.get("/admin/api/web_hooks/<int:hook_id>/events/bulk")
def bulk_events(hook_id: int) -> Response:
    """The hook's events listed in `ids[]`."""
    ids = as_list(params().get("ids"))
    if not ids:
        invalid_parameters("ids")
    backend = current_backend()
    with backend.transaction() as state:
        return json_reply([wh.event_json(state, e) for e in backend.web_hooks.events_with_ids(hook_id, ids)])


@bp.post("/admin/api/web_hooks/<int:hook_id>/events/<int:event_id>/redeliver")
def redeliver_event(hook_id: int, event_id: int) -> Response:
    """Send a stored event again now (same headers, body and event id) and show the outcome."""
    del hook_id  # Discourse finds the event by its id alone
    backend = current_backend()
    # no transaction around the delivery: the receiver may call the sandbox before it answers
    event = backend.web_hooks.redeliver_now(event_id)
    if event is None:
        return json_reply({"failed": "FAILED"})
    with backend.transaction() as state:
        return json_reply({"web_hook_event": wh.event_json(state, event)})


@bp.post("/admin/api/web_hooks/<int:hook_id>/events/failed_redeliver")
def redeliver_failed_events(hook_id: int) -> Response:
    """Queue the listed failed events (`event_ids[]`) for redelivery; answers the queued ids."""
    asked = {_to_i(i) for i in as_list(params().get("event_ids"))}
    return json_reply({"event_ids": current_backend().web_hooks.redeliver_failed(hook_id, asked)})


@bp.post("/admin/api/web_hooks/<int:hook_id>/ping")
def ping(hook_id: int) -> Response:
    """Queue {"ping":"OK"} to the hook."""
    current_backend().web_hooks.ping(hook_id)
    return json_reply({"success": "OK"})


def _web_hook_params() -> dict[str, Any]:
    raw = params().get("web_hook")
    if not isinstance(raw, dict) or not raw:
        invalid_parameters("web_hook")
    return raw


def _to_i(value: Any) -> int:
    """Ruby's String#to_i: leading digits, else 0."""
    match = re.match(r"\s*([+-]?\d+)", str(value or ""))
    return max(0, int(match.group(1))) if match else 0
