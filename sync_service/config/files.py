"""Where codev finds its configuration files: a config directory (--config-dir, CODEV_CONFIG_DIR), else
the defaults packaged with codev. Never the working directory.

A file missing from the config directory is taken from the packaged defaults, so an operator's folder
holds only what it changes (often just codev.yaml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sync_service.config.errors import ConfigError

# In a checkout this is a link to the repository's config/; in the wheel, a copy of it.
PACKAGED = Path(__file__).resolve().parents[1] / "defaults"
SETTINGS_FILE = "codev.yaml"
FORUM_FILE = "forum.yaml"
TAXONOMY_FILE = "taxonomy.yaml"
MATCHING_FILE = "matching.yaml"
LOCALES_DIR = "locales"
SAMPLE_SEED = "examples/communaute.yaml"


@dataclass(frozen=True)
class ConfigFiles:
    """The config directory (None: packaged defaults only) and the behaviour settings file."""

    directory: Path | None = None
    settings_file: Path | None = None
    defaults: Path = PACKAGED

    def find(self, name: str | Path) -> Path:
        """An absolute name as is; else the config directory's file, else the packaged default."""
        path = Path(name)
        if path.is_absolute():
            return path
        if self.directory is not None and (self.directory / path).exists():
            return self.directory / path
        return self.defaults / path

    def origin(self, path: Path) -> str:
        """Where a found file comes from, in words."""
        if self.directory is not None and path.is_relative_to(self.directory):
            return "config directory"
        return "packaged default" if path.is_relative_to(self.defaults) else "given"


def locate(environ: Mapping[str, str], config_dir: str | Path | None = None,
           config_file: str | Path | None = None) -> ConfigFiles:
    """The files of this run: --config-dir, else CODEV_CONFIG_DIR; --config, else CODEV_CONFIG, else
    codev.yaml of the config directory when there is one."""
    directory = _directory(environ, config_dir)
    if config_file is not None:
        settings = Path(config_file).expanduser()
        if not settings.is_file():
            raise ConfigError(str(settings), "(file)", "no such file", "an existing YAML file (--config)")
    elif environ.get("CODEV_CONFIG"):
        settings = Path(environ["CODEV_CONFIG"]).expanduser()
        if not settings.is_file():
            raise ConfigError("environment", "CODEV_CONFIG", str(settings), "an existing YAML file")
    else:
        candidate = directory / SETTINGS_FILE if directory is not None else None
        settings = candidate if candidate is not None and candidate.is_file() else None  # type: ignore[assignment]
    return ConfigFiles(directory, settings.resolve() if settings is not None else None)


def _directory(environ: Mapping[str, str], config_dir: str | Path | None) -> Path | None:
    if config_dir is not None:
        chosen, source, key = Path(config_dir).expanduser(), str(config_dir), "(folder)"
    elif environ.get("CODEV_CONFIG_DIR"):
        chosen = Path(environ["CODEV_CONFIG_DIR"]).expanduser()
        source, key = "environment", "CODEV_CONFIG_DIR"
    else:
        return None
    if not chosen.is_dir():
        found = "no such folder" if key == "(folder)" else str(chosen)
        raise ConfigError(source, key, found, "an existing folder of configuration files")
    return chosen.resolve()
