"""Configuration files are found through a config directory, else the packaged defaults (never the
working directory); one `load` checks every file; `codev config` says where each value came from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sync_service.config import ConfigError, load
from sync_service.config.files import PACKAGED
from sync_service.config.load import effective
from tests import paths


def test_without_a_config_directory_the_packaged_defaults_are_read_from_any_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    config = load({})

    assert config.files.directory is None and config.files.settings_file is None
    assert config.forum_file == PACKAGED / "forum.yaml" and config.forum_file.is_file()
    assert len(config.communes) > 200 and config.taxonomy.skills


def test_the_packaged_defaults_are_the_repository_config_folder() -> None:
    assert {p.name for p in PACKAGED.iterdir()} >= {p.name for p in paths.CONFIG.iterdir()}
    assert (PACKAGED / "matching.yaml").read_bytes() == (paths.CONFIG / "matching.yaml").read_bytes()


def test_a_config_directory_overrides_the_files_it_holds_and_takes_the_rest_from_the_defaults(
        tmp_path: Path) -> None:
    (tmp_path / "codev.yaml").write_text("worker:\n  max_attempts: 3\n", encoding="utf-8")
    text = (paths.CONFIG / "matching.yaml").read_text(encoding="utf-8")
    (tmp_path / "matching.yaml").write_text(text.replace("top: 5", "top: 7"), encoding="utf-8")

    config = load({"CODEV_CONFIG_DIR": str(tmp_path)})

    assert config.files.settings_file == tmp_path / "codev.yaml"
    assert config.settings.worker.max_attempts == 3 and config.matching.top == 7
    assert config.forum_file == PACKAGED / "forum.yaml"
    assert config.files.origin(config.path("matching.yaml")) == "config directory"
    assert config.files.origin(config.forum_file) == "packaged default"


def test_the_command_line_folder_wins_over_the_environment(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "codev.yaml").write_text("default_locale: ar\n", encoding="utf-8")

    config = load({"CODEV_CONFIG_DIR": str(tmp_path / "a")}, config_dir=tmp_path / "b")

    assert config.settings.default_locale == "ar"


def test_a_missing_config_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load({"CODEV_CONFIG_DIR": str(tmp_path / "nowhere")})

    assert (caught.value.source, caught.value.key) == ("environment", "CODEV_CONFIG_DIR")


@pytest.mark.parametrize(("name", "old", "new", "key"), [
    ("taxonomy.yaml", "sectors:", "secteurs:", "secteurs"),
    ("matching.yaml", "  skills: 0.20", "  skills: lots", "weights.skills"),
    ("matching.yaml", "top: 5\n", "", "top"),
    ("forum.yaml", "tag: tiznit}", "tag: Tiznit Province}", "provinces[4].tag"),
    ("locales/fr.yaml", "review:", "review: [", "line"),
])
def test_load_checks_every_file_and_names_the_one_that_is_wrong(tmp_path: Path, name: str, old: str,
                                                                new: str, key: str) -> None:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if name.startswith("locales/"):
        shutil.copytree(paths.CONFIG / "locales", tmp_path / "locales", dirs_exist_ok=True)
    text = (paths.CONFIG / name).read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load({}, config_dir=tmp_path)

    assert caught.value.source == str(target) and key in caught.value.key


def test_a_weight_missing_from_matching_yaml_is_an_error_not_a_hidden_default(tmp_path: Path) -> None:
    text = (paths.CONFIG / "matching.yaml").read_text(encoding="utf-8")
    (tmp_path / "matching.yaml").write_text(text.replace("  kind: 0.05", "", 1), encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load({}, config_dir=tmp_path)

    assert caught.value.key == "weights.kind" and caught.value.expected == "a number, 0 or more"


def test_whole_numbers_mean_the_same_in_every_file(tmp_path: Path) -> None:
    (tmp_path / "codev.yaml").write_text("outbox:\n  batch: 0\n", encoding="utf-8")
    text = (paths.CONFIG / "matching.yaml").read_text(encoding="utf-8")

    with pytest.raises(ConfigError) as settings_error:
        load({}, config_dir=tmp_path)
    (tmp_path / "codev.yaml").unlink()
    (tmp_path / "matching.yaml").write_text(text.replace("top: 5", "top: 0"), encoding="utf-8")
    with pytest.raises(ConfigError) as matching_error:
        load({}, config_dir=tmp_path)

    assert settings_error.value.expected == matching_error.value.expected == "a whole number, 1 or more"


def test_every_effective_setting_says_where_it_came_from(tmp_path: Path) -> None:
    (tmp_path / "codev.yaml").write_text("lifecycle:\n  reminder_days: 3\n", encoding="utf-8")

    rows = {key: (value, source) for key, value, source in effective(load({
        "CODEV_CONFIG_DIR": str(tmp_path), "CODEV_DATABASE_URL": "postgresql://codev:pw@db/codev",
        "CODEV_DISCOURSE_API_KEY": "a-secret-key-0123"}))}

    assert rows["lifecycle.reminder_days"] == ("3.0", str(tmp_path / "codev.yaml"))
    assert rows["lifecycle.expiry_days"] == ("7.0", "default")
    assert rows["database_url"] == ("postgresql+psycopg://codev:***@db/codev",
                                    "environment CODEV_DATABASE_URL")
    assert rows["discourse.api_key"] == ("(set, hidden)", "environment CODEV_DISCOURSE_API_KEY")
    assert rows["webhook_secrets"] == ("(not set)", "default")
    assert "a-secret-key-0123" not in repr(rows)
