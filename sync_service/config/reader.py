"""The one YAML reader of codev's configuration: a file into Python values, and typed access to them;
every problem is a ConfigError naming the file and the key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sync_service.config.errors import ConfigError

# libyaml's loader when PyYAML was built with it (its wheels are): the taxonomy and the catalogues are
# read at every command's start, ten times faster than in pure Python; both load the same values
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TAG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_TAG_LENGTH = 20  # Discourse's max_tag_length default


def read_yaml(path: Path) -> Any:
    """The document of one YAML file (None when empty)."""
    source = str(path)
    if not path.is_file():
        raise ConfigError(source, "(file)", "no such file", "an existing YAML file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(source, "(file)", "bytes that are not UTF-8", "UTF-8 text") from exc
    except OSError as exc:
        raise ConfigError(source, "(file)", type(exc).__name__, "a readable YAML file") from exc
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise ConfigError(source, where, getattr(exc, "problem", None) or str(exc).splitlines()[0],
                          "valid YAML") from exc


def read_mapping(path: Path) -> dict[str, Any]:
    """A YAML file whose top level is a mapping (an empty file is an empty mapping)."""
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "(top level)", type(data).__name__, "a mapping of sections")
    return data


class Reader:
    """Typed access to one YAML document, every error naming file, key, found and expected."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, found: object, expected: str) -> ConfigError:
        """The error for this key of this document."""
        return ConfigError(self.source, key, found, expected)

    def mapping(self, value: object, key: str) -> dict[str, Any]:
        """value, which must be a mapping."""
        if not isinstance(value, dict):
            raise self.fail(key, value, "a mapping")
        return value

    def items(self, value: object, key: str) -> list[Any]:
        """value, which must be a non-empty list."""
        if not isinstance(value, list) or not value:
            raise self.fail(key, value, "a non-empty list")
        return value

    def text(self, entry: Mapping[str, Any], key: str, where: str) -> str:
        """entry[key], a non-empty text, stripped."""
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", value, "a non-empty text")
        return value.strip()

    def texts(self, value: object, key: str) -> tuple[str, ...]:
        """value, a non-empty list of non-empty texts, stripped and without repeats."""
        items = self.items(value, key)
        if not all(isinstance(v, str) and v.strip() for v in items):
            raise self.fail(key, value, "a list of non-empty texts")
        return tuple(dict.fromkeys(v.strip() for v in items))

    def flag(self, entry: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        """entry[key], true or false."""
        value = entry.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", value, "true or false")
        return value

    def known_keys(self, entry: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        """Refuse any key of entry outside `allowed` (a typo must not pass silently)."""
        for key in entry:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", key, f"one of {', '.join(sorted(allowed))}")

    def tag(self, value: object, key: str) -> str:
        """value, a tag name Discourse accepts."""
        if not isinstance(value, str) or len(value) > MAX_TAG_LENGTH or not TAG.fullmatch(value):
            raise self.fail(key, value, f"a tag: lowercase letters, digits and dashes, "
                                        f"at most {MAX_TAG_LENGTH} characters")
        return value
