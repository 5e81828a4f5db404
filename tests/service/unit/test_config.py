"""Settings: defaults, YAML, environment, and one clear message for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync_service.config import ConfigError, load, load_settings
from tests import paths


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codev.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_embedded_defaults_use_a_sqlite_file_and_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    settings = load_settings({})

    assert settings.database_url.startswith("sqlite:///")
    assert settings.default_locale == "fr"
    assert load({}).files.settings_file is None


def test_yaml_overrides_behaviour_and_environment_gives_secrets(tmp_path: Path) -> None:
    path = _write(tmp_path, "forum:\n  needs_tag: need\nworker:\n  max_attempts: 3\n")

    settings = load_settings(
        {"CODEV_WEBHOOK_SECRETS": "first-secret-123, second-secret-456",
         "CODEV_DISCOURSE_URL": "https://forum.example.org/",
         "CODEV_DATABASE_URL": "postgresql+psycopg://codev@db/codev"},
        path,
    )

    assert settings.forum.needs_tag == "need"
    assert settings.worker.max_attempts == 3
    assert settings.webhook_secrets == ("first-secret-123", "second-secret-456")
    assert settings.discourse.url == "https://forum.example.org"
    assert settings.database_url == "postgresql+psycopg://codev@db/codev"


def test_settings_are_frozen() -> None:
    settings = load_settings({})

    with pytest.raises(AttributeError):
        settings.database_url = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("worker:\n  max_attempts: many\n", "worker.max_attempts", "a whole number"),
        ("worker:\n  max_attemps: 3\n", "worker.max_attemps", "one of"),
        ("colour: blue\n", "colour", "one of"),
        ("default_locale: de\n", "default_locale", "one of fr, ar, en"),
        ("forum: [1, 2]\n", "forum", "a mapping"),
        ("forum:\n  needs_tag: ''\n", "forum.needs_tag", "a non-empty text"),
        ("forum:\n  user_fields:\n    skills: 3\n", "forum.user_fields.skills", "a non-empty text"),
        ("- just\n- a list\n", "(top level)", "a mapping"),
        ("forum: {needs_tag: [\n", "line", "valid YAML"),
        ("lifecycle:\n  followup_days: 0\n", "lifecycle.followup_days", "a number, 1 or more"),
        ("lifecycle:\n  followup_days: soon\n", "lifecycle.followup_days", "a number"),
    ],
)
def test_bad_yaml_names_file_key_and_expectation(tmp_path: Path, text: str, key: str, expected: str) -> None:
    path = _write(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        load_settings({}, path)

    message = str(caught.value)
    assert message.startswith(str(path))
    assert key in message
    assert expected in message


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CODEV_WEBHOOK_SECRETS", "short", "at least 12 characters"),
        ("CODEV_DATABASE_URL", "codev.db", "a database URL"),
        ("CODEV_DISCOURSE_URL", "forum.example.org", "http:// or https://"),
        ("CODEV_CONFIG", "/nonexistent/codev.yaml", "an existing YAML file"),
    ],
)
def test_bad_environment_names_the_variable(variable: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})

    assert str(caught.value).startswith(f"environment: {variable}:")
    assert expected in str(caught.value)


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "codev.yaml"
    path.write_bytes(b"forum:\n  needs_tag: \xff\xfe\n")

    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings({}, path)


def test_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    example = paths.CONFIG / "codev.example.yaml"

    settings = load_settings({}, example)

    assert settings.forum.needs_category == "besoins"
