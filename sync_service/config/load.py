"""The one `load`: every configuration file and the environment, read and checked at start.

`load_settings` reads only the behaviour settings (codev.yaml) and the environment; `load` also reads
and checks the forum structure, the taxonomy, the matching weights, the translations and the communes,
so that a mistake in any of them stops codev at start (and shows in `codev config`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync_service.config.builder import build
from sync_service.config.communes import load_communes
from sync_service.config.environment import from_environment, redact
from sync_service.config.errors import ConfigError
from sync_service.config.files import (
    FORUM_FILE,
    LOCALES_DIR,
    MATCHING_FILE,
    TAXONOMY_FILE,
    ConfigFiles,
    locate,
)
from sync_service.config.forum import load_forum_structure
from sync_service.config.locales import load_translator
from sync_service.config.matching import load_matching_settings, load_taxonomy
from sync_service.config.reader import read_mapping
from sync_service.config.settings import SECRETS, YAML_SECTIONS, Settings
from sync_service.domain.i18n import Translator
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.taxonomy import Taxonomy
from sync_service.domain.needs import Commune
from sync_service.domain.provisioning import ForumStructure


@dataclass(frozen=True)
class Config:
    """Everything codev reads at start, checked: settings and the files they point to."""

    settings: Settings
    files: ConfigFiles
    taxonomy: Taxonomy
    matching: MatchingSettings
    translator: Translator
    communes: Mapping[str, Commune]
    # dotted setting key -> where its value came from ("default" when not set anywhere)
    sources: Mapping[str, str] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        """A configuration file of this run (config directory, else packaged default)."""
        return self.files.find(name)

    @property
    def forum_file(self) -> Path:
        """The forum structure that `codev provision` brings the forum to."""
        return self.files.find(FORUM_FILE)

    def forum_structure(self, webhook_url: str | None = None, *,
                        require_secret: bool = True) -> ForumStructure:
        """The forum structure of forum.yaml (the webhook at `webhook_url` when given)."""
        return load_forum_structure(self.settings, self.forum_file, self.taxonomy, self.communes,
                                    webhook_url=webhook_url, require_secret=require_secret)

    @property
    def communes_file(self) -> Path:
        """The HCP communes CSV."""
        return self.files.find(self.settings.forum.communes_file)


def load(environ: Mapping[str, str], config_dir: str | Path | None = None,
         config_file: str | Path | None = None) -> Config:
    """Read and check every configuration file and the environment (ConfigError on the first problem)."""
    files = locate(environ, config_dir, config_file)
    settings, sources = read_settings(environ, files)
    return assemble(settings, files, sources)


def assemble(settings: Settings, files: ConfigFiles | None = None,
             sources: Mapping[str, str] | None = None) -> Config:
    """The Config of these settings: the files they point to, read and checked."""
    files = files or ConfigFiles()
    communes = load_communes(files.find(settings.forum.communes_file))
    taxonomy = load_taxonomy(files.find(TAXONOMY_FILE))
    config = Config(settings, files, taxonomy, load_matching_settings(files.find(MATCHING_FILE)),
                    load_translator(files.find(LOCALES_DIR)), communes, dict(sources or {}))
    config.forum_structure(require_secret=False)  # checked now, built again by whoever needs it
    return config


def load_settings(environ: Mapping[str, str], config_file: str | Path | None = None,
                  config_dir: str | Path | None = None) -> Settings:
    """Only the behaviour settings and the environment."""
    return read_settings(environ, locate(environ, config_dir, config_file))[0]


def read_settings(environ: Mapping[str, str], files: ConfigFiles) -> tuple[Settings, dict[str, str]]:
    """The settings of this run, and where each value that is not a default came from."""
    values: dict[str, Any] = {}
    seen: set[str] = set()
    source = str(files.settings_file) if files.settings_file is not None else "defaults"
    if files.settings_file is not None:
        values = read_mapping(files.settings_file)
        for key in values:
            if key not in YAML_SECTIONS:
                raise ConfigError(source, str(key), key, f"one of {', '.join(YAML_SECTIONS)}")
    settings = build(Settings, values, source, "", seen)
    sources = dict.fromkeys(seen, source)
    for key, (variable, value) in from_environment(environ).items():
        settings = _replace(settings, key.split("."), value)
        sources[key] = f"environment {variable}"
    return settings, sources


def _replace(node: Any, path: list[str], value: Any) -> Any:
    if len(path) == 1:
        return dataclasses.replace(node, **{path[0]: value})
    return dataclasses.replace(node, **{path[0]: _replace(getattr(node, path[0]), path[1:], value)})


def effective(config: Config) -> list[tuple[str, str, str]]:
    """(dotted key, value as shown, source) of every setting; secrets hidden, passwords redacted."""
    rows: list[tuple[str, str, str]] = []
    for key, value in _flatten(config.settings, ""):
        source = config.sources.get(key, "default")
        if key in SECRETS:
            shown = _secret(key, value, source)
        elif key == "database_url":
            shown = redact(str(value))
        else:
            shown = _show(value)
        rows.append((key, shown, source))
    return rows


def _secret(key: str, value: Any, source: str) -> str:
    if key == "tombstone_key":
        if source == "default":
            return "(built-in key: set CODEV_TOMBSTONE_KEY in production)"
        return "(set, hidden)"
    if isinstance(value, tuple):
        return f"({len(value)} set, hidden)" if value else "(not set)"
    return "(set, hidden)" if value else "(not set)"


def _flatten(node: Any, prefix: str) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            rows += _flatten(value, f"{key}.")
        else:
            rows.append((key, value))
    return rows


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items())
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value).lower() if isinstance(value, bool) else str(value)
