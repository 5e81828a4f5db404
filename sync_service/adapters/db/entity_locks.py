"""Per-entity locks for SQLite, across threads and processes, held from before a refetch until the
unit of work's transaction ends: what PostgreSQL's advisory transaction locks give.

SQLite's one write lock cannot serve: it would be held during the HTTP refetch and stop every other
writer (the webhook intake too). These are `flock` locks on 256 stripe files beside the database;
two entities that share a stripe merely wait for each other. `flock` belongs to an open file, so two
threads of one process exclude each other as two processes do.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from pathlib import Path
from typing import IO

STRIPES = 256


class EntityLocks:
    """The stripe files of one SQLite database."""

    def __init__(self, database: Path) -> None:
        self.folder = database.parent / f"{database.name}.entity-locks"

    def stripe(self, kind: str, key: int) -> int:
        """The stripe that serialises this entity."""
        digest = hashlib.sha256(f"codev:{kind}:{key}".encode()).digest()
        return int.from_bytes(digest[:2], "big") % STRIPES

    def acquire(self, stripe: int) -> IO[bytes]:
        """Wait for the stripe, hold it; closing the handle releases it."""
        _nested_guard(stripe)
        self.folder.mkdir(exist_ok=True)
        handle = (self.folder / f"{stripe:02x}").open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            handle.close()
            _held_by_thread().discard(stripe)
            raise
        return handle

    @staticmethod
    def release(stripe: int, handle: IO[bytes]) -> None:
        """Let the next one in."""
        _held_by_thread().discard(stripe)
        handle.close()


_local = threading.local()


def _held_by_thread() -> set[int]:
    held: set[int] | None = getattr(_local, "held", None)
    if held is None:
        held = _local.held = set()
    return held


def _nested_guard(stripe: int) -> None:
    """A thread that asks again for a stripe it holds (through another unit of work) would wait for
    itself forever: that is a mistake in the code, said at once."""
    held = _held_by_thread()
    if stripe in held:
        raise RuntimeError(f"entity lock stripe {stripe} is already held by this thread (nested units)")
    held.add(stripe)
