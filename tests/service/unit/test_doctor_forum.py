"""The doctor against the answers of a real Discourse that the sandbox does not serve (the version, API
keys and their scopes, plugins, site settings) and against delivery failures it cannot stage here
(DNS): shapes from Discourse's serializers and controllers (docs/deploy.md cites them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from sync_service.adapters.discourse.inspect import DiscourseInspector
from sync_service.domain.provisioning import ForumStructure
from sync_service.services.doctor import Expected, Finding
from sync_service.services.doctor import forum as checks

KEY = "abcd0123456789-global-key"
Answer = tuple[int, Any]


class CannedForum:
    """Transport.send_once answering from a table of (method, path) -> answer (or a function)."""

    base_url = "https://forum.example.org"

    def __init__(self, routes: dict[tuple[str, str], Answer | Callable[[], Answer]]) -> None:
        self.routes = routes
        self.asked: list[tuple[str, str]] = []

    def send_once(self, method: str, path: str, params: Any = None,
                  body: Any = None) -> tuple[int, dict[str, str], bytes]:
        self.asked.append((method, path))
        answer = self.routes.get((method, path), (404, {"errors": ["not found"]}))
        status, document = answer() if callable(answer) else answer
        return status, {"content-type": "application/json; charset=utf-8"}, json.dumps(document).encode()

    def send_waiting_out_429(self, method: str, path: str, body: Any = None,
                             params: Any = None) -> tuple[int, dict[str, str], bytes]:
        return self.send_once(method, path, params, body)  # the canned forum never answers 429


def inspector(routes: dict[tuple[str, str], Answer | Callable[[], Answer]]) -> DiscourseInspector:
    return DiscourseInspector(CannedForum(routes), None, sleep=lambda _s: None)  # type: ignore[arg-type]


def expected(**changes: Any) -> Expected:
    values: dict[str, Any] = {
        "forum_url": CannedForum.base_url, "api_key": KEY, "api_username": "system",
        "webhook_url": "http://codev-proxy:8080/webhooks/discourse", "webhook_secrets": ("s" * 20,),
        "webhook_events": ("topic_created",), "structure": ForumStructure(),
        "sso_secret": "sso-secret-0123456789", "dashboard_url": "https://codev.example.org",
        "ping_timeout": 2.0}
    return Expected(**{**values, **changes})


def test_the_version_comes_from_the_about_page() -> None:
    about = {"about": {"version": "2026.8.0-latest", "title": "x"}}
    forum = inspector({("GET", "/about.json"): (200, about)})

    assert forum.reach().version == "2026.8.0-latest"


def test_else_from_the_admin_version_check() -> None:
    forum = inspector({("GET", "/about.json"): (200, {"about": {"title": "x"}}),
                       ("GET", "/admin/version_check.json"): (200, {"installed_version": "3.5.0.beta3"})})

    assert forum.reach().version == "3.5.0.beta3"


def _keys(scopes: list[dict[str, str]], user: str | None = "system") -> dict[tuple[str, str], Answer]:
    listed = {"id": 7, "truncated_key": KEY[:4], "description": "codev", "revoked_at": None,
              "user": {"id": -1, "username": user} if user else None}
    other = {"id": 8, "truncated_key": "zzzz", "revoked_at": None, "user": None}
    return {("GET", "/admin/api/keys.json"): (200, {"keys": [other, listed]}),
            ("GET", "/admin/api/keys/7.json"): (200, {"key": {**listed, "api_key_scopes": scopes}})}


def test_a_global_key_passes() -> None:
    finding = checks._key_scope(expected(), inspector(_keys([], user=None)))

    assert finding.status == "OK" and "global" in finding.says


def test_a_key_with_granular_scopes_is_a_problem() -> None:
    scopes = [{"resource": "topics", "action": "write"}, {"resource": "users", "action": "show"}]

    finding = checks._key_scope(expected(), inspector(_keys(scopes)))

    assert finding.status == "PROBLEM" and "topics:write, users:show" in finding.says


def test_a_key_that_may_not_list_keys_is_scoped() -> None:
    finding = checks._key_scope(expected(), inspector({("GET", "/admin/api/keys.json"): (403, {})}))

    assert finding.status == "PROBLEM" and "granular" in finding.says


@pytest.mark.parametrize(("plugins", "said"), [
    ([{"id": "codev", "name": "codev", "enabled": True}], "codev plugin enabled"),
    ([{"id": "codev", "name": "codev", "enabled": False}], "installed but disabled"),
    ([{"id": "chat", "name": "chat", "enabled": True}], "not installed (codev works without it"),
])
def test_the_plugin_installed_or_not_is_never_a_problem(plugins: list[dict[str, Any]], said: str) -> None:
    answers: dict[tuple[str, str], Answer] = {("GET", "/admin/plugins.json"): (200, {"plugins": plugins})}
    finding = checks._plugin(expected(), inspector(answers))

    assert finding.status == "OK" and said in finding.says


def _settings(enabled: bool, secrets: str) -> dict[tuple[str, str], Answer]:
    return {("GET", "/admin/site_settings.json"): (200, {"site_settings": [
        {"setting": "enable_discourse_connect_provider", "value": enabled, "type": "bool"},
        {"setting": "discourse_connect_provider_secrets", "value": secrets, "type": "list"}]})}


@pytest.mark.parametrize(("enabled", "secrets", "status", "said"), [
    (True, "wiki.example.org|other-secret-000\ncodev.example.org|sso-secret-0123456789", "OK", "matches"),
    (True, "*|sso-secret-0123456789", "OK", "matches"),
    (False, "codev.example.org|sso-secret-0123456789", "PROBLEM", "enable_discourse_connect_provider is off"),
    (True, "wiki.example.org|other-secret-000", "PROBLEM", "no line for codev.example.org"),
    (True, "codev.example.org|an-older-secret-000", "PROBLEM", "differs from CODEV_DISCOURSE_CONNECT_SECRET"),
])
def test_the_discourse_connect_settings(enabled: bool, secrets: str, status: str, said: str) -> None:
    finding = checks._connect_settings(expected(), inspector(_settings(enabled, secrets)))

    assert finding.status == status and said in finding.says


def _ping_failing(error: str) -> Finding:
    pinged: list[bool] = []
    event = {"id": 12, "status": -1, "headers": json.dumps({"X-Discourse-Event": "ping"}),
             "response_headers": json.dumps({"error": error}), "response_body": None, "duration": 0}

    def events() -> Answer:
        return 200, {"web_hook_events": [event] if pinged else []}

    def ping() -> Answer:
        pinged.append(True)
        return 200, {"success": "OK"}

    forum = inspector({("GET", "/admin/api/web_hook_events/3.json"): events,
                       ("POST", "/admin/api/web_hooks/3/ping.json"): ping})
    hook = checks.Webhook(3, "http://codev-proxy:8080/webhooks/discourse", True, "application/json", "s" * 20,
                          ("topic_created",), False, ())
    finding, _delivery = checks._ping(expected(), forum, hook)
    return finding


def test_a_ping_whose_host_does_not_resolve_points_to_the_network_line() -> None:
    finding = _ping_failing("Failed to open TCP connection to codev-proxy:8080 (getaddrinfo: Name or service "
                            "not known)")

    assert finding.status == "PROBLEM" and "cannot resolve codev-proxy (DNS)" in finding.says
    assert "docker_args" in finding.fix


def test_a_ping_blocked_as_internal_names_allowed_internal_hosts() -> None:
    finding = _ping_failing("FinalDestination::SSRFDetector::DisallowedIpError")

    assert "add codev-proxy to the site setting allowed_internal_hosts" in finding.fix


def test_no_ping_recorded_points_to_sidekiq() -> None:
    forum = inspector({("POST", "/admin/api/web_hooks/3/ping.json"): (200, {"success": "OK"})})
    hook = checks.Webhook(3, "http://x/webhooks/discourse", True, "application/json", "s" * 20, (), False, ())

    finding, _ = checks._ping(expected(ping_timeout=0.0), forum, hook)

    assert finding.status == "PROBLEM" and "Sidekiq" in finding.fix
