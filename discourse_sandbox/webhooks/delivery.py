"""Webhook transport and records: request headers, the HTTP POST, and storing each attempt's answer."""

from __future__ import annotations

import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from discourse_sandbox.core.event_types import FAILED, SUCCESSFUL
from discourse_sandbox.core.records import WebHook, WebHookEvent
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.signing import SIGNATURE_HEADER, signature
from discourse_sandbox.core.ssrf import BLOCKED_OR_INTERNAL, host_policy

DISCOURSE_VERSION = "2026.8.0-latest"  # sent as User-Agent: Discourse/<version>
REQUEST_TIMEOUT = 20.0  # WebHookEmitter::REQUEST_TIMEOUT, seconds for open, read and write


@dataclass
class Delivery:
    """One attempt's outcome as a WebHookEvent stores it; status -1: no answer."""

    status: int
    headers: dict[str, str]
    body: str
    duration: int  # milliseconds


def post(url: str, headers: dict[str, str], body: bytes, verify: bool) -> Delivery:
    """POST exactly these headers and bytes (no redirects followed, as Faraday); never raises."""
    parts = urlsplit(url.strip())
    start = time.monotonic()
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context()
            if not verify:
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=REQUEST_TIMEOUT, context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=REQUEST_TIMEOUT)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders(body)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            answer = {k.lower(): v for k, v in response.getheaders()}
            status = response.status
        finally:
            conn.close()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Delivery(-1, {"error": f"{type(exc).__name__}: {exc}"}, "", _ms_since(start))
    return Delivery(status, answer, text, _ms_since(start))


def _ms_since(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def build_headers(
    hook: WebHook, base_url: str, event_name: str, event_type: str, event_id: int, body: bytes
) -> dict[str, str]:
    """Jobs::EmitWebHookEvent#build_webhook_headers."""
    host = urlsplit(hook.payload_url).hostname or ""
    headers = {
        "Accept": "*/*",
        "Connection": "close",
        "Content-Length": str(len(body)),
        "Content-Type": "application/x-www-form-urlencoded" if hook.content_type == 2
        else "application/json",
        "Host": f"[{host}]" if ":" in host else host,
        "User-Agent": f"Discourse/{DISCOURSE_VERSION}",
        "X-Discourse-Instance": base_url,
        "X-Discourse-Event-Id": str(event_id),
        "X-Discourse-Event-Type": event_type,
        "X-Discourse-Event": event_name,
    }
    if hook.secret:
        headers[SIGNATURE_HEADER] = signature(hook.secret, body)
    return headers


def send(settings: SandboxSettings, url: str, headers: dict[str, str], body: str, verify: bool) -> Delivery:
    """One delivery attempt; a host not allowed (anymore) gets no request and an error answer."""
    # FinalDestination re-checks the host at request time, not only when the hook is saved.
    if not host_policy(settings.allowed_internal_hosts, settings.resolve_hosts).allows(url):
        return Delivery(-1, {"error": BLOCKED_OR_INTERNAL}, "", 0)
    return post(url, headers, body.encode("utf-8"), verify)


def record(event: WebHookEvent, hook: WebHook, result: Delivery, headers: dict[str, str]) -> None:
    """WebHookEmitter#emit! storing the answer, and WebHookEvent's update of the hook's status."""
    event.headers = headers
    event.status = result.status
    event.response_headers = result.headers
    event.response_body = result.body
    event.duration = result.duration
    event.redelivering = False
    hook.last_delivery_status = SUCCESSFUL if 200 <= result.status < 300 else FAILED
