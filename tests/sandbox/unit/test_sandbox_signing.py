"""The sandbox signs webhook bodies as Discourse does: sha256=<hex HMAC-SHA256(secret, body bytes)>."""

from __future__ import annotations

from discourse_sandbox.core.signing import SIGNATURE_HEADER, signature

# Computed once with: printf '%s' BODY | openssl dgst -sha256 -hmac SECRET
BODY = '{"post":{"id":42,"raw":"Eau potable à Tiznit"}}'
SECRET = "codev-webhook-secret-2026"
EXPECTED = "sha256=4a66ba12bcdec89f3fdc946a6107089a6e7a60a63f622cf19d09ce0dea8639ee"

PING_BODY = '{"ping":"OK"}'
PING_SECRET = "a_secret_for_webhooks"
PING_EXPECTED = "sha256=7aa01c16da0497aee1dc69c458e9ce572a1d0ef37ed0bbfc07d8948486ab6710"


def test_signature_matches_openssl_vector_for_utf8_body() -> None:
    assert signature(SECRET, BODY.encode("utf-8")) == EXPECTED


def test_signature_matches_openssl_vector_for_ping() -> None:
    assert signature(PING_SECRET, PING_BODY.encode("utf-8")) == PING_EXPECTED


def test_signature_changes_when_one_body_byte_changes() -> None:
    altered = BODY.replace("42", "43").encode("utf-8")

    assert signature(SECRET, altered) != EXPECTED


def test_signature_header_name_is_discourses() -> None:
    assert SIGNATURE_HEADER == "X-Discourse-Event-Signature"
