"""How codev logs: plain lines, or one JSON object a line (CODEV_LOG_FORMAT=json), both scrubbed.

Whatever a message or a traceback holds, the line written never shows a configured secret (API key,
webhook secrets, tombstone key, DiscourseConnect secret, the database password) nor an e-mail
address, and it is cut at MAX_MESSAGE characters: no log line can carry a post or a webhook body.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sync_service.config.settings import Settings

# bounded repeats: a long line without an address costs linear time, not quadratic
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
HIDDEN = "[hidden]"
MAX_MESSAGE = 1000
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else was passed in `extra=` and goes into the JSON line.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """Every configured secret value, longest first (so that a secret inside another is hidden too)."""
    values = [settings.discourse.api_key, settings.tombstone_key, settings.dashboard.sso_secret,
              *settings.webhook_secrets]
    try:
        password = make_url(settings.database_url).password
    except ArgumentError:
        password = None
    if password:
        values.append(str(password))
    return tuple(sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True))


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """The text without secrets or e-mail addresses, cut to MAX_MESSAGE characters."""
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    cut = len(text) > MAX_MESSAGE
    # an address across the cut is still found whole, then the line is cut
    text = EMAIL.sub("[e-mail]", text[:MAX_MESSAGE + 200] if cut else text)
    return text[:MAX_MESSAGE] + "…" if cut else text


class ScrubbingFormatter(logging.Formatter):
    """Plain lines, scrubbed."""

    def __init__(self, secrets: tuple[str, ...], fmt: str = TEXT_FORMAT) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        """The line, scrubbed (traceback included)."""
        return "\n".join(scrub(line, self.secrets) for line in super().format(record).splitlines())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, extra fields, exception type."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line, scrubbed; a traceback becomes its exception's type and scrubbed message."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage(), self.secrets),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value if isinstance(value, int | float | bool) or value is None \
                    else scrub(str(value), self.secrets)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line["error"] = type(error).__name__
            line["error_message"] = scrub(str(error).splitlines()[0] if str(error) else "", self.secrets)
        return json.dumps(line, ensure_ascii=False)


def formatter(settings: Settings) -> logging.Formatter:
    """The formatter CODEV_LOG_FORMAT asks for."""
    secrets = secrets_of(settings)
    return JsonFormatter(secrets) if settings.log_format == "json" else ScrubbingFormatter(secrets)


def configure_logging(settings: Settings | None = None) -> None:
    """Log to stderr with codev's formatter unless the host application already set logging up."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(formatter(settings or Settings()))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    # the schema check at start reads Alembic's version table, which Alembic announces at INFO
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)


def gunicorn_logconfig(settings: Settings) -> dict[str, Any]:
    """gunicorn's logging (its error log and codev's loggers in its workers) with codev's formatter."""
    factory = "JsonFormatter" if settings.log_format == "json" else "ScrubbingFormatter"
    handler = {"class": "logging.StreamHandler", "formatter": "codev", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"codev": {"()": f"{__name__}.{factory}", "secrets": secrets_of(settings)}},
        "handlers": {"stderr": handler},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }
