"""Routes: the webhooks admin API (Admin::WebHooksController), admins only (others get a 404)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from flask import Blueprint, Response, g

from discourse_sandbox import web_hook_model
from discourse_sandbox.core.errors import found, invalid_parameters, not_found
from discourse_sandbox.core.http import json_error, json_reply, params
from discourse_sandbox.core.params import as_list
from discourse_sandbox.core.records import WebHook
from discourse_sandbox.core.ssrf import allowed_internal_hosts
from discourse_sandbox.core.state import State
from discourse_sandbox.routes.guards import require_admin
from discourse_sandbox.serializers import web_hooks as wh

bp = Blueprint("web_hooks", __name__)

PER_PAGE = 50


@bp.before_request
def _admins_only() -> None:
    require_admin()


@bp.get("/admin/api/web_hooks")
def index() -> Response:
    """All hooks, 50 a page, with the event types and enums the admin UI needs."""
    offset = _to_i(params().get("offset"))
    with g.sandbox.state.transaction() as state:
        hooks = sorted(state.web_hooks.values(), key=lambda h: h.id)
        page = hooks[offset:offset + PER_PAGE]
        body = {
            "web_hooks": [wh.web_hook_json(h) for h in page],
            "extras": wh.index_extras(wh.sideloaded_categories(state, page)),
            "total_rows_web_hooks": len(hooks),
            "load_more_web_hooks": f"/admin/api/web_hooks.json?limit={PER_PAGE}&offset={offset + PER_PAGE}",
        }
    return json_reply(body)


@bp.post("/admin/api/web_hooks")
def create() -> Response:
    """A new hook from web_hook[...]; 422 with the model's messages when invalid."""
    raw = _web_hook_params()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        now = sandbox.clock.now()
        hook = WebHook(id=0, payload_url="", created_at=now, updated_at=now)
        errors = _assign(state, hook, raw)
        if errors:
            return json_error(errors, 422)
        hook.id = state.next_id("web_hooks")
        state.web_hooks[hook.id] = hook
        web_hook_model.create_tags(state, hook.tag_names)
        return json_reply(_rooted(state, hook))


@bp.get("/admin/api/web_hooks/<int:hook_id>")
def show(hook_id: int) -> Response:
    with g.sandbox.state.transaction() as state:
        hook = found(state.web_hooks.get(hook_id))
        return json_reply({"web_hook": wh.web_hook_json(hook),
                           "extras": {"categories": wh.sideloaded_categories(state, [hook])}})


@bp.put("/admin/api/web_hooks/<int:hook_id>")
def update(hook_id: int) -> Response:
    """Change the given web_hook[...] fields only."""
    raw = _web_hook_params()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        hook = found(state.web_hooks.get(hook_id))
        changed = dataclasses.replace(hook)
        errors = _assign(state, changed, raw)
        if errors:
            return json_error(errors, 422)
        changed.updated_at = sandbox.clock.now()
        # Copy onto the stored record: delivery threads may hold a reference to it.
        for f in dataclasses.fields(WebHook):
            setattr(hook, f.name, getattr(changed, f.name))
        web_hook_model.create_tags(state, hook.tag_names)
        return json_reply(_rooted(state, hook))


@bp.delete("/admin/api/web_hooks/<int:hook_id>")
def destroy(hook_id: int) -> Response:
    """Delete the hook and its events (has_many :web_hook_events, dependent: :destroy)."""
    with g.sandbox.state.transaction() as state:
        found(state.web_hooks.get(hook_id))
        del state.web_hooks[hook_id]
        for event_id in [e.id for e in state.web_hook_events.values() if e.web_hook_id == hook_id]:
            del state.web_hook_events[event_id]
    return json_reply({"success": "OK"})


