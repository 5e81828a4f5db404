"""Discourse's webhook signature: X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Discourse-Event-Signature"
ALGORITHM = "sha256"
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


class SignatureRejected(Exception):
    """The delivery is not signed by any configured secret; `reason` is a short code for the record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(secret: str, body: bytes) -> str:
    """The header value Discourse sends for this body and secret (OpenSSL::HMAC.hexdigest)."""
    return f"{ALGORITHM}=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secrets: Sequence[str]) -> None:
    """Raise SignatureRejected unless `header` is a valid sha256 HMAC of `body` under one of `secrets`.

    Several secrets are accepted so that a secret can be rotated: add the new one, change it in
    Discourse, then drop the old one.
    """
    if not secrets:
        raise SignatureRejected("no_secret_configured")
    if not header:
        raise SignatureRejected("signature_missing")
    algorithm, sep, hex_digest = header.partition("=")
    if not sep or algorithm != ALGORITHM:
        raise SignatureRejected("signature_algorithm")
    # fullmatch before fromhex: fromhex would skip spaces, and a short digest must not pass.
    if not _HEX_DIGEST.fullmatch(hex_digest):
        raise SignatureRejected("signature_malformed")
    given = bytes.fromhex(hex_digest)
    matched = False
    for secret in secrets:
        expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
        # no early exit: the time taken does not tell which secret (if any) matched
        matched |= hmac.compare_digest(expected, given)
    if not matched:
        raise SignatureRejected("signature_mismatch")
