"""DiscourseConnect (Discourse as identity provider): the signed payload, the secrets, the provider."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

MIN_SECRET_LENGTH = 10
# SessionController#sso_provider's plain-text answers (I18n discourse_connect.*)
LOGIN_ERROR = "Login Error"
MISSING_SECRET = (
    "Authentication failed due to missing secret. Contact the site administrators to fix this problem."
)  # Discourse validates discourse_connect_provider_secrets lines loosely


class SsoError(ValueError):
    """A DiscourseConnect request Discourse would refuse; `status` is the HTTP status it answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def sign(secret: str, sso: str) -> str:
    """hex(HMAC-SHA256(secret, sso)): the `sig` of a base64 payload."""
    return hmac.new(secret.encode(), sso.encode(), hashlib.sha256).hexdigest()


def encode_payload(fields: dict[str, Any]) -> str:
    """Base64.strict_encode64 of the URL-encoded fields (None values left out)."""
    query = urlencode({k: _text(v) for k, v in fields.items() if v is not None})
    return base64.b64encode(query.encode()).decode()


def decode_payload(sso: str) -> dict[str, str]:
    """The fields of a base64 payload; a payload that does not decode is a 422 as in Discourse."""
    try:
        text = base64.b64decode(sso.encode(), validate=False).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise SsoError(422, LOGIN_ERROR) from exc
    return dict(parse_qsl(text, keep_blank_values=True))


def signed_query(secret: str, fields: dict[str, Any]) -> dict[str, str]:
    """{"sso": ..., "sig": ...} for a payload: what a consumer sends and what the provider returns."""
    sso = encode_payload(fields)
    return {"sso": sso, "sig": sign(secret, sso)}


def secret_for(state: State, return_sso_url: str) -> str:
    """The provider secret configured for the host of return_sso_url ("" when none)."""
    host = urlsplit(return_sso_url).hostname or ""
    return state.sso_secrets.get(host, "") or state.sso_secrets.get("*", "")


def verify_request(state: State, sso: str, sig: str) -> tuple[dict[str, str], str]:
    """Check a consumer's request; returns (payload, secret) or raises SsoError(400|422)."""
    if not sso:
        raise SsoError(400, "param is missing or the value is empty: sso")
    payload = decode_payload(sso)
    return_url = payload.get("return_sso_url", "")
    if not return_url:
        raise SsoError(400, "return_sso_url is blank, it must be provided")
    secret = secret_for(state, return_url)
    if not secret:
        raise SsoError(400, MISSING_SECRET)
    if not hmac.compare_digest(sign(secret, sso), sig or ""):
        raise SsoError(422, LOGIN_ERROR)
    return payload, secret


def provider_fields(state: State, user: User, payload: dict[str, str]) -> dict[str, Any]:
    """The fields Discourse returns to the consumer for a logged-in user."""
    # user.groups.pluck(:name): automatic groups (trust levels, staff) count, "everyone" does not.
    group_names = [state.groups[gid].name for gid in state.group_ids_of(user.id)
                   if gid != 0 and gid in state.groups]
    return {
        "nonce": payload.get("nonce", ""),
        "return_sso_url": payload.get("return_sso_url", ""),
        "name": user.name,
        "username": user.username,
        "email": user.email,
        "external_id": user.id,
        "admin": user.admin,
        "moderator": user.moderator,
        "groups": ",".join(group_names),
    }


def redirect_url(return_sso_url: str, secret: str, fields: dict[str, Any]) -> str:
    """return_sso_url with the signed answer appended (keeping any query it already has)."""
    separator = "&" if "?" in return_sso_url else "?"
    return return_sso_url + separator + urlencode(signed_query(secret, fields))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class SsoAnswer:
    """Where SessionController#sso_provider sends the browser; kind: logout, failed, login, signed_in."""

    kind: str
    location: str


class Sso:
    """SessionController#sso_provider over the site's users and provider secrets."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def provide(self, sso: str, sig: str, api_user: User | None, cookie_username: str | None) -> SsoAnswer:
        """Verify the consumer's request, then answer for the API user or the browser's login cookie."""
        with self.site.state.transaction() as state:
            payload, secret = verify_request(state, sso, sig)
            user = api_user if api_user is not None else _cookie_user(state, cookie_username)
            return_url = payload["return_sso_url"]
            if payload.get("logout") == "true":
                # the consumer asks Discourse to end the session too, then go back unsigned
                return SsoAnswer("logout", return_url)
            if user is None:
                if payload.get("prompt") == "none":
                    fields = {"nonce": payload.get("nonce", ""), "return_sso_url": return_url,
                              "failed": "true"}
                    return SsoAnswer("failed", redirect_url(return_url, secret, fields))
                return SsoAnswer("login", "/login")
            fields = provider_fields(state, user, payload)
        return SsoAnswer("signed_in", redirect_url(return_url, secret, fields))


def _cookie_user(state: State, username: str | None) -> User | None:
    """The sandbox login cookie's user, if it may act (active, not suspended)."""
    user = state.user_by_username(username) if username else None
    if user is None or not user.active or user.suspended_till is not None:
        return None
    return user
