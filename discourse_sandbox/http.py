"""Request and reply helpers shared by every route: Rails-style params, JSON replies, errors."""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from flask import Response, abort, g, request

JSON_TYPE = "application/json; charset=utf-8"
_KEY_PART = re.compile(r"\[([^\]]*)\]")


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


def fail(
    status: int, errors: list[str] | str, error_type: str | None = None, **extra: Any
) -> NoReturn:
    """Stop the request with a Discourse error body."""
    abort(json_error(errors, status, error_type, **extra))


def not_found() -> NoReturn:
    fail(404, "The requested URL or resource could not be found.", "not_found")


def invalid_access() -> NoReturn:
    fail(403, "You are not permitted to view the requested resource.", "invalid_access")


def invalid_parameters(name: str) -> NoReturn:
    fail(400, f"param is missing or the value is empty: {name}", "invalid_parameters")


def record_invalid(errors: list[str] | str) -> NoReturn:
    fail(422, errors, "record_invalid")


def params() -> dict[str, Any]:
    """Query string and body merged as Rails does: form keys like a[b][]=1 nest; JSON as is."""
    cached = g.get("_sandbox_params")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    merged: dict[str, Any] = {}
    for key in request.args:
        _assign(merged, key, request.args.getlist(key))
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None and request.get_data():
            fail(400, "The request body is not valid JSON.", "invalid_parameters")
        if isinstance(body, dict):
            merged.update(body)
    else:
        for key in request.form:
            _assign(merged, key, request.form.getlist(key))
    g._sandbox_params = merged
    return merged


def _assign(target: dict[str, Any], key: str, values: list[str]) -> None:
    head, _, rest = key.partition("[")
    parts = [head] + (_KEY_PART.findall("[" + rest) if rest else [])
    node: Any = target
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt = parts[i + 1] if not last else None
        if last:
            if part == "":
                continue
            node[part] = values[-1] if len(values) == 1 else values
        elif nxt == "":
            node[part] = list(node.get(part, [])) if isinstance(node.get(part), list) else []
            node[part].extend(values)
            return
        else:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]


def as_list(value: Any) -> list[str]:
    """A param that may come as one string, a comma list, a list or a {"0": ..} hash."""
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def as_bool(value: Any, default: bool = False) -> bool:
    """Rails' boolean casting of a param."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "t", "on", "yes")


def as_int(value: Any, name: str) -> int:
    """An integer param, or Discourse's 400 for a bad value."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        fail(400, f"Invalid parameter: {name}", "invalid_parameters")
