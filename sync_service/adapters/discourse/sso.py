"""DiscourseConnect with Discourse as the identity provider: the signed payload, both ways.

`sso` is the base64 of a URL-encoded query; `sig` is hex(HMAC-SHA256(secret, sso)). The dashboard
(to come) signs people in with it; `codev doctor` uses it to check that the forum holds codev's secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode


def sign(secret: str, sso: str) -> str:
    """hex(HMAC-SHA256(secret, sso))."""
    return hmac.new(secret.encode(), sso.encode(), hashlib.sha256).hexdigest()


def encode(fields: dict[str, str]) -> str:
    """The base64 payload of these fields."""
    return base64.b64encode(urlencode(fields).encode()).decode()


def decode(sso: str) -> dict[str, str]:
    """The fields of a base64 payload ({} when it does not decode)."""
    try:
        text = base64.b64decode(sso.encode(), validate=False).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return {}
    return dict(parse_qsl(text, keep_blank_values=True))


def signed_request(secret: str, fields: dict[str, str]) -> dict[str, str]:
    """The query parameters of a request to /session/sso_provider: sso and sig."""
    sso = encode(fields)
    return {"sso": sso, "sig": sign(secret, sso)}
