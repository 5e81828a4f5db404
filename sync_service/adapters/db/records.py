"""Tables of what codev keeps of the forum: experts, needs, tombstones (see the Sync issue)."""

from __future__ import annotations
