"""What the doctor says (findings) and what it expects (from codev's configuration)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from sync_service.domain.provisioning import ForumStructure

Status = Literal["OK", "PROBLEM", "SKIPPED"]
FORUM_CHECKS = ("forum", "api-key", "key-scope", "webhook", "ping", "structure", "plugin",
                "connect-settings", "connect")
LOCAL_CHECKS = ("database", "worker", "inbox", "outbox")
CHECKS = FORUM_CHECKS + LOCAL_CHECKS


@dataclass(frozen=True)
class Finding:
    """One check's outcome, as one line."""

    check: str
    status: Status
    says: str
    fix: str = ""

    def line(self) -> str:
        """`PROBLEM  webhook: ... -> to fix: ...`"""
        text = f"{self.status:<8} {self.check}: {self.says}"
        return f"{text} -> to fix: {self.fix}" if self.fix else text


@dataclass(frozen=True)
class Expected:
    """What the forum and the database must show, from codev's configuration."""

    forum_url: str
    api_key: str
    api_username: str
    webhook_url: str
    webhook_secrets: tuple[str, ...]
    webhook_events: tuple[str, ...]
    structure: ForumStructure
    sso_secret: str = ""
    dashboard_url: str = ""
    plugin_name: str = "codev"
    ping_timeout: float = 30.0
    worker_stale_seconds: float = 300.0
    stuck_seconds: float = 600.0
    worker_prefix: str = ""      # only the heartbeats of workers whose id starts so (this host)

    def without_webhook(self) -> ForumStructure:
        """The structure provisioning manages, the webhook aside (checked on its own)."""
        return replace(self.structure, webhook=None)




def ago(seconds: float) -> str:
    """3 s, 12 min, 5 h, 2 days."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h" if seconds < 172_800 else f"{seconds / 86400:.0f} days"
