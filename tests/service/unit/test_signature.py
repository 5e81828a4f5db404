"""The webhook signature check: sha256= HMAC of the exact body, any configured secret, constant time."""

from __future__ import annotations

import pytest

from sync_service.adapters.discourse.signature import SignatureRejected, sign, verify_signature

# Computed with: printf '{"ping":"OK"}' | openssl dgst -sha256 -hmac "codev-test-secret-0123456789"
PING_BODY = b'{"ping":"OK"}'
PING_SECRET = "codev-test-secret-0123456789"
PING_SIGNATURE = "sha256=821ccf0344de2132b9ca76cd2878e5ab88a9ba0bf261ec49b34856169590fb98"
# GitHub's published vector for the same header format (X-Hub-Signature-256).
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def _reason(body: bytes, header: str | None, secrets: tuple[str, ...] = (PING_SECRET,)) -> str:
    with pytest.raises(SignatureRejected) as caught:
        verify_signature(body, header, secrets)
    return caught.value.reason


def test_sign_matches_openssl_test_vector() -> None:
    assert sign(PING_SECRET, PING_BODY) == PING_SIGNATURE
    assert sign("It's a Secret to Everybody", b"Hello, World!") == GITHUB_SIGNATURE


def test_openssl_vector_is_accepted() -> None:
    verify_signature(PING_BODY, PING_SIGNATURE, (PING_SECRET,))


def test_uppercase_hex_is_the_same_digest() -> None:
    verify_signature(PING_BODY, "sha256=" + PING_SIGNATURE[7:].upper(), (PING_SECRET,))


def test_any_configured_secret_verifies_during_a_rotation() -> None:
    old, new = "old-secret-0123456789", "new-secret-0123456789"

    verify_signature(PING_BODY, sign(old, PING_BODY), (new, old))
    verify_signature(PING_BODY, sign(new, PING_BODY), (new, old))

    assert _reason(PING_BODY, sign(old, PING_BODY), (new,)) == "signature_mismatch"


def test_forged_signature_is_refused() -> None:
    assert _reason(PING_BODY, sign("attacker-secret-012345", PING_BODY)) == "signature_mismatch"


def test_one_changed_byte_of_body_is_refused() -> None:
    assert _reason(b'{"ping":"OK "}', PING_SIGNATURE) == "signature_mismatch"


def test_missing_header_is_refused() -> None:
    assert _reason(PING_BODY, None) == "signature_missing"
    assert _reason(PING_BODY, "") == "signature_missing"


@pytest.mark.parametrize("header", [
    "sha1=" + "a" * 40, "SHA256=" + PING_SIGNATURE[7:], PING_SIGNATURE[7:], "sha512=" + "a" * 128,
])
def test_other_algorithms_and_bare_digests_are_refused(header: str) -> None:
    assert _reason(PING_BODY, header) == "signature_algorithm"


@pytest.mark.parametrize("header", [
    PING_SIGNATURE[:-2],                       # truncated
    PING_SIGNATURE + "00",                     # too long
    PING_SIGNATURE[:-1] + "g",                 # not hex
    "sha256=" + " ".join([PING_SIGNATURE[7:39], PING_SIGNATURE[39:]]),  # fromhex would skip the space
    "sha256=",
])
def test_malformed_digests_are_refused(header: str) -> None:
    assert _reason(PING_BODY, header) == "signature_malformed"


def test_without_any_secret_nothing_verifies() -> None:
    assert _reason(PING_BODY, PING_SIGNATURE, ()) == "no_secret_configured"
