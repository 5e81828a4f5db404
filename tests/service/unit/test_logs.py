"""Log lines: plain or JSON (CODEV_LOG_FORMAT), and never a secret, an e-mail address or a body."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest

from sync_service.config import ConfigError, load_settings
from sync_service.config.settings import DashboardSettings, DiscourseSettings, Settings
from sync_service.entrypoints.logs import MAX_MESSAGE, formatter, gunicorn_logconfig

API_KEY = "a-global-admin-api-key-0123456789"
SECRETS = ("webhook-secret-number-one", "webhook-secret-number-two")
SSO = "sso-secret-of-the-dashboard"
SETTINGS = Settings(
    database_url="postgresql+psycopg://codev:db-password-42@db:5432/codev",
    discourse=DiscourseSettings(api_key=API_KEY), webhook_secrets=SECRETS,
    dashboard=DashboardSettings(sso_secret=SSO), tombstone_key="tombstone-key-of-tests", log_format="json")


def _emit(settings: Settings, message: str, *args: object, exc: BaseException | None = None,
          **extra: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(settings))
    log = logging.getLogger("codev.test.logs")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.error(message, *args, exc_info=(type(exc), exc, None) if exc else None, extra=extra)
    finally:
        log.removeHandler(handler)
    return stream.getvalue()


def test_json_lines_hold_time_level_logger_message_and_extra_fields() -> None:
    line = _emit(SETTINGS, "inbox row %d parked", 42, worker="host:1")

    record = json.loads(line)
    assert record["level"] == "ERROR" and record["logger"] == "codev.test.logs"
    assert record["message"] == "inbox row 42 parked" and record["worker"] == "host:1"
    assert record["time"].endswith("+00:00")


def test_no_secret_nor_email_reaches_a_json_line() -> None:
    error = RuntimeError(f"refused with key {API_KEY} for ahmed.elidrissi@example.org")
    line = _emit(SETTINGS, "calling %s with %s, %s, %s and db-password-42 for x@y.fr", API_KEY, *SECRETS, SSO,
                 exc=error)

    for secret in (API_KEY, *SECRETS, SSO, "db-password-42", "@example.org", "x@y.fr"):
        assert secret not in line
    record = json.loads(line)
    assert record["error"] == "RuntimeError" and "[hidden]" in record["error_message"]
    assert "Traceback" not in line


def test_plain_lines_are_scrubbed_too() -> None:
    settings = Settings(discourse=DiscourseSettings(api_key=API_KEY), log_format="text")

    line = _emit(settings, "key %s of someone@example.org", API_KEY)

    assert API_KEY not in line and "someone@example.org" not in line and "[hidden]" in line


def test_a_long_message_such_as_a_body_is_cut() -> None:
    line = _emit(SETTINGS, "%s", "x" * 50_000)

    assert len(json.loads(line)["message"]) <= MAX_MESSAGE + 1


def test_gunicorn_logs_with_the_same_formatter() -> None:
    config = gunicorn_logconfig(SETTINGS)
    logging.config.dictConfig({**config, "root": {"level": "INFO", "handlers": []}})
    handler = logging.getLogger("gunicorn.error").handlers[0]

    record = logging.LogRecord("gunicorn.error", logging.INFO, "", 0, "Booting with %s", (API_KEY,), None)
    assert json.loads(handler.format(record))["message"] == "Booting with [hidden]"


def test_log_format_and_the_dashboard_come_from_the_environment() -> None:
    settings = load_settings({"CODEV_LOG_FORMAT": "json", "CODEV_DISCOURSE_CONNECT_SECRET": SSO,
                              "CODEV_DASHBOARD_URL": "https://codev.example.org/",
                              "CODEV_WEBHOOK_URL": "http://codev-proxy:8080/webhooks/discourse"})

    assert settings.log_format == "json"
    assert settings.dashboard == DashboardSettings("https://codev.example.org", SSO)
    assert settings.webhook_url == "http://codev-proxy:8080/webhooks/discourse"


@pytest.mark.parametrize(("variable", "value"), [("CODEV_LOG_FORMAT", "xml"),
                                                ("CODEV_DISCOURSE_CONNECT_SECRET", "short"),
                                                 ("CODEV_WEBHOOK_URL", "codev:8080")])
def test_a_wrong_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value})
