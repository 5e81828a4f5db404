"""The admin side of Discourse for provisioning: read and write groups, user fields, tag groups,
form templates, categories and the webhook, through the paced Transport."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml

from sync_service.adapters.discourse.client import (
    Forbidden,
    ForumProtocolError,
    NotFound,
    Transport,
)
from sync_service.config.forum import render_form_template
from sync_service.domain.provisioning import (
    KIND_WORDS,
    WEB_HOOK_EVENT_TYPES,
    Action,
    CategorySpec,
    Existing,
    FormTemplateSpec,
    ForumState,
    ForumStructure,
    GroupSpec,
    TagGroupSpec,
    UserFieldSpec,
    WebhookSpec,
)
from sync_service.services.ports.forum import ForumRefused, ForumUnavailable

EVENT_NAMES = {event_id: name for name, event_id in WEB_HOOK_EVENT_TYPES.items()}
JSON_CONTENT_TYPE = 1  # web_hook[content_type]: 1 application/json
USER_FIELD_PREFIXES = ("/admin/config/user_fields", "/admin/customize/user_fields")  # new, then old
FORM_TEMPLATES = "/admin/customize/form-templates"
GROUPS_PAGE = 36        # GroupsController#index page size
WEB_HOOKS_PAGE = 50     # Admin::WebHooksController#index page size
MAX_PAGES = 200         # a forum answering pages forever must not hold provisioning
BLOCKED_URL = "blocked or internal"
ADMIN_KEY_FIX = ("the API key must be a global admin key: in Discourse, Admin > API > New key, "
                 "user level \"All users\" (or an admin), scope \"Global\"; "
                 "and CODEV_DISCOURSE_API_USERNAME must be an admin (e.g. system)")


class DiscourseAdmin:
    """ForumAdmin on a real (or sandbox) Discourse; remembers the ids it learns while writing."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._form_template_ids: dict[str, int] = {}
        self._user_fields_prefix = USER_FIELD_PREFIXES[0]
        self._plugin_events: dict[str, int] = {}
        self.writes = 0

    # --- reading -------------------------------------------------------------------------------

    def read_structure(self, desired: ForumStructure) -> ForumState:
        """Everything provisioning compares, read with GETs only (categories: those desired)."""
        templates = self._form_templates()
        self._form_template_ids = {e.spec.name: e.id for e in templates}
        return ForumState(groups=tuple(self._groups()), user_fields=tuple(self._user_fields()),
                          tag_groups=tuple(self._tag_groups()), form_templates=tuple(templates),
                          categories=tuple(self._categories({c.slug for c in desired.categories})),
                          webhooks=tuple(self._webhooks()))

    def plugin_events(self) -> dict[str, int]:
        """GET /codev/status.json: the codev plugin's event types, none when absent or disabled (404)."""
        try:
            status = self.transport.get_json("/codev/status.json")
        except NotFound:
            self._plugin_events = {}
            return {}
        except Forbidden as exc:
            raise ForumRefused("reading the codev plugin's status", str(exc), ADMIN_KEY_FIX) from exc
        events = status.get("offer_events") if isinstance(status, dict) else None
        self._plugin_events = {str(k): int(v) for k, v in (events or {}).items()
                               if isinstance(v, int) and not isinstance(v, bool)}
        return dict(self._plugin_events)

    def _get(self, path: str, what: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return self.transport.get_json(path, params)
        except (Forbidden, NotFound) as exc:
            raise ForumRefused(f"reading {what}", str(exc), _fix_for_path(path)) from exc
        except ForumProtocolError as exc:
            raise ForumRefused(f"reading {what}", str(exc), "check CODEV_DISCOURSE_URL: it must be "
                               "the forum's base URL, with no redirect") from exc

    def _groups(self) -> Iterator[Existing[GroupSpec]]:
        for page in range(MAX_PAGES):
            rows = self._get("/groups.json", "groups", {"page": page}).get("groups") or []
            for row in rows:
                if not row.get("automatic"):
                    yield Existing(int(row["id"]), GroupSpec(
                        row["name"], row.get("full_name") or "", _level(row.get("messageable_level")),
                        _level(row.get("mentionable_level"))))
            if len(rows) < GROUPS_PAGE:
                return

    def _user_fields(self) -> list[Existing[UserFieldSpec]]:
        for prefix in USER_FIELD_PREFIXES:
            try:
                body = self.transport.get_json(f"{prefix}.json")
            except NotFound:
                continue  # this Discourse has the other route, or the key is not an admin's
            except Forbidden as exc:
                raise ForumRefused("reading user fields", str(exc), ADMIN_KEY_FIX) from exc
            self._user_fields_prefix = prefix
            return [Existing(int(f["id"]), UserFieldSpec(
                name=f["name"], field_type=f["field_type"], description=f.get("description") or "",
                options=tuple(f.get("options") or ()), editable=bool(f.get("editable")),
                show_on_profile=bool(f.get("show_on_profile")),
                show_on_user_card=bool(f.get("show_on_user_card")), searchable=bool(f.get("searchable")),
            )) for f in body.get("user_fields") or []]
        raise ForumRefused("reading user fields", "404 on every user fields admin route", ADMIN_KEY_FIX)

    def _tag_groups(self) -> list[Existing[TagGroupSpec]]:
        body = self._get("/tag_groups.json", "tag groups")
        return [Existing(int(g["id"]), TagGroupSpec(
            g["name"], tuple(t["name"] if isinstance(t, dict) else str(t)
                             for t in g.get("tags") or g.get("tag_names") or []),
            bool(g.get("one_per_topic")))) for g in body.get("tag_groups") or []]

    def _form_templates(self) -> list[Existing[FormTemplateSpec]]:
        body = self._get(f"{FORM_TEMPLATES}.json", "form templates")
        found = []
        for t in body.get("form_templates") or []:
            try:
                fields = yaml.safe_load(t.get("template") or "")
            except yaml.YAMLError:
                fields = None  # unreadable: codev's version replaces it
            fields = tuple(f for f in fields if isinstance(f, dict)) if isinstance(fields, list) else ()
            found.append(Existing(int(t["id"]), FormTemplateSpec(t["name"], fields)))
        return found

    def _categories(self, slugs: set[str]) -> list[Existing[CategorySpec]]:
        listed = self._get("/categories.json", "categories")["category_list"]["categories"]
        # Permissions and forms are only in a category's own JSON: one GET for each codev names.
        listed = [row for row in listed if str(row.get("slug")).lower() in {s.lower() for s in slugs}]
        names = {i: n for n, i in self._form_template_ids.items()}
        found = []
        for row in listed:
            detail = self._get(f"/c/{int(row['id'])}/show.json", f"category {row['name']}")["category"]
            permissions = {p["group_name"]: int(p["permission_type"])
                           for p in detail.get("group_permissions") or []}
            forms = tuple(names[i] for i in detail.get("form_template_ids") or [] if i in names)
            found.append(Existing(int(row["id"]), CategorySpec(
                row["slug"], row["name"], str(row.get("color") or ""), permissions, forms)))
        return found

    def _webhooks(self) -> Iterator[Existing[WebhookSpec]]:
        for page in range(MAX_PAGES):
            rows = self._get("/admin/api/web_hooks.json", "webhooks",
                             {"offset": page * WEB_HOOKS_PAGE}).get("web_hooks") or []
            for h in rows:
                # by id: the name an older Discourse (or a sandbox) shows may differ from ours
                events = tuple(EVENT_NAMES.get(e.get("id"), e.get("name") or "")
                               for e in h.get("web_hook_event_types") or [])
                yield Existing(int(h["id"]), WebhookSpec(h["payload_url"], h.get("secret") or "", events,
                                                         bool(h.get("active"))))
            if len(rows) < WEB_HOOKS_PAGE:
                return

    # --- writing -------------------------------------------------------------------------------

    def apply(self, action: Action) -> None:
        """One POST (create) or PUT (update); learns the ids of new form templates."""
        path, body = _WRITERS[action.kind](self, action)
        method = "POST" if action.verb == "create" else "PUT"
        answer = self._send(method, path, body, action)
        if isinstance(action.spec, FormTemplateSpec):
            self._form_template_ids[action.spec.name] = int(answer["form_template"]["id"])

    def _send(self, method: str, path: str, body: dict[str, Any], action: Action) -> Any:
        self.writes += 1
        try:
            status, _headers, raw = self.transport.send_waiting_out_429(method, path, body=body)
        except requests.RequestException as exc:
            # It may have been applied: the next `codev provision` reads before it writes.
            raise ForumUnavailable(f"{type(exc).__name__} on {method} {path}", 0.0) from exc
        if 200 <= status < 300:
            return _json(raw)
        if status >= 500:
            raise ForumUnavailable(f"HTTP {status} on {method} {path}", 0.0)
        raise _refusal(action, method, path, status, _errors(raw))

    def _group_write(self, action: Action) -> tuple[str, dict[str, Any]]:
        spec = _as(action, GroupSpec)
        # GroupsController#group_params and Admin::GroupsController both permit the two levels.
        group: dict[str, Any] = {"full_name": spec.full_name}
        group.update({key: level for key in ("messageable_level", "mentionable_level")
                      if (level := getattr(spec, key)) is not None})
        if action.verb == "create":
            return "/admin/groups.json", {"group": {"name": spec.name, **group}}
        return f"/groups/{action.target_id}.json", {"group": group}

    def _user_field_write(self, action: Action) -> tuple[str, dict[str, Any]]:
        spec = _as(action, UserFieldSpec)
        field: dict[str, Any] = {
            "name": spec.name, "field_type": spec.field_type, "description": spec.description,
            "editable": spec.editable, "show_on_profile": spec.show_on_profile,
            "show_on_user_card": spec.show_on_user_card, "searchable": spec.searchable,
        }
        if spec.options:
            field["options"] = list(spec.options)
        if action.verb == "create":
            field["requirement"] = "optional"
            return f"{self._user_fields_prefix}.json", {"user_field": field}
        return f"{self._user_fields_prefix}/{action.target_id}.json", {"user_field": field}

    def _tag_group_write(self, action: Action) -> tuple[str, dict[str, Any]]:
        spec = _as(action, TagGroupSpec)
        # Discourse replaces the whole list on update: the spec already holds the union.
        # `tags[][name]` since 2026.01; `tag_names[]` for older versions (ignored when tags is given).
        body = {"name": spec.name, "tags": [{"name": t} for t in spec.tags],
                "tag_names": list(spec.tags), "one_per_topic": spec.one_per_topic}
        if action.verb == "create":
            return "/tag_groups.json", body
        return f"/tag_groups/{action.target_id}.json", body

    def _form_template_write(self, action: Action) -> tuple[str, dict[str, Any]]:
        spec = _as(action, FormTemplateSpec)
        text = render_form_template(spec)
        if action.verb == "create":
            return f"{FORM_TEMPLATES}.json", {"name": spec.name, "template": text}
        return f"{FORM_TEMPLATES}/{action.target_id}.json", {"name": spec.name, "template": text}

    def _category_write(self, action: Action) -> tuple[str, dict[str, Any]]:
        spec = _as(action, CategorySpec)
        body: dict[str, Any] = {"name": spec.name, "color": spec.color,
                                "permissions": dict(spec.permissions)}
        missing = [n for n in spec.form_templates if n not in self._form_template_ids]
        if missing:
            raise ForumRefused(f"{action.verb} category {spec.name}", f"form template {missing[0]!r} "
                               "not found in the forum", "run `codev provision` again")
        if spec.form_templates:
            body["form_template_ids"] = [self._form_template_ids[n] for n in spec.form_templates]
        if action.verb == "create":
            return "/categories.json", {**body, "slug": spec.slug}
        return f"/categories/{action.target_id}.json", body

    def _webhook_write(self, action: Action) -> tuple[str, dict[str, Any]]:
        spec = _as(action, WebhookSpec)
        known = {**WEB_HOOK_EVENT_TYPES, **self._plugin_events}
        hook: dict[str, Any] = {
            "secret": spec.secret, "active": spec.active, "content_type": JSON_CONTENT_TYPE,
            # Events this Discourse does not know (a plugin's, kept from the forum) are left out.
            "web_hook_event_type_ids": [known[e] for e in spec.events if e in known],
        }
        if action.verb == "create":
            hook.update(payload_url=spec.payload_url, wildcard_web_hook=False)
            return "/admin/api/web_hooks.json", {"web_hook": hook}
        return f"/admin/api/web_hooks/{action.target_id}.json", {"web_hook": hook}


_WRITERS: dict[str, Callable[[DiscourseAdmin, Action], tuple[str, dict[str, Any]]]] = {
    "group": DiscourseAdmin._group_write, "user_field": DiscourseAdmin._user_field_write,
    "tag_group": DiscourseAdmin._tag_group_write, "form_template": DiscourseAdmin._form_template_write,
    "category": DiscourseAdmin._category_write, "webhook": DiscourseAdmin._webhook_write,
}


def _as(action: Action, kind: type[Any]) -> Any:
    if not isinstance(action.spec, kind):
        raise TypeError(f"{action.kind} action with a {type(action.spec).__name__}")
    return action.spec


def _level(value: Any) -> int | None:
    """A group's alias level as Discourse lists it (None when this version leaves it out)."""
    return int(value) if isinstance(value, int | str) and str(value).lstrip("-").isdigit() else None


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}


