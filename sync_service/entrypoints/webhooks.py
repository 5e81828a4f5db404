"""POST /webhooks/discourse: verify the signature, store in the inbox, answer at once (docs/reliability.md).

Nothing is processed here: the worker takes inbox rows later. Every refusal (413, 415, 401, 400) is
recorded as a RejectedDelivery and counted, and answered with a 4xx, never a 500.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_content_length, get_input_stream

from sync_service.adapters.db.inbox import InboxWriter, delivery_row, rejection_row
from sync_service.adapters.discourse.payloads import MalformedDelivery, read_delivery
from sync_service.adapters.discourse.signature import SIGNATURE_HEADER, SignatureRejected, verify_signature
from sync_service.config import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__)
EXTENSION = "codev.webhooks"
PATH = "/webhooks/discourse"
SIGNATURE_ENVIRON = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")
STORE_TIMEOUT = 15.0  # seconds; Discourse gives up after 20
ACCEPTED_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})
# A refused body up to this many times the cap is read to its end, so the connection stays usable.
DRAIN_FACTOR = 4


class Refused(Exception):
    """A delivery answered with a 4xx; recorded, never processed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Intake:
    """What the view needs, built once by create_app: the engine, the secrets, the limits, counters."""

    engine: Engine
    secrets: tuple[str, ...]
    max_body_bytes: int
    discourse_url: str
    counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _foreign_instances: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.writer = InboxWriter(self.engine)

    def count(self, outcome: str) -> int:
        """Count one more delivery with this outcome; the new total."""
        with self._lock:
            self.counts[outcome] += 1
            return self.counts[outcome]

    def note_instance(self, instance: str | None) -> None:
        """X-Discourse-Instance is unsigned: a mismatch is logged once per value, never refused."""
        if not instance or instance.rstrip("/") == self.discourse_url or instance in self._foreign_instances:
            return
        with self._lock:
            if len(self._foreign_instances) < 16:
                self._foreign_instances.add(instance)
                log.warning("webhook from X-Discourse-Instance %.100r, configured forum is %s",
                            instance, self.discourse_url)


def init_app(app: Flask, settings: Settings, engine: Engine) -> None:
    """Register the blueprint with what it needs, and the plain-WSGI path for deliveries in front of Flask."""
    intake = Intake(engine, tuple(settings.webhook_secrets), settings.webhooks.max_body_bytes,
                    settings.discourse.url.rstrip("/"))
    app.extensions[EXTENSION] = intake
    app.register_blueprint(bp)
    app.wsgi_app = IntakeMiddleware(app.wsgi_app, intake)  # type: ignore[method-assign]


class IntakeMiddleware:
    """POST /webhooks/discourse answered without Flask's request context and response objects.

    Profiling showed Flask's per-request machinery costing about as much as the intake's own work;
    the checks and the answers are the same as the Flask view's (it calls the same function). Any
    other request, and any other method on this path (405), goes to Flask.
    """

    def __init__(self, app: WSGIApplication, intake: Intake) -> None:
        self.app = app
        self.intake = intake

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        status, document = handle(self.intake, environ)
        payload = json.dumps(document, separators=(",", ":")).encode() + b"\n"  # as Flask's jsonify
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


@bp.post(PATH)
def discourse() -> ResponseReturnValue:
    """Verify the signature, store the delivery, answer 200 (duplicates too)."""
    status, document = handle(current_app.extensions[EXTENSION], request.environ)
    return jsonify(document), status


