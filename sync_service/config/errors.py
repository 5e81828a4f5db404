"""The one error type of configuration: it names the file (or the environment), the key, what was found
and what was expected, so that a person can fix it without reading code."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration value is missing or wrong."""

    def __init__(self, source: str, key: str, found: object, expected: str) -> None:
        self.source, self.key, self.found, self.expected = source, key, found, expected
        super().__init__(f"{source}: {key}: found {found!r}, expected {expected}")
