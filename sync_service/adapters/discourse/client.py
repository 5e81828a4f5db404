"""HTTP to Discourse: timeouts, no redirects, size caps, pacing, and one retry policy for every read."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from pydiscourse import DiscourseClient

from sync_service.adapters.discourse.pacing import Clock, Pacer, Sleep, backoff_delay
from sync_service.services.ports.forum import ForumUnavailable

log = logging.getLogger(__name__)

# A 429 without a usable Retry-After / wait_seconds: pydiscourse waits 10 s too.
DEFAULT_RATE_LIMIT_WAIT = 10.0
# Discourse never says less than 1 s; a 0 must not turn into a tight loop of requests.
MIN_RATE_LIMIT_WAIT = 1.0
# A Retry-After that large is not a rate limit we should sit through inside one call.
MAX_SINGLE_WAIT = 3600.0


class ForumUnreachable(ForumUnavailable):
    """No answer at all from the forum (connection refused, DNS, TLS, timeouts) after every try."""


class NotFound(Exception):
    """Discourse answered 404: the thing does not exist (or an admin route refused a non-admin)."""


class Forbidden(Exception):
    """Discourse answered 403: bad credentials, or the API user may not see the thing."""


class ForumProtocolError(Exception):
    """Discourse answered something a retry will not fix (redirect, 4xx, not JSON, too large)."""


@dataclass(frozen=True)
class HttpPolicy:
    """Limits and the retry policy of every request the gateway makes."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_response_bytes: int = 8 * 1024 * 1024
    attempts: int = 4                 # tries for 5xx, timeouts and connection errors
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    rate_limit_budget: float = 180.0  # seconds one call may spend waiting out 429s
    requests_per_minute: int = 60     # client-side pacing (Discourse's default); 0 = off


