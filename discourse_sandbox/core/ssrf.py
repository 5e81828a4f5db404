"""FinalDestination::SSRFDetector as the sandbox reads it: which webhook hosts are internal."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from urllib.parse import urlsplit

BLOCKED_OR_INTERNAL = (
    "Payload URL cannot be used because it resolves to a blocked or internal IP"
)


def is_internal_host(host: str) -> bool:
    """Whether a host is private, loopback or otherwise internal (FinalDestination::SSRFDetector)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # No DNS here: names that only resolve inside a network (localhost, compose services) count
        # as internal, any dotted public-looking name as external.
        name = host.lower().rstrip(".")
        return name == "localhost" or "." not in name or name.endswith((".localhost", ".local", ".internal"))
    return not address.is_global or address.is_multicast


def payload_url_allowed(url: str, allowed_hosts: Collection[str]) -> bool:
    """WebHook#ensure_payload_url_allowed: internal hosts only when listed in allowed_internal_hosts."""
    host = urlsplit(url.strip()).hostname or ""
    return host in allowed_hosts or not is_internal_host(host)


def allowed_internal_hosts(hosts: Collection[str]) -> frozenset[str]:
    """The site setting allowed_internal_hosts (a "|" list), blanks dropped."""
    return frozenset(h.strip() for h in hosts if h.strip())