def handle(intake: Intake, environ: WSGIEnvironment) -> tuple[int, dict[str, str]]:
    """One delivery, from its WSGI environ: the status and JSON document to answer."""
    received_at = datetime.now(UTC)
    event = environ.get("HTTP_X_DISCOURSE_EVENT")
    content_length = get_content_length(environ)
    body = b""
    try:
        body = _read_body(environ, content_length, intake.max_body_bytes)
        if parse_options_header(environ.get("CONTENT_TYPE", ""))[0].lower() not in ACCEPTED_TYPES:
            raise Refused(415, "unsupported_content_type")
        try:
            verify_signature(body, environ.get(SIGNATURE_ENVIRON), intake.secrets)
            delivery = read_delivery(event, environ.get("HTTP_X_DISCOURSE_EVENT_TYPE"),
                                     environ.get("HTTP_X_DISCOURSE_EVENT_ID"), body)
        except SignatureRejected as exc:
            raise Refused(401, exc.reason) from None
        except MalformedDelivery as exc:
            raise Refused(400, exc.reason) from None
    except Refused as refused:
        return _refuse(intake, refused, event, body, content_length, received_at)
    intake.note_instance(environ.get("HTTP_X_DISCOURSE_INSTANCE"))
    if delivery.is_ping:
        intake.count("ping")
        return 200, {"status": "pong"}
    try:
        # returns once the row is committed (or found a duplicate): only then is 200 an answer
        stored = intake.writer.store_delivery(delivery_row(
            event=delivery.event, event_type=delivery.event_type,
            discourse_event_id=delivery.discourse_event_id, body_sha256=hashlib.sha256(body).hexdigest(),
            entity_kind=delivery.ref.kind if delivery.ref else "none",
            entity_key=delivery.ref.key if delivery.ref else None,
            hint=delivery.hint, received_at=received_at, ignored_because=delivery.ignored_because,
        ), STORE_TIMEOUT)
    except (SQLAlchemyError, TimeoutError):
        # The one case for a 5xx: the delivery is valid but not durable, so Discourse should retry.
        log.exception("inbox insert failed for %s", delivery.event)
        intake.count("store_failed")
        return 503, {"error": "inbox unavailable"}
    outcome = "duplicate" if not stored else ("ignored" if delivery.ignored_because else "accepted")
    intake.count(outcome)
    return 200, {"status": outcome}


def _read_body(environ: WSGIEnvironment, content_length: int | None, max_bytes: int) -> bytes:
    """The raw body, at most max_bytes, also when Content-Length is absent (chunked) or wrong."""
    if content_length is not None and content_length > max_bytes:
        _drain(environ, content_length, max_bytes)
        raise Refused(413, "body_too_large")
    try:
        # werkzeug's guarded stream, as Flask's request.stream: never past Content-Length or the cap
        body = get_input_stream(environ, max_content_length=max_bytes).read()
        # A chunked body is cut at the cap without an error: look for one byte more.
        if content_length is None and len(body) >= max_bytes and environ["wsgi.input"].read(1):
            raise Refused(413, "body_too_large")
    except RequestEntityTooLarge:
        raise Refused(413, "body_too_large") from None
    except ClientDisconnected:
        raise Refused(400, "body_incomplete") from None
    return body


def _drain(environ: WSGIEnvironment, content_length: int, max_bytes: int) -> None:
    """Read and drop a refused body that is not much larger than the cap: gunicorn keeps the
    connection alive after the 413 (it ignores an application's `Connection: close`), and a body left
    unread there made the client's next request on it fail without an answer. A larger body is left
    unread: its sender is no Discourse."""
    if content_length > DRAIN_FACTOR * max_bytes:
        return
    stream, left = environ["wsgi.input"], content_length
    try:
        while left > 0 and (chunk := stream.read(min(left, 64 * 1024))):
            left -= len(chunk)
    except OSError:
        pass  # the sender went away: nothing left to keep in step


def _refuse(intake: Intake, refused: Refused, event: str | None, body: bytes, content_length: int | None,
            received_at: datetime) -> tuple[int, dict[str, str]]:
    seen = intake.count(f"rejected_{refused.reason}")
    if seen & (seen - 1) == 0:  # the 1st, 2nd, 4th, 8th...: a flood of forgeries cannot flood the log
        log.warning("webhook refused: %s %s (event %.64r, %d bytes; %d so far)", refused.status,
                    refused.reason, event, len(body), seen)
    try:
        intake.writer.store_rejection(rejection_row(
            status_code=refused.status, reason=refused.reason, event=event,
            body_size=len(body) or (content_length or 0),
            body_sha256=hashlib.sha256(body).hexdigest() if body else None, received_at=received_at,
        ), STORE_TIMEOUT)
    except (SQLAlchemyError, TimeoutError):
        # The refusal stands; only its trace is lost, which the log above still shows.
        log.exception("could not record a refused webhook delivery")
    return refused.status, {"error": refused.reason}
