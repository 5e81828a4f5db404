"""FinalDestination::SSRFDetector as the sandbox reads it: names resolved, internal addresses refused."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

BLOCKED_OR_INTERNAL = (
    "Payload URL cannot be used because it resolves to a blocked or internal IP"
)

# The ranges IANA's special-purpose registries say are not globally reachable, as SSRFDetector lists
# them (PRIVATE_IPV4_RANGES, PRIVATE_IPV6_RANGES); ::ffff:0:0/96 is left out, mapped IPv4 is allowed.
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
    "::1/128", "::/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:2::/48", "2001:db8::/32",
    "fc00::/7", "fe80::/10",
))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class LookupFailed(Exception):
    """SSRFDetector::LookupFailedError: the name does not resolve."""


def ip_allowed(address: Address) -> bool:
    """SSRFDetector.ip_allowed?: not in a private range (an IPv4-mapped IPv6 address as its IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not any(address.version == net.version and address in net for net in _PRIVATE)


def parse_hosts(entries: Collection[str]) -> dict[str, list[str]]:
    """The sandbox-only setting resolve_hosts: "name=address" lines, as /etc/hosts would give them."""
    table: dict[str, list[str]] = {}
    for entry in entries:
        name, _, address = entry.partition("=")
        if name.strip() and address.strip():
            table.setdefault(name.strip().lower(), []).append(address.strip())
    return table


def lookup_ips(host: str, hosts: dict[str, list[str]]) -> list[Address]:
    """FinalDestination::Resolver.lookup: an address literal, the hosts table, then the system's DNS."""
    name = host.strip("[]").lower().rstrip(".")
    try:
        return [ipaddress.ip_address(name)]
    except ValueError:
        pass
    if name in hosts:
        return [ipaddress.ip_address(a) for a in hosts[name]]
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise LookupFailed(f"FinalDestination: lookup failed for {name}") from exc
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


def lookup_and_filter_ips(host: str, allowed_hosts: Collection[str],
                          hosts: dict[str, list[str]]) -> list[Address]:
    """SSRFDetector.lookup_and_filter_ips: resolve, then keep the allowed addresses (all, for a listed
    host); none left: refused."""
    ips = lookup_ips(host, hosts)
    if host.lower() in {h.lower() for h in allowed_hosts}:
        return ips
    return [ip for ip in ips if ip_allowed(ip)]


def payload_url_allowed(url: str, allowed_hosts: Collection[str], hosts: dict[str, list[str]]) -> bool:
    """WebHook#ensure_payload_url_allowed: the host resolves to an allowed address (or is listed)."""
    host = urlsplit(url.strip()).hostname or ""
    try:
        return bool(lookup_and_filter_ips(host, allowed_hosts, hosts))
    except LookupFailed:
        return False


def allowed_internal_hosts(hosts: Collection[str]) -> frozenset[str]:
    """The site setting allowed_internal_hosts (a "|" list), blanks dropped."""
    return frozenset(h.strip() for h in hosts if h.strip())


@dataclass(frozen=True)
class HostPolicy:
    """allowed_internal_hosts and the names the sandbox resolves itself, for checking payload URLs."""

    allowed: frozenset[str]
    hosts: dict[str, list[str]]

    def allows(self, url: str) -> bool:
        """WebHook#ensure_payload_url_allowed, and FinalDestination's check before each request."""
        return payload_url_allowed(url, self.allowed, self.hosts)


def host_policy(allowed: Collection[str], resolve_hosts: Collection[str]) -> HostPolicy:
    """The policy of the settings allowed_internal_hosts and resolve_hosts."""
    return HostPolicy(allowed_internal_hosts(allowed), parse_hosts(resolve_hosts))
