"""Seed section `sso_secrets`: the DiscourseConnect provider secret of each return_sso_url host."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.models.sso import MIN_SECRET_LENGTH
from discourse_sandbox.seed.target import SeedTarget


def seed_sso_secrets(target: SeedTarget, section: Any) -> None:
    """Seed section `sso_secrets`: {return_sso_url host: secret}."""
    if not isinstance(section, dict):
        raise ValueError("sso_secrets: expected a mapping of host to secret")
    with target.state.transaction() as state:
        for host, secret in section.items():
            if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"sso_secrets[{host!r}]: the secret must be a string of at least "
                    f"{MIN_SECRET_LENGTH} characters"
                )
            state.sso_secrets[str(host)] = secret
