"""Flask-side helpers every route shares: Rails-style params from the request, JSON replies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from flask import Response, g, request

from discourse_sandbox.core.errors import DiscourseError, fail
from discourse_sandbox.core.params import tag_refs
from discourse_sandbox.core.ratelimit import time_left as describe_wait

JSON_TYPE = "application/json; charset=utf-8"


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON reply with Discourse's exact Content-Type (pydiscourse checks it)."""
    response = Response(json.dumps(body, ensure_ascii=False), status=status, content_type=JSON_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def json_error(
    errors: list[str] | str,
    status: int,
    error_type: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Discourse's render_json_error body: {"errors": [...], "error_type": ...}."""
    body: dict[str, Any] = {"errors": [errors] if isinstance(errors, str) else errors}
    if error_type:
        body["error_type"] = error_type
    body.update(extra)
    return json_reply(body, status, headers)


def error_reply(error: DiscourseError) -> Response:
    """The JSON answer to a refusal raised by a model or a route."""
    return json_error(error.errors, error.status, error.error_type, **error.extra)


def params() -> dict[str, Any]:
    """Query string and body merged as Rails does: form keys like a[b][]=1 nest; JSON as is."""
    cached = g.get("_sandbox_params")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    merged: dict[str, Any] = {}
    for key, value in parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True):
        _assign(merged, key, value)
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None and request.get_data():
            fail(400, "The request body is not valid JSON.", "invalid_parameters")
        if isinstance(body, dict):
            merged.update(body)
    elif request.mimetype == "application/x-www-form-urlencoded":
        # Parsed here, in order, because Rack's a[][x]=1&a[][y]=2 depends on the order of keys.
        raw = request.get_data(as_text=True)
        for key, value in parse_qsl(raw, keep_blank_values=True):
            _assign(merged, key, value)
    else:
        for key, value in request.form.items(multi=True):
            _assign(merged, key, value)
    g._sandbox_params = merged
    return merged


def _assign(target: dict[str, Any], name: str, value: Any) -> None:
    """Rack's normalize_params: a[b]=1, a[]=1, a[][b]=1 (a new hash when b repeats)."""
    head, bracket, rest = name.partition("[")
    if not bracket:
        target[name] = value
        return
    after = "[" + rest
    if after == "[]":
        existing = target.get(head)
        target[head] = (existing if isinstance(existing, list) else []) + [value]
    elif after.startswith("[]["):
        child = after[2:]
        items = target.get(head)
        if not isinstance(items, list):
            items = target[head] = []
        child_key = child[1:].partition("]")[0]
        if items and isinstance(items[-1], dict) and child_key not in items[-1]:
            _assign(items[-1], child_key + child[len(child_key) + 2:], value)
        else:
            fresh: dict[str, Any] = {}
            _assign(fresh, child_key + child[len(child_key) + 2:], value)
            items.append(fresh)
    else:
        key, _, tail = rest.partition("]")
        node = target.get(head)
        if not isinstance(node, dict):
            node = target[head] = {}
        _assign(node, key + tail, value)


def tag_list(value: Any, names_with_id: Callable[[int], list[str]]) -> list[str]:
    """`tags` as names: ids are looked up with `names_with_id` (an unknown id names nothing)."""
    names: list[str] = []
    for ref in tag_refs(value):
        names += [ref] if isinstance(ref, str) else names_with_id(ref)
    return names


def rate_limited(wait_seconds: int) -> Response:
    """Discourse's 429 for the admin API bucket."""
    time_left = describe_wait(wait_seconds)
    return json_reply(
        {
            "errors": [f"You’ve performed this action too many times. Please wait {time_left} "
                       "before trying again."],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": wait_seconds, "time_left": time_left},
        },
        429,
        {"Retry-After": str(wait_seconds),
         "Discourse-Rate-Limit-Error-Code": "admin_api_key_rate_limit"},
    )


def dumps(body: Any) -> str:
    """The exact JSON text Discourse-style replies and webhook bodies use."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
