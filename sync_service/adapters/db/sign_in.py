"""The dashboard's DiscourseConnect nonces (table sign_in_nonces): issued before the browser goes to the
forum, taken once when the forum's answer comes back. In the database, so that every web process (and
every gunicorn worker) agrees that a nonce was already used."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert

from sync_service.adapters.db.columns import rowcount
from sync_service.adapters.db.tables import SignInNonce


class SignInNonces:
    """Single-use nonces that expire after `ttl`."""

    def __init__(self, engine: Engine, now: Callable[[], datetime], ttl: timedelta) -> None:
        self.engine, self.now, self.ttl = engine, now, ttl

    def issue(self) -> str:
        """A new random nonce, stored; expired ones are cleared on the way."""
        nonce = secrets.token_urlsafe(32)
        now = self.now()
        with self.engine.begin() as connection:
            connection.execute(delete(SignInNonce).where(SignInNonce.issued_at < now - self.ttl))
            connection.execute(insert(SignInNonce).values(nonce=nonce, issued_at=now))
        return nonce

    def take(self, nonce: str) -> bool:
        """True once for a fresh nonce this store issued; False when unknown, used or expired."""
        if not nonce or len(nonce) > 64:
            return False
        with self.engine.begin() as connection:
            taken = rowcount(connection.execute(
                delete(SignInNonce).where(SignInNonce.nonce == nonce,
                                          SignInNonce.issued_at >= self.now() - self.ttl)))
        return taken == 1
