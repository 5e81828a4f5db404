"""Web hooks as the model validates them: web_hook[...] params, the SSRF guard, and the seed section."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from discourse_sandbox.core.event_types import EVENT_NAMES
from discourse_sandbox.core.params import as_bool, as_list
from discourse_sandbox.core.records import Tag, WebHook
from discourse_sandbox.core.ssrf import BLOCKED_OR_INTERNAL, payload_url_allowed
from discourse_sandbox.core.state import State

if TYPE_CHECKING:
    pass

class UnknownRecord(LookupError):
    """An id in the params names no record: Rails' RecordNotFound, a 404."""


def _ids(value: Any) -> list[int]:
    ids = []
    for item in as_list(value):
        if item.strip() == "":
            continue  # Rails drops the blank that `x[]=` sends to mean "none"
        try:
            ids.append(int(item))
        except ValueError as exc:
            raise UnknownRecord(item) from exc
    return ids


def assign(state: State, hook: WebHook, raw: dict[str, Any], allowed_hosts: Collection[str]) -> list[str]:
    """Apply web_hook[...] params to `hook` (a copy); returns Discourse's full error messages."""
    old_url = hook.payload_url
    if "payload_url" in raw:
        hook.payload_url = str(raw["payload_url"] or "").strip()
    if "content_type" in raw:
        try:
            hook.content_type = int(str(raw["content_type"]))
        except ValueError:
            hook.content_type = 0
    if "secret" in raw:
        hook.secret = str(raw["secret"] or "")
    for flag in ("wildcard_web_hook", "active", "verify_certificate"):
        if flag in raw:
            setattr(hook, flag, as_bool(raw[flag], getattr(hook, flag)))
    if "web_hook_event_type_ids" in raw:
        ids = _ids(raw["web_hook_event_type_ids"])
        if any(i not in EVENT_NAMES for i in ids):
            raise UnknownRecord("web_hook_event_types")
        hook.web_hook_event_type_ids = sorted(set(ids))
    if "category_ids" in raw:
        ids = _ids(raw["category_ids"])
        if any(i not in state.categories for i in ids):
            raise UnknownRecord("categories")
        hook.category_ids = sorted(set(ids))
    if "group_ids" in raw:
        ids = _ids(raw["group_ids"])
        if any(i not in state.groups for i in ids):
            raise UnknownRecord("groups")
        hook.group_ids = sorted(set(ids))
    if "tag_names" in raw:
        from discourse_sandbox.models.tag_names import clean_tag_name

        names = [clean_tag_name(n) for n in as_list(raw["tag_names"])]
        hook.tag_names = sorted({n for n in names if n})
    return _errors(hook, old_url, allowed_hosts)


def _errors(hook: WebHook, old_url: str, allowed_hosts: Collection[str]) -> list[str]:
    errors = []
    parts = urlsplit(hook.payload_url)
    url_ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    if not hook.payload_url:
        errors.append("Payload url can't be blank")
    elif not url_ok:
        errors.append("Payload url URL is invalid. URL should includes http:// or https://. "
                      "And no blank is allowed.")
    if hook.secret and len(hook.secret) < 12:
        errors.append("Secret is too short (minimum is 12 characters)")
    if hook.content_type <= 0:
        errors.append("Content type can't be blank")
    if not hook.wildcard_web_hook and not hook.web_hook_event_type_ids:
        errors.append("Web hook event types can't be blank")
    url_changed = hook.payload_url != old_url
    if url_ok and url_changed and not payload_url_allowed(hook.payload_url, allowed_hosts):
        errors.append(BLOCKED_OR_INTERNAL)
    return errors


def create_tags(state: State, names: list[str]) -> None:
    """DiscourseTagging.add_or_create_tags_by_name(unlimited: true): a hook's tags are created."""
    for name in names:
        if name not in state.tags:
            state.tags[name] = Tag(id=state.next_id("tags"), name=name)


# --- seed --------------------------------------------------------------------------------------


