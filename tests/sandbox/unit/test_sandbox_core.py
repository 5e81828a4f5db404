"""The sandbox core: rate limiter, clock, params, auth, .json paths, Content-Type, fault injection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.core.clock import Clock, iso
from discourse_sandbox.core.http import params
from discourse_sandbox.core.params import as_bool, as_list
from discourse_sandbox.core.ratelimit import RateLimiter
from tests.conftest import ADMIN_API_KEY, SandboxClient, start_sandbox

JSON = "application/json; charset=utf-8"
HOOKS = "/admin/api/web_hooks.json"


# --- rate limiter and clock --------------------------------------------------------------------

def test_rate_limiter_allows_the_limit_then_asks_to_wait_the_rest_of_the_window() -> None:
    clock = Clock()
    limiter = RateLimiter(clock, limit=3)

    allowed = [limiter.hit("admin_api_min") for _ in range(3)]
    clock.advance(20.5)
    refused = limiter.hit("admin_api_min")

    assert allowed == [None, None, None]
    assert refused == 40  # ceil(60 - 20.5): the oldest hit leaves the window then


def test_rate_limiter_window_rolls_so_old_hits_stop_counting() -> None:
    clock = Clock()
    limiter = RateLimiter(clock, limit=2)
    limiter.hit("b")
    limiter.hit("b")

    clock.advance(60)

    assert limiter.hit("b") is None


def test_rate_limiter_buckets_are_separate_and_zero_turns_it_off() -> None:
    clock = Clock()
    limiter = RateLimiter(clock, limit=1)
    limiter.hit("a")

    assert limiter.hit("b") is None
    assert RateLimiter(clock, limit=0).hit("a") is None


def test_clock_advance_jumps_and_scale_speeds_time_up() -> None:
    clock = Clock(scale=1000.0)
    start = clock.seconds()

    clock.advance(3600)

    assert clock.seconds() - start >= 3600
    clock.set_scale(1.0)
    assert clock.scale == 1.0
    assert clock.seconds() - start >= 3600  # changing the scale does not jump back


def test_iso_is_discourses_millisecond_utc_format() -> None:
    from datetime import UTC, datetime

    assert iso(datetime(2026, 11, 29, 1, 30, 53, 123456, tzinfo=UTC)) == "2026-11-29T01:30:53.123Z"


# --- params ------------------------------------------------------------------------------------

@pytest.fixture
def app_sandbox() -> Iterator[Sandbox]:
    sandbox = Sandbox(SandboxSettings())
    yield sandbox
    sandbox.stop()


def parsed(sandbox: Sandbox, path: str = "/", **kwargs: Any) -> dict[str, Any]:
    with sandbox.app.test_request_context(path, method="POST", **kwargs):
        return params()


def test_params_nest_rails_style_form_keys(app_sandbox: Sandbox) -> None:
    body = "user_fields[3][]=a&user_fields[3][]=b&tags[]=x&web_hook[active]=true&title=T"

    result = parsed(app_sandbox, data=body, content_type="application/x-www-form-urlencoded")

    assert result == {"user_fields": {"3": ["a", "b"]}, "tags": ["x"],
                      "web_hook": {"active": "true"}, "title": "T"}


def test_params_merge_query_string_and_json_body(app_sandbox: Sandbox) -> None:
    result = parsed(app_sandbox, "/?offset=50", json={"web_hook": {"web_hook_event_type_ids": [101]}})

    assert result == {"offset": "50", "web_hook": {"web_hook_event_type_ids": [101]}}


def test_as_list_and_as_bool_cast_like_rails() -> None:
    assert as_list("a") == ["a"]
    assert as_list({"0": "a", "1": "b"}) == ["a", "b"]
    assert as_list(None) == []
    assert [as_bool(v) for v in ("true", "1", "t", "on", "false", "0", True)] == [
        True, True, True, True, False, False, True]
    assert as_bool("", default=True) is True


def test_invalid_json_body_is_400_invalid_parameters(sandbox: Sandbox) -> None:
    r = requests.post(sandbox.base_url + HOOKS, data="{not json", timeout=10,
                      headers={"Api-Key": ADMIN_API_KEY, "Api-Username": "system",
                               "Content-Type": "application/json"})

    assert r.status_code == 400
    assert r.json()["error_type"] == "invalid_parameters"


# --- auth, paths, content type -----------------------------------------------------------------

def test_bad_api_key_is_403_with_discourses_body(sandbox: Sandbox) -> None:
    r = requests.get(sandbox.base_url + HOOKS, headers={"Api-Key": "nope", "Api-Username": "system"},
                     timeout=10)

    assert r.status_code == 403
    assert r.headers["Content-Type"] == JSON
    assert r.json() == {
        "errors": ["You are not permitted to view the requested resource. "
                   "The API username or key is invalid."],
        "error_type": "invalid_access",
    }


def test_good_key_with_unknown_username_is_403(sandbox: Sandbox) -> None:
    r = SandboxClient(sandbox.base_url, username="nobody").get(HOOKS)

    assert r.status_code == 403


def test_anonymous_request_passes_authentication(sandbox: Sandbox) -> None:
    r = SandboxClient(sandbox.base_url, api_key=None).get(HOOKS)

    assert r.status_code == 404  # the admin route hides itself; auth did not refuse it
    assert r.json()["error_type"] == "not_found"


def test_json_suffix_and_accept_header_reach_the_same_route(api: SandboxClient) -> None:
    with_suffix = api.get(HOOKS)
    with_accept = api.get("/admin/api/web_hooks", headers={"Accept": "application/json"})

    assert with_suffix.status_code == with_accept.status_code == 200
    assert with_suffix.json() == with_accept.json()


def test_get_without_suffix_or_json_accept_is_html(api: SandboxClient) -> None:
    r = api.get("/admin/api/web_hooks", headers={"Accept": "text/html"})

    assert r.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", HOOKS), ("GET", "/no/such/route.json"), ("DELETE", "/admin/api/web_hooks.json"),
    ("POST", HOOKS),
])
def test_every_json_answer_has_discourses_content_type(api: SandboxClient, method: str, path: str) -> None:
    r = api.request(method, path)

    assert r.headers["Content-Type"] == JSON


def test_unknown_route_and_wrong_method_are_discourses_json_404(api: SandboxClient) -> None:
    missing = api.get("/no/such/route.json")
    wrong_method = api.delete(HOOKS)

    for r in (missing, wrong_method):
        assert r.status_code == 404
        assert r.json() == {"errors": ["The requested URL or resource could not be found."],
                            "error_type": "not_found"}


# --- admin rate limit through HTTP -------------------------------------------------------------

@pytest.fixture
def limited() -> Iterator[Sandbox]:
    sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=3))
    yield sandbox
    sandbox.stop()


def test_fourth_admin_request_in_a_minute_is_429_with_retry_after(limited: Sandbox) -> None:
    api = SandboxClient(limited.base_url)

    statuses = [api.get(HOOKS).status_code for _ in range(3)]
    r = api.get(HOOKS)

    assert statuses == [200, 200, 200]
    assert r.status_code == 429
    assert r.headers["Content-Type"] == JSON
    assert r.headers["Retry-After"] == "60"
    assert r.headers["Discourse-Rate-Limit-Error-Code"] == "admin_api_key_rate_limit"
    body = r.json()
    assert body["error_type"] == "rate_limit"
    assert body["extras"]["wait_seconds"] == 60
    assert len(body["errors"]) == 1


def test_admin_bucket_is_shared_by_every_username_and_refills_after_a_minute(limited: Sandbox) -> None:
    for _ in range(3):
        SandboxClient(limited.base_url).get(HOOKS)

    other_user = SandboxClient(limited.base_url, username="system").get(HOOKS)
    limited.clock.advance(60)
    later = SandboxClient(limited.base_url).get(HOOKS)

    assert other_user.status_code == 429
    assert later.status_code == 200


def test_anonymous_requests_do_not_use_the_admin_bucket(limited: Sandbox) -> None:
    anonymous = SandboxClient(limited.base_url, api_key=None)

    statuses = {anonymous.get(HOOKS).status_code for _ in range(5)}

    assert statuses == {404}


# --- fault injection ---------------------------------------------------------------------------

def test_5xx_fault_answers_before_the_route_runs_and_is_counted(sandbox: Sandbox, api: SandboxClient) -> None:
    sandbox.apply({"faults": {"api_5xx_rate": 1.0}})

    r = api.post(HOOKS, data={"web_hook[payload_url]": "https://x.example.org/h",
                              "web_hook[wildcard_web_hook]": "true"})

    assert r.status_code in (500, 502, 503)
    assert sandbox.state.web_hooks == {}
    assert sandbox.faults.injected["5xx"] == 1


def test_429_fault_looks_like_the_admin_rate_limit(sandbox: Sandbox, api: SandboxClient) -> None:
    sandbox.apply({"faults": {"api_429_rate": 1.0}})

    r = api.get(HOOKS)

    assert r.status_code == 429
    assert r.json()["error_type"] == "rate_limit"
    assert "Retry-After" in r.headers


def test_fail_after_write_fault_keeps_the_write_but_answers_500(sandbox: Sandbox, api: SandboxClient) -> None:
    sandbox.apply({"faults": {"api_fail_after_write_rate": 1.0}})

    r = api.post(HOOKS, data={"web_hook[payload_url]": "https://x.example.org/h",
                              "web_hook[wildcard_web_hook]": "true"})
    listed = api.get(HOOKS)

    assert r.status_code == 500
    assert r.json() == {"status": 500, "error": "Internal Server Error"}
    assert listed.json()["total_rows_web_hooks"] == 1
    assert sandbox.faults.injected["after_write"] == 1


def test_control_api_is_never_faulted(sandbox: Sandbox) -> None:
    sandbox.apply({"faults": {"api_5xx_rate": 1.0, "api_429_rate": 1.0}})

    r = requests.get(sandbox.base_url + "/_sandbox/health", timeout=10)

    assert r.status_code == 200


def _statuses(sandbox: Sandbox, seed: int) -> list[int]:
    sandbox.apply({"faults": {"seed": seed, "api_5xx_rate": 0.5}})
    api = SandboxClient(sandbox.base_url)
    return [api.get(HOOKS).status_code for _ in range(12)]


def test_same_fault_seed_gives_the_same_answers(sandbox: Sandbox) -> None:
    first = _statuses(sandbox, seed=21)
    second = _statuses(sandbox, seed=21)

    assert first == second
    assert 200 in first
    assert any(s >= 500 for s in first)


def test_form_params_nest_as_rack_does() -> None:
    from flask import Flask

    from discourse_sandbox.core.http import params

    body = ("tags[][name]=eau&tags[][id]=1&tags[][name]=sig&user_fields[3][]=a&user_fields[3][]=b"
            "&web_hook[active]=true&web_hook[web_hook_event_type_ids][]=101&title=x&title=y")
    with Flask("t").test_request_context("/?page=2", method="POST", data=body,
                                         content_type="application/x-www-form-urlencoded"):
        parsed = params()

    assert parsed == {
        "page": "2",
        "tags": [{"name": "eau", "id": "1"}, {"name": "sig"}],
        "user_fields": {"3": ["a", "b"]},
        "web_hook": {"active": "true", "web_hook_event_type_ids": ["101"]},
        "title": "y",
    }
