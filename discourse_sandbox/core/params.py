"""Rails' casting of request params: lists, booleans, integers and tag references."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.errors import fail


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


def tag_refs(value: Any) -> list[str | int]:
    """`tags`: names (deprecated) or hashes {name} / {id} as posts_controller permits `tags: [:id, :name]`.

    A name is kept as a string, an id as an int; a hash with neither is dropped.
    """
    if isinstance(value, dict):
        items: list[Any] = list(value.values())
    else:
        items = value if isinstance(value, list) else as_list(value)
    refs: list[str | int] = []
    for item in items:
        if not isinstance(item, dict):
            refs.append(str(item))
        elif item.get("name") not in (None, ""):
            refs.append(str(item["name"]))
        elif str(item.get("id") or "").isdigit():
            refs.append(int(str(item["id"])))
    return refs
