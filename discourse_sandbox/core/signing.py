"""Discourse's webhook signature: HMAC-SHA256 of the exact body bytes, keyed by the hook's secret."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Discourse-Event-Signature"


def signature(secret: str, body: bytes) -> str:
    """The X-Discourse-Event-Signature value: "sha256=" + hex digest (OpenSSL::HMAC.hexdigest)."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