@bp.get("/admin/api/web_hook_events/<int:hook_id>")
def list_events(hook_id: int) -> Response:
    """A hook's events, newest first, 50 a page; `status` successful|failed filters."""
    args = params()
    offset, status = _to_i(args.get("offset")), args.get("status")
    with g.sandbox.state.transaction() as state:
        found(state.web_hooks.get(hook_id))
        events = _events_of(state, hook_id)
        if status == "successful":
            events = [e for e in events if 200 <= e.status <= 299]
        elif status == "failed":
            events = [e for e in events if not 200 <= e.status <= 299]
        more = f"/admin/api/web_hook_events/{hook_id}.json?limit={PER_PAGE}&offset={offset + PER_PAGE}"
        body = {
            "web_hook_events": [wh.event_json(state, e) for e in events[offset:offset + PER_PAGE]],
            "total_rows_web_hook_events": len(events),
            "load_more_web_hook_events": more + (f"&status={status}" if status else ""),
            "extras": {"web_hook_id": hook_id},
        }
    return json_reply(body)


@bp.get("/admin/api/web_hooks/<int:hook_id>/events/bulk")
def bulk_events(hook_id: int) -> Response:
    ids = as_list(params().get("ids"))
    if not ids:
        invalid_parameters("ids")
    with g.sandbox.state.transaction() as state:
        found(state.web_hooks.get(hook_id))
        wanted = {i for i in ids if i.isdigit()}
        return json_reply([wh.event_json(state, e) for e in _events_of(state, hook_id)
                           if str(e.id) in wanted])


@bp.post("/admin/api/web_hooks/<int:hook_id>/events/<int:event_id>/redeliver")
def redeliver_event(hook_id: int, event_id: int) -> Response:
    """Send a stored event again now (same headers, body and event id) and show the outcome."""
    del hook_id  # Discourse finds the event by its id alone
    event = g.sandbox.emitter.redeliver_now(event_id)
    if event is None:
        return json_reply({"failed": "FAILED"})
    with g.sandbox.state.transaction() as state:
        return json_reply({"web_hook_event": wh.event_json(state, event)})


@bp.post("/admin/api/web_hooks/<int:hook_id>/events/failed_redeliver")
def redeliver_failed_events(hook_id: int) -> Response:
    """Queue the listed failed events (`event_ids[]`) for redelivery; answers the queued ids."""
    asked = {_to_i(i) for i in as_list(params().get("event_ids"))}
    with g.sandbox.state.transaction() as state:
        found(state.web_hooks.get(hook_id))
        queued = []
        for event in reversed(_events_of(state, hook_id)):
            failed = not 200 <= event.status <= 299
            ping = event.headers.get("X-Discourse-Event") == "ping"
            if event.id in asked and failed and not ping and not event.redelivering:
                event.redelivering = True
                queued.append(event.id)
    g.sandbox.emitter.redeliver_later(queued)
    return json_reply({"event_ids": queued})


@bp.post("/admin/api/web_hooks/<int:hook_id>/ping")
def ping(hook_id: int) -> Response:
    with g.sandbox.state.transaction() as state:
        found(state.web_hooks.get(hook_id))
    g.sandbox.emitter.ping(hook_id)
    return json_reply({"success": "OK"})


def _web_hook_params() -> dict[str, Any]:
    raw = params().get("web_hook")
    if not isinstance(raw, dict) or not raw:
        invalid_parameters("web_hook")
    return raw


def _assign(state: State, hook: WebHook, raw: dict[str, Any]) -> list[str]:
    try:
        hosts = allowed_internal_hosts(g.sandbox.settings.allowed_internal_hosts)
        return web_hook_model.assign(state, hook, raw, hosts)
    except web_hook_model.UnknownRecord:
        not_found()


def _rooted(state: State, hook: WebHook) -> dict[str, Any]:
    # render_serialized(root: "web_hook") sideloads the embedded categories at the root.
    return {"web_hook": wh.web_hook_json(hook), "categories": wh.sideloaded_categories(state, [hook])}


def _events_of(state: State, hook_id: int) -> list[Any]:
    """WebHookEvent's default scope: newest first."""
    events = [e for e in state.web_hook_events.values() if e.web_hook_id == hook_id]
    return sorted(events, key=lambda e: (e.created_at, e.id), reverse=True)


def _to_i(value: Any) -> int:
    """Ruby's String#to_i: leading digits, else 0."""
    match = re.match(r"\s*([+-]?\d+)", str(value or ""))
    return max(0, int(match.group(1))) if match else 0
