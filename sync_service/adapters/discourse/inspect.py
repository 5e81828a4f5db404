"""Discourse's set-up read for `codev doctor`, through the paced Transport: version, the API key and its
user, webhooks and a ping's delivery, plugins, the DiscourseConnect provider. Read-only, except the
ping (Discourse sends {"ping":"OK"} to the hook; codev's intake answers "pong" and stores nothing)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from sync_service.adapters.discourse.admin import WEB_HOOKS_PAGE, DiscourseAdmin
from sync_service.adapters.discourse.client import Transport, path_segment
from sync_service.adapters.discourse.sso import decode, sign, signed_request
from sync_service.domain.provisioning import WEB_HOOK_EVENT_TYPES, ForumState, ForumStructure
from sync_service.services.ports.forum import ForumUnavailable
from sync_service.services.ports.health import (
    ApiUser,
    ConnectProbe,
    ConnectSettings,
    Delivery,
    KeyScope,
    Plugin,
    Reach,
    Unknown,
    Webhook,
)

CONTENT_TYPES = {1: "application/json", 2: "application/x-www-form-urlencoded"}
EVENT_NAMES = {number: name for name, number in WEB_HOOK_EVENT_TYPES.items()}
PLUGIN_NAMES = ("codev", "discourse-codev")
CONNECT_SETTINGS = ("enable_discourse_connect_provider", "discourse_connect_provider_secrets")
MAX_PAGES = 40
POLL_CAP = 4.0  # seconds between two looks for the ping's delivery, at most


def describe_failure(exc: requests.RequestException) -> str:
    """Why a request got no answer, in an operator's words."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, requests.exceptions.SSLError) or "certificate" in lowered or "ssl" in lowered:
        return f"TLS failed ({_short(text)})"
    if "name or service not known" in lowered or "nodename nor servname" in lowered \
            or "name resolution" in lowered or "getaddrinfo" in lowered:
        return "the name does not resolve (DNS)"
    if isinstance(exc, requests.Timeout):
        return "no answer in time (timeout)"
    if "refused" in lowered:
        return "connection refused (nothing listens there)"
    return f"{type(exc).__name__}: {_short(text)}"


def _short(text: str) -> str:
    return " ".join(text.split())[:160]


