"""Web hooks: WebHook's validations of web_hook[...] params, and Admin::WebHooksController."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from discourse_sandbox.core.errors import found, not_found
from discourse_sandbox.core.event_types import EVENT_NAMES, PLUGIN_EVENT_NAMES
from discourse_sandbox.core.events import Deliveries
from discourse_sandbox.core.params import as_bool, as_list
from discourse_sandbox.core.records import Tag, WebHook, WebHookEvent
from discourse_sandbox.core.ssrf import BLOCKED_OR_INTERNAL, HostPolicy, host_policy
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site
from discourse_sandbox.models.tag_names import clean_tag_name


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


def assign(state: State, hook: WebHook, raw: dict[str, Any], policy: HostPolicy,
           plugin_types: bool = False) -> list[str]:
    """Apply web_hook[...] params to `hook` (a copy); returns Discourse's full error messages.

    `plugin_types`: the codev plugin is installed, so its event types (90101, 90102) exist too.
    """
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
        if any(i not in EVENT_NAMES and not (plugin_types and i in PLUGIN_EVENT_NAMES) for i in ids):
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
        names = [clean_tag_name(n) for n in as_list(raw["tag_names"])]
        hook.tag_names = sorted({n for n in names if n})
    return _errors(hook, old_url, policy)


def _errors(hook: WebHook, old_url: str, policy: HostPolicy) -> list[str]:
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
    if url_ok and url_changed and not policy.allows(hook.payload_url):
        errors.append(BLOCKED_OR_INTERNAL)
    return errors


def create_tags(state: State, names: list[str]) -> None:
    """DiscourseTagging.add_or_create_tags_by_name(unlimited: true): a hook's tags are created."""
    for name in names:
        if name not in state.tags:
            state.tags[name] = Tag(id=state.next_id("tags"), name=name)


# --- seed --------------------------------------------------------------------------------------


PER_PAGE = 50


class WebHookRejected(Exception):
    """WebHook's validations failed: `errors` are the full messages (422, no error_type)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class EventPage:
    """One page of a hook's events, newest first, and how many there are."""

    events: list[WebHookEvent]
    total: int


def events_of(state: State, hook_id: int) -> list[WebHookEvent]:
    """WebHookEvent's default scope: newest first."""
    events = [e for e in state.web_hook_events.values() if e.web_hook_id == hook_id]
    return sorted(events, key=lambda e: (e.created_at, e.id), reverse=True)


class WebHooks:
    """Admin::WebHooksController over the site's hooks; deliveries go through the emitter."""

    def __init__(self, site: Site, deliveries: Deliveries) -> None:
        self.site = site
        self.deliveries = deliveries

    def page(self, offset: int) -> tuple[list[WebHook], int]:
        """PER_PAGE hooks by id from `offset`, and how many there are."""
        with self.site.state.transaction() as state:
            hooks = sorted(state.web_hooks.values(), key=lambda h: h.id)
            return hooks[offset:offset + PER_PAGE], len(hooks)

    def get(self, hook_id: int) -> WebHook:
        """One hook, or 404."""
        with self.site.state.transaction() as state:
            return found(state.web_hooks.get(hook_id))

    def create(self, raw: dict[str, Any]) -> WebHook:
        """A new hook from web_hook[...]; WebHookRejected with the model's messages when invalid."""
        with self.site.state.transaction() as state:
            now = self.site.clock.now()
            hook = WebHook(id=0, payload_url="", created_at=now, updated_at=now)
            self._assign(state, hook, raw)
            hook.id = state.next_id("web_hooks")
            state.web_hooks[hook.id] = hook
            create_tags(state, hook.tag_names)
            return hook

    def update(self, hook_id: int, raw: dict[str, Any]) -> WebHook:
        """Change the given web_hook[...] fields only."""
        with self.site.state.transaction() as state:
            hook = found(state.web_hooks.get(hook_id))
            changed = dataclasses.replace(hook)
            self._assign(state, changed, raw)
            changed.updated_at = self.site.clock.now()
            # Copy onto the stored record: delivery threads may hold a reference to it.
            for f in dataclasses.fields(WebHook):
                setattr(hook, f.name, getattr(changed, f.name))
            create_tags(state, hook.tag_names)
            return hook

    def destroy(self, hook_id: int) -> None:
        """Delete the hook and its events (has_many :web_hook_events, dependent: :destroy)."""
        with self.site.state.transaction() as state:
            found(state.web_hooks.get(hook_id))
            del state.web_hooks[hook_id]
            for event_id in [e.id for e in state.web_hook_events.values() if e.web_hook_id == hook_id]:
                del state.web_hook_events[event_id]

    def events(self, hook_id: int, status: str | None, offset: int) -> EventPage:
        """A hook's events, newest first, PER_PAGE from `offset`; `status` successful|failed filters."""
        with self.site.state.transaction() as state:
            found(state.web_hooks.get(hook_id))
            events = events_of(state, hook_id)
            if status == "successful":
                events = [e for e in events if 200 <= e.status <= 299]
            elif status == "failed":
                events = [e for e in events if not 200 <= e.status <= 299]
            return EventPage(events[offset:offset + PER_PAGE], len(events))

    def events_with_ids(self, hook_id: int, ids: list[str]) -> list[WebHookEvent]:
        """The hook's events whose ids are listed (newest first)."""
        with self.site.state.transaction() as state:
            found(state.web_hooks.get(hook_id))
            wanted = {i for i in ids if i.isdigit()}
            return [e for e in events_of(state, hook_id) if str(e.id) in wanted]

    def redeliver_now(self, event_id: int) -> WebHookEvent | None:
        """Send a stored event again now (same headers, body and id); None when it or its hook is gone.

        Called outside any transaction: the delivery waits for the receiver's answer.
        """
        return self.deliveries.redeliver_now(event_id)

    def redeliver_failed(self, hook_id: int, asked: set[int]) -> list[int]:
        """Queue the asked failed events (not pings, not already queued), 2 s apart, once committed."""
        with self.site.state.transaction() as state:
            found(state.web_hooks.get(hook_id))
            queued = []
            for event in reversed(events_of(state, hook_id)):
                failed = not 200 <= event.status <= 299
                ping = event.headers.get("X-Discourse-Event") == "ping"
                if event.id in asked and failed and not ping and not event.redelivering:
                    event.redelivering = True
                    queued.append(event.id)
            state.after_commit(lambda: self.deliveries.redeliver_later(queued))
            return queued

    def ping(self, hook_id: int) -> None:
        """Queue {"ping":"OK"} once committed, even to an inactive hook."""
        with self.site.state.transaction() as state:
            found(state.web_hooks.get(hook_id))
            state.after_commit(lambda: self.deliveries.ping(hook_id))

    def _assign(self, state: State, hook: WebHook, raw: dict[str, Any]) -> None:
        settings = self.site.settings
        try:
            errors = assign(state, hook, raw, host_policy(settings.allowed_internal_hosts,
                                                         settings.resolve_hosts),
                            settings.plugin_codev_enabled)
        except UnknownRecord:
            not_found()
        if errors:
            raise WebHookRejected(errors)