class Transport:
    """GET JSON from one Discourse site with the admin key, paced and retried as HttpPolicy says."""

    def __init__(self, base_url: str, api_key: str, api_username: str,
                 policy: HttpPolicy | None = None, *, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep, rng: random.Random | None = None,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy or HttpPolicy()
        self.pacer = Pacer(self.policy.requests_per_minute, clock, sleep)
        self._rng = rng or random.Random()
        self._session = session or requests.Session()
        self._session.headers.update({
            "Api-Key": api_key, "Api-Username": api_username,
            "Accept": "application/json; charset=utf-8",
        })
        self.requests_made = 0
        self.rate_limited = 0  # 429s answered to this process (the worker's heartbeat reports them)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """The decoded JSON of GET path; NotFound, Forbidden, ForumProtocolError or ForumUnavailable."""
        failures = 0
        waited = 0.0
        unreachable = False
        while True:
            self.pacer.acquire()
            try:
                status, headers, body = self._send(path, params)
            except requests.RequestException as exc:
                status, headers, body = None, {}, b""
                problem = f"{type(exc).__name__} on GET {path}"
                unreachable = isinstance(exc, requests.ConnectionError | requests.Timeout)
            finally:
                self.pacer.release()
            if status is not None and 200 <= status < 300:
                return self._decode(path, headers, body)
            if status == 429:
                wait = _rate_limit_wait(headers, body)
                if waited + wait > self.policy.rate_limit_budget:
                    raise ForumUnavailable(f"rate limited on GET {path}; wait {wait:.0f} s", wait)
                log.info("rate limited on GET %s (%s): waiting %.1f s", path,
                         headers.get("discourse-rate-limit-error-code", "?"), wait)
                waited += wait
                self.pacer.hold(wait)
                continue
            if status is not None and status < 500:
                raise self._client_error(path, status, body)
            if status is not None:
                problem, unreachable = f"HTTP {status} on GET {path}", False
            failures += 1
            if failures >= self.policy.attempts:
                later = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** failures)
                if unreachable:
                    raise ForumUnreachable(f"the forum at {self.base_url} does not answer ({problem}, "
                                           f"{failures} tries): check CODEV_DISCOURSE_URL and that "
                                           "Discourse is running", later)
                raise ForumUnavailable(f"{problem} after {failures} tries", later)
            delay = backoff_delay(failures - 1, self.policy.backoff_base, self.policy.backoff_cap, self._rng)
            log.info("%s: try %d of %d in %.2f s", problem, failures + 1, self.policy.attempts, delay)
            self.pacer.hold(delay)

    def send_once(self, method: str, path: str, params: dict[str, Any] | None = None,
                  body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One paced request with a JSON body, not retried: status, lower-cased headers, body.

        For writes (the outbox decides what an unclear outcome means) and for reads that need a
        redirect's Location; requests' exceptions and ForumProtocolError reach the caller.
        """
        self.pacer.acquire()
        try:
            return self._send(path, params, method, body)
        finally:
            self.pacer.release()

    def send_waiting_out_429(self, method: str, path: str, body: dict[str, Any] | None = None,
                             params: dict[str, Any] | None = None) -> tuple[int, dict[str, str], bytes]:
        """send_once, repeated only after a 429: waits what Discourse says, within the budget.

        Any other answer (and any exception) reaches the caller, who knows what it means for a write.
        """
        waited = 0.0
        while True:
            status, headers, raw = self.send_once(method, path, params=params, body=body)
            if status != 429:
                return status, headers, raw
            wait = _rate_limit_wait(headers, raw)
            if waited + wait > self.policy.rate_limit_budget:
                raise ForumUnavailable(f"rate limited on {method} {path}; wait {wait:.0f} s", wait)
            log.info("rate limited on %s %s: waiting %.1f s", method, path, wait)
            waited += wait
            self.pacer.hold(wait)

    def _send(self, path: str, params: dict[str, Any] | None, method: str = "GET",
              body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], bytes]:
        self.requests_made += 1
        response = self._session.request(
            method, self.base_url + path, params=params, json=body, allow_redirects=False, stream=True,
            timeout=(self.policy.connect_timeout, self.policy.read_timeout))
        with response:
            limit = self.policy.max_response_bytes
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ForumProtocolError(f"{method} {path}: answer of {declared} bytes, above {limit}")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ForumProtocolError(f"{method} {path}: answer above {limit} bytes")
                chunks.append(chunk)
            headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code == 429:
                self.rate_limited += 1
            return response.status_code, headers, b"".join(chunks)

    def _decode(self, path: str, headers: dict[str, str], body: bytes) -> Any:
        if "application/json" not in headers.get("content-type", ""):
            raise ForumProtocolError(f"GET {path}: not JSON ({headers.get('content-type')!r})")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ForumProtocolError(f"GET {path}: unreadable JSON ({exc.__class__.__name__})") from exc

    def _client_error(self, path: str, status: int, body: bytes) -> Exception:
        if status == 404:
            return NotFound(f"GET {path}: 404")
        if status == 403:
            return Forbidden(f"GET {path}: 403 {_errors(body)}")
        if 300 <= status < 400:
            return ForumProtocolError(f"GET {path}: redirect {status} not followed")
        return ForumProtocolError(f"GET {path}: HTTP {status} {_errors(body)}")


def _errors(body: bytes) -> str:
    """Discourse's `errors` list, never the rest of the body (it may hold personal data)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    errors = data.get("errors") if isinstance(data, dict) else None
    return "; ".join(str(e)[:200] for e in errors[:3]) if isinstance(errors, list) else ""


def _rate_limit_wait(headers: dict[str, str], body: bytes) -> float:
    """Seconds to wait from Retry-After (seconds or HTTP date), else extras.wait_seconds, else 10."""
    value = headers.get("retry-after", "").strip()
    wait: float | None = None
    if value:
        try:
            wait = float(value)
        except ValueError:
            moment = email.utils.parsedate_to_datetime(value) if value else None
            if moment is not None:
                wait = moment.timestamp() - time.time()
    if wait is None:
        try:
            extras = json.loads(body.decode("utf-8")).get("extras") or {}
            wait = float(extras["wait_seconds"])
        except (UnicodeDecodeError, ValueError, AttributeError, KeyError, TypeError, RecursionError):
            wait = DEFAULT_RATE_LIMIT_WAIT
    return min(max(wait, MIN_RATE_LIMIT_WAIT), MAX_SINGLE_WAIT)


class GatewayClient(DiscourseClient):  # type: ignore[misc]
    """pydiscourse's client whose every call goes through Transport (its own 429 sleeps never run)."""

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport.base_url, api_username="", api_key="")
        self.transport = transport

    def _request(self, verb: str, path: str, params: dict[str, Any] | None = None, files: Any = None,
                 data: Any = None, json: Any = None, override_request_kwargs: Any = None) -> Any:
        if verb != "GET" or files or data or json:
            raise NotImplementedError("the gateway only reads from Discourse")
        # override_request_kwargs (e.g. allow_redirects=True in category_topics) is ignored on purpose.
        return self.transport.get_json(path, {k: v for k, v in (params or {}).items() if v is not None})


def path_segment(value: str) -> str:
    """One URL path segment, escaped so that no input can change the path."""
    return quote(value, safe="")