def _errors(raw: bytes) -> list[str]:
    """Discourse's `errors` list (never the rest of the body)."""
    body = _json(raw)
    errors = body.get("errors") if isinstance(body, dict) else None
    return [str(e)[:300] for e in errors[:5]] if isinstance(errors, list) else []


def _fix_for_path(path: str) -> str:
    if path.startswith(FORM_TEMPLATES):
        return (f"{ADMIN_KEY_FIX}; form templates also need the site setting "
                "experimental_form_templates (Admin > Settings) turned on")
    return ADMIN_KEY_FIX


def _refusal(action: Action, method: str, path: str, status: int, errors: list[str]) -> ForumRefused:
    """What Discourse refused, and what the operator can do about it."""
    what = action.describe()
    reason = f"HTTP {status} on {method} {path}" + (f": {'; '.join(errors)}" if errors else "")
    if status in (403, 404):
        return ForumRefused(what, reason, _fix_for_path(path))
    if isinstance(action.spec, WebhookSpec) and any(BLOCKED_URL in e for e in errors):
        host = urlsplit(action.spec.payload_url).hostname or action.spec.payload_url
        return ForumRefused(what, reason, f"Discourse refused the webhook URL: add its host {host!r} to the "
                            "site setting allowed_internal_hosts (Admin > Settings), or give codev a "
                            "public URL with --webhook-url")
    return ForumRefused(what, reason, f"correct this {KIND_WORDS[action.kind]} in config/forum.yaml, "
                        "or the one already in the forum, then run `codev provision` again")
