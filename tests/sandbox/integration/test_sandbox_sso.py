"""The sandbox as a DiscourseConnect provider: signature checks, login, and the signed answer."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from discourse_sandbox import Sandbox
from discourse_sandbox.models.sso import decode_payload, sign, signed_query
from discourse_sandbox.seed import SeedError, load_seed_data
from tests.conftest import SandboxClient

SECRET = "a-long-enough-sso-secret"
RETURN_URL = "http://127.0.0.1:8000/sso/callback"


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    load_seed_data(sandbox, {
        "sso_secrets": {"127.0.0.1": SECRET},
        "groups": [{"name": "experts"}],
        "users": [{"username": "fatima", "name": "Fatima", "email": "fatima@example.org",
                   "groups": ["experts"]}],
    })
    return sandbox


def _answer(response: requests.Response) -> dict[str, str]:
    """The payload of the provider's redirect, after checking its signature."""
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    sso, sig = query["sso"][0], query["sig"][0]
    assert sig == sign(SECRET, sso)
    return decode_payload(sso)


def test_sign_is_hex_hmac_sha256_of_the_base64_payload() -> None:
    query = signed_query("secret-key-12", {"nonce": "n1", "return_sso_url": RETURN_URL})

    assert decode_payload(query["sso"]) == {"nonce": "n1", "return_sso_url": RETURN_URL}
    assert len(query["sig"]) == 64 and query["sig"] == sign("secret-key-12", query["sso"])


def test_logged_in_api_user_is_sent_back_signed(seeded: Sandbox, api: SandboxClient) -> None:
    query = signed_query(SECRET, {"nonce": "abc", "return_sso_url": RETURN_URL})

    response = api.as_user("fatima").get("/session/sso_provider", params=query)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(RETURN_URL + "?sso=")
    answer = _answer(response)
    user = seeded.state.user_by_username("fatima")
    assert user is not None
    assert answer["nonce"] == "abc" and answer["return_sso_url"] == RETURN_URL
    assert answer["username"] == "fatima" and answer["email"] == "fatima@example.org"
    assert answer["external_id"] == str(user.id)
    assert answer["admin"] == "false" and answer["moderator"] == "false"
    assert "experts" in answer["groups"].split(",")


def test_browser_login_cookie_then_provider(seeded: Sandbox) -> None:
    browser = SandboxClient(seeded.base_url, api_key=None)
    query = signed_query(SECRET, {"nonce": "n2", "return_sso_url": RETURN_URL})

    first = browser.get("/session/sso_provider", params=query)
    login = browser.get("/_sandbox_login", params={"username": "fatima"})
    back = browser.get(login.headers["Location"])

    assert first.status_code == 302 and urlsplit(first.headers["Location"]).path == "/login"
    assert login.status_code == 302
    assert _answer(back)["username"] == "fatima"


def test_prompt_none_without_a_session_answers_failed(seeded: Sandbox) -> None:
    browser = SandboxClient(seeded.base_url, api_key=None)
    query = signed_query(SECRET, {"nonce": "n3", "return_sso_url": RETURN_URL, "prompt": "none"})

    answer = _answer(browser.get("/session/sso_provider", params=query))

    assert answer["failed"] == "true" and answer["nonce"] == "n3"


def test_bad_signature_is_422(seeded: Sandbox, api: SandboxClient) -> None:
    query = signed_query("another-secret-xyz", {"nonce": "n", "return_sso_url": RETURN_URL})

    assert api.get("/session/sso_provider", params=query).status_code == 422


def test_unknown_return_host_has_no_secret_and_is_400(seeded: Sandbox, api: SandboxClient) -> None:
    query = signed_query(SECRET, {"nonce": "n", "return_sso_url": "http://elsewhere.test/cb"})

    assert api.get("/session/sso_provider", params=query).status_code == 400


def test_seed_rejects_a_short_secret(sandbox: Sandbox) -> None:
    with pytest.raises(SeedError, match="sso_secrets"):
        load_seed_data(sandbox, {"sso_secrets": {"127.0.0.1": "short"}})


def test_logout_request_ends_the_browser_session(seeded: Sandbox) -> None:
    browser = SandboxClient(seeded.base_url, api_key=None)
    browser.get("/_sandbox_login", params={"username": "fatima"})
    logout = signed_query(SECRET, {"nonce": "n4", "return_sso_url": RETURN_URL, "logout": "true"})

    response = browser.get("/session/sso_provider", params=logout)
    again = browser.get("/session/sso_provider",
                        params=signed_query(SECRET, {"nonce": "n5", "return_sso_url": RETURN_URL}))

    assert response.headers["Location"] == RETURN_URL
    assert urlsplit(again.headers["Location"]).path == "/login"