class DiscourseInspector:
    """ForumInspector on a real (or sandbox) Discourse."""

    def __init__(self, transport: Transport, admin: DiscourseAdmin, *,
                 sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic,
                 session: requests.Session | None = None) -> None:
        self.transport, self.admin = transport, admin
        self.sleep, self.monotonic = sleep, monotonic
        self.anonymous = session or requests.Session()  # no API key: as a browser reaches the forum

    def _answer(self, method: str, path: str, params: dict[str, Any] | None = None,
                ) -> tuple[int | None, Any, str]:
        """(status, decoded JSON or None, why there was no answer)."""
        try:
            status, headers, raw = self.transport.send_waiting_out_429(method, path, params=params)
        except requests.RequestException as exc:
            return None, None, describe_failure(exc)
        except ForumUnavailable as exc:  # rate limited past the budget
            return None, None, str(exc)
        body = None
        if "json" in headers.get("content-type", ""):
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                body = None
        return status, body, ""

    def _unknown(self, method: str, path: str, status: int | None, problem: str) -> Unknown:
        return Unknown(problem or f"{method} {path} answered {status}")

    def reach(self) -> Reach:
        """GET /about.json answers; the version from it or from /admin/version_check.json."""
        status, body, problem = self._answer("GET", "/about.json")
        if status is None:
            return Reach(False, problem)
        version = (body or {}).get("about", {}).get("version") if isinstance(body, dict) else None
        if isinstance(version, str) and version:
            return Reach(True, version=version)
        status, body, problem = self._answer("GET", "/admin/version_check.json")
        installed = body.get("installed_version") if isinstance(body, dict) else None
        if status == 200 and isinstance(installed, str) and installed:
            return Reach(True, version=installed)
        return Reach(True, version=self._unknown("GET", "/admin/version_check.json", status, problem))

    def api_user(self, username: str) -> ApiUser:
        """GET /u/<username>.json with the key: 403 refused, 404 no such user, else admin or not."""
        status, body, problem = self._answer("GET", f"/u/{path_segment(username)}.json")
        if status is None:
            raise ConnectionError(problem)
        if status in (401, 403):
            return ApiUser("refused")
        if status == 404 or not isinstance(body, dict):
            return ApiUser("no_user")
        return ApiUser("ok", admin=bool((body.get("user") or {}).get("admin")))

    def key_scope(self, key: str, username: str) -> KeyScope | Unknown:
        """The key among GET /admin/api/keys.json (by its first four characters and its user), then its
        scopes from GET /admin/api/keys/<id>.json (the listing leaves them out)."""
        path = "/admin/api/keys.json"
        status, body, problem = self._answer("GET", path)
        if status == 403:
            return KeyScope(False, ("(not allowed to list API keys)",))
        if status != 200 or not isinstance(body, dict):
            return self._unknown("GET", path, status, problem)
        mine = [k for k in body.get("keys") or [] if isinstance(k, dict) and not k.get("revoked_at")
                and str(k.get("truncated_key", "")) == key[:4]
                and ((k.get("user") or {}).get("username") in (None, username))]
        if not mine:
            return Unknown(f"no key starting with {key[:4]!r} in {path}")
        scopes: list[tuple[str, ...]] = []
        for listed in mine:
            status, detail, problem = self._answer("GET", f"/admin/api/keys/{int(listed['id'])}.json")
            row = detail.get("key") if isinstance(detail, dict) else None
            if status != 200 or not isinstance(row, dict):
                return self._unknown("GET", f"/admin/api/keys/{listed['id']}.json", status, problem)
            scopes.append(tuple(f"{s.get('resource')}:{s.get('action')}"
                                for s in row.get("api_key_scopes") or [] if isinstance(s, dict)))
        if any(not s for s in scopes):
            return KeyScope(True)
        return KeyScope(False, scopes[0])

    def webhooks(self) -> list[Webhook] | Unknown:
        """Every webhook (GET /admin/api/web_hooks.json, 50 a page)."""
        hooks: list[Webhook] = []
        for page in range(MAX_PAGES):
            path = "/admin/api/web_hooks.json"
            status, body, problem = self._answer("GET", path, {"offset": page * WEB_HOOKS_PAGE})
            if status != 200 or not isinstance(body, dict):
                return self._unknown("GET", path, status, problem)
            rows = body.get("web_hooks") or []
            hooks += [_webhook(row) for row in rows if isinstance(row, dict)]
            if len(rows) < WEB_HOOKS_PAGE:
                break
        return hooks

    def ping(self, hook_id: int, timeout: float) -> Delivery | Unknown:
        """POST .../ping, then the hook's newest ping event once Discourse recorded its outcome."""
        events = f"/admin/api/web_hook_events/{hook_id}.json"
        before = max((e["id"] for e in self._events(events)), default=0)
        status, _body, problem = self._answer("POST", f"/admin/api/web_hooks/{hook_id}/ping.json")
        if status != 200:
            return self._unknown("POST", f"/admin/api/web_hooks/{hook_id}/ping", status, problem)
        deadline = self.monotonic() + timeout
        # 0.5, 1, 2, 4, 4... s apart: a ping that never lands costs a dozen reads of the site's budget
        attempt = 0
        while True:
            for event in self._events(events):
                headers = _json_text(event.get("headers"))
                if event["id"] > before and headers.get("X-Discourse-Event") == "ping" \
                        and event.get("status") not in (None, 0):
                    return _delivery(event, headers)
            if self.monotonic() >= deadline:
                return Unknown(f"Discourse recorded no ping delivery within {timeout:.0f} s")
            self.sleep(min(POLL_CAP, 0.5 * 2 ** attempt))
            attempt += 1

    def _events(self, path: str) -> list[dict[str, Any]]:
        status, body, _problem = self._answer("GET", path)
        if status != 200 or not isinstance(body, dict):
            return []
        return [e for e in body.get("web_hook_events") or [] if isinstance(e, dict) and "id" in e]

    def structure(self, desired: ForumStructure) -> ForumState:
        """What provisioning reads."""
        return self.admin.read_structure(desired)

    def plugin(self, name: str) -> Plugin | Unknown:
        """The plugin among GET /admin/plugins.json."""
        path = "/admin/plugins.json"
        status, body, problem = self._answer("GET", path)
        if status != 200 or not isinstance(body, dict):
            return self._unknown("GET", path, status, problem)
        for row in body.get("plugins") or []:
            if isinstance(row, dict) and {str(row.get("name")), str(row.get("id"))} & {name, *PLUGIN_NAMES}:
                return Plugin(True, bool(row.get("enabled", True)))
        return Plugin(False)

    def connect_settings(self) -> ConnectSettings | Unknown:
        """The two DiscourseConnect provider settings from GET /admin/site_settings.json."""
        path = "/admin/site_settings.json"
        status, body, problem = self._answer("GET", path, {"filter_names[]": list(CONNECT_SETTINGS)})
        if status != 200 or not isinstance(body, dict):
            return self._unknown("GET", path, status, problem)
        values = {row.get("setting"): row.get("value") for row in body.get("site_settings") or []
                  if isinstance(row, dict)}
        if CONNECT_SETTINGS[0] not in values:
            return Unknown(f"{path} does not list {CONNECT_SETTINGS[0]}")
        raw = str(values.get(CONNECT_SETTINGS[1]) or "")
        # DiscourseConnectProvider: split(/[|\n]/) into host, secret, host, secret...
        parts = re.split(r"[|\n]", raw) if raw else []
        secrets = dict(zip(parts[::2], parts[1::2], strict=False))
        hidden = bool(raw) and set(raw) <= {"*", "|", "\n"} | set(" ")
        return ConnectSettings(str(values[CONNECT_SETTINGS[0]]).lower() == "true", secrets, hidden)

    def connect_probe(self, return_url: str, secret: str) -> ConnectProbe:
        """GET /session/sso_provider signed with `secret`, prompt=none, no one signed in."""
        query = signed_request(secret, {"nonce": "codev-doctor", "return_sso_url": return_url,
                                        "prompt": "none"})
        try:
            answer = self.anonymous.get(self.transport.base_url + "/session/sso_provider", params=query,
                                        allow_redirects=False, timeout=(5, 30))
        except requests.RequestException as exc:
            return ConnectProbe("unexpected", describe_failure(exc))
        if answer.status_code == 404:
            return ConnectProbe("disabled")
        if answer.status_code == 400:
            return ConnectProbe("no_secret", _short(answer.text))
        if answer.status_code == 422:
            return ConnectProbe("bad_secret")
        location = answer.headers.get("Location", "")
        if answer.status_code in (301, 302, 303) and location.startswith(return_url):
            back = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
            if sign(secret, back.get("sso", "")) != back.get("sig"):
                return ConnectProbe("wrong_signature_back")
            return ConnectProbe("signed", "failed=true" if decode(back["sso"]).get("failed") else "")
        return ConnectProbe("unexpected", f"HTTP {answer.status_code} {location[:80]}".strip())


