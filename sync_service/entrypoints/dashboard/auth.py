"""Signing in to the dashboard with DiscourseConnect, Discourse being the identity provider.

GET /auth/discourse/login sends the browser to the forum's /session/sso_provider with a signed nonce;
GET /auth/discourse/callback checks the forum's answer: the signature (HMAC-SHA256 of the base64
payload, compared in constant time), the nonce (the one this browser was given, stored in the
database and taken once, while fresh), the return URL (ours), then who may enter. Only the forum id,
the username and the staff flags are kept: the e-mail address, name and avatar the forum sends are
dropped. As Discourse does it: lib/discourse_connect_base.rb and SessionController#sso_provider
(discourse/discourse).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from sync_service.adapters.discourse import sso

CALLBACK_PATH = "/auth/discourse/callback"
HOME = "/dashboard/"


@dataclass(frozen=True)
class Person:
    """Who signed in, as the session keeps them: no e-mail address, no name."""

    user_id: int
    username: str
    admin: bool
    moderator: bool
    groups: tuple[str, ...]

    def may_enter(self, allowed_groups: frozenset[str]) -> bool:
        """Staff (admins, moderators) and members of the allowed groups."""
        return self.admin or self.moderator or bool(allowed_groups & set(self.groups))


class Refused(Exception):
    """The forum's answer cannot be trusted; `why` names the check (never shown with secrets)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def sign_in_url(forum_url: str, secret: str, nonce: str, return_url: str) -> str:
    """Where the browser goes to sign in: the forum's provider with our signed request."""
    query = sso.signed_request(secret, {"nonce": nonce, "return_sso_url": return_url})
    return f"{forum_url.rstrip('/')}/session/sso_provider?{urlencode(query)}"


def read_answer(secret: str, payload: str, sig: str, return_url: str,
                expected_nonce: str | None) -> tuple[str, Person]:
    """(nonce, person) from the forum's signed answer; Refused when any check fails. The caller still
    takes the nonce from the store (single use)."""
    if not payload or not sig:
        raise Refused("missing sso or sig")
    if not hmac.compare_digest(sso.sign(secret, payload), sig):
        raise Refused("bad signature")
    fields = sso.decode(payload)
    nonce = fields.get("nonce", "")
    if not nonce or expected_nonce is None or not hmac.compare_digest(nonce, expected_nonce):
        raise Refused("nonce not issued to this browser")
    if fields.get("return_sso_url") != return_url:
        raise Refused("answer for another return URL")
    if fields.get("failed") == "true":
        raise Refused("the forum did not sign anyone in")
    return nonce, person_of(fields)


def person_of(fields: Mapping[str, str]) -> Person:
    """The person the fields name, keeping nothing else (the e-mail address is dropped here)."""
    external_id, username = fields.get("external_id", ""), fields.get("username", "")
    if not external_id.isdigit() or not username:
        raise Refused("no user in the answer")
    groups = tuple(g for g in fields.get("groups", "").split(",") if g)
    return Person(int(external_id), username, fields.get("admin") == "true",
                  fields.get("moderator") == "true", groups)


def local_path(target: str | None) -> str:
    """`target` when it is a path of the dashboard on this site, else the dashboard's home: a return
    path to another site (//host, https://host, /\\host) is never followed."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(HOME):
        return HOME
    return target
