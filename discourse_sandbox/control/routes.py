"""The control API's routes under /_sandbox (no auth). NOT part of Discourse.

GET  /_sandbox/health                      liveness, base URL and sandbox time
GET  /_sandbox/settings                    every switch (SandboxSettings, faults included)
POST /_sandbox/settings    {...changes}    apply changes, all or nothing; 400 with the reason
POST /_sandbox/clock/advance {"seconds"}   jump sandbox time forward (rate windows, retries)
POST /_sandbox/webhooks/flush {"timeout"}  wait until no webhook is queued or in flight
GET  /_sandbox/deliveries?limit=100        recent webhook attempts, newest first
GET  /_sandbox/stats                       counts of records, faults injected, deliveries by status
POST /_sandbox/seed        {...seed}       load a seed given as JSON (format: the seed package docstring)
POST /_sandbox/directory/refresh           run the directory's daily refresh now (directory_refresh=daily)
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, request

from discourse_sandbox.control import views
from discourse_sandbox.control.target import Controlled
from discourse_sandbox.core.clock import iso
from discourse_sandbox.core.http import json_error, json_reply
from discourse_sandbox.seed import SeedError, load_seed_data

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


@bp.get("/health")
def health() -> Response:
    """Liveness, the base URL and the sandbox time."""
    sandbox = _sandbox()
    return json_reply({"status": "ok", "base_url": sandbox.base_url, "now": iso(sandbox.clock.now())})


@bp.get("/settings")
def show_settings() -> Response:
    """Every switch with its current value."""
    return json_reply(views.settings_json(_sandbox()))


@bp.post("/settings")
def change_settings() -> Response:
    """Apply a JSON object of changes through apply_settings."""
    changes = _body()
    try:
        _sandbox().apply(changes)
    except ValueError as exc:
        return json_error(str(exc), 400)
    return json_reply(views.settings_json(_sandbox()))


@bp.post("/clock/advance")
def advance_clock() -> Response:
    """Jump sandbox time forward by `seconds`."""
    seconds = _seconds(_body().get("seconds"))
    if seconds is None:
        return json_error("seconds: expected a number of seconds, 0 or more", 400)
    clock = _sandbox().clock
    clock.advance(seconds)
    return json_reply({"seconds": clock.seconds(), "now": iso(clock.now())})


@bp.post("/webhooks/flush")
def flush_webhooks() -> Response:
    """Wait (at most `timeout` seconds) until no delivery is queued or in flight."""
    timeout = _seconds(_body().get("timeout", 10))
    if timeout is None:
        return json_error("timeout: expected a number of seconds, 0 or more", 400)
    return json_reply({"flushed": _sandbox().emitter.flush(timeout)})


@bp.get("/deliveries")
def deliveries() -> Response:
    """The newest recorded webhook attempts, `limit` of them."""
    limit = request.args.get("limit", "100")
    if not limit.isdigit():
        return json_error("limit: expected a whole number", 400)
    return json_reply({"deliveries": views.recent_deliveries(_sandbox(), int(limit))})


@bp.get("/stats")
def stats() -> Response:
    """Counts of records, faults injected and deliveries by status."""
    return json_reply(views.stats(_sandbox()))


@bp.post("/directory/refresh")
def refresh_directory() -> Response:
    """Rebuild the users directory as Jobs::DirectoryRefreshOlder does once a day."""
    return json_reply({"users": _sandbox().backend.directory.refresh()})


@bp.post("/seed")
def seed() -> Response:
    """Load a seed sent as JSON (same sections as the YAML seed); 400 with the seed error."""
    try:
        load_seed_data(_sandbox(), _body(), "POST /_sandbox/seed")
    except SeedError as exc:
        return json_error(str(exc), 400)
    return json_reply({"success": "OK"})


def _sandbox() -> Controlled:
    sandbox: Controlled = g.sandbox
    return sandbox


def _body() -> dict[str, Any]:
    if not request.get_data():
        return {}
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        abort(json_error("The request body must be a JSON object.", 400))
    return body


def _seconds(value: Any) -> float | None:
    """A JSON number of seconds, 0 or more; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)