def _event_name(event: Any) -> str:
    """An event type by its id when there is one: the name an older forum shows may differ from ours."""
    if isinstance(event, dict):
        number = event.get("id")
        return EVENT_NAMES.get(number, str(event.get("name"))) if isinstance(number, int) else \
            str(event.get("name"))
    return EVENT_NAMES.get(int(event), str(event))


def _webhook(row: dict[str, Any]) -> Webhook:
    events = tuple(_event_name(e) for e in row.get("web_hook_event_types") or [])
    filters = tuple(name for key, name in (("category_ids", "categories"), ("group_ids", "groups"),
                                           ("tag_names", "tags")) if row.get(key))
    return Webhook(int(row["id"]), str(row.get("payload_url") or ""), bool(row.get("active")),
                   CONTENT_TYPES.get(int(row.get("content_type") or 0), str(row.get("content_type"))),
                   str(row.get("secret") or ""), events, bool(row.get("wildcard_web_hook")), filters)


def _json_text(value: Any) -> dict[str, Any]:
    """Headers as Discourse stores them: JSON text (or already a mapping)."""
    if isinstance(value, dict):
        return value
    try:
        decoded = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _delivery(event: dict[str, Any], headers: dict[str, Any]) -> Delivery:
    status = event.get("status")
    answered = isinstance(status, int) and status > 0
    error = "" if answered else str(_json_text(event.get("response_headers")).get("error") or "")
    return Delivery(status if answered else None, error, str(event.get("response_body") or "")[:200],
                    str(headers.get("User-Agent") or ""), event.get("duration"))
