"""Typed reading of one YAML document for codev's config loaders: every error names the file, the key,
what was found and what was expected."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sync_service.config import ConfigError

TAG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_TAG_LENGTH = 20        # Discourse's max_tag_length default


class Reader:
    """Typed access to one YAML document, every error naming file, key, found and expected."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, found: object, expected: str) -> ConfigError:
        return ConfigError(self.source, key, found, expected)

    def mapping(self, value: object, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, value, "a mapping")
        return value

    def items(self, value: object, key: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, value, "a non-empty list")
        return value

    def text(self, entry: Mapping[str, Any], key: str, where: str) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", value, "a non-empty text")
        return value.strip()

    def texts(self, value: object, key: str) -> tuple[str, ...]:
        items = self.items(value, key)
        if not all(isinstance(v, str) and v.strip() for v in items):
            raise self.fail(key, value, "a list of non-empty texts")
        return tuple(dict.fromkeys(v.strip() for v in items))

    def flag(self, entry: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        value = entry.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", value, "true or false")
        return value

    def known_keys(self, entry: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        for key in entry:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", key, f"one of {', '.join(sorted(allowed))}")

    def tag(self, value: object, key: str) -> str:
        if not isinstance(value, str) or len(value) > MAX_TAG_LENGTH or not TAG.fullmatch(value):
            raise self.fail(key, value, f"a tag: lowercase letters, digits and dashes, "
                                        f"at most {MAX_TAG_LENGTH} characters")
        return value
