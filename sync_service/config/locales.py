"""The translations: config/locales/{fr,ar,en}.yaml into a Translator, checked at start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sync_service.config.errors import ConfigError
from sync_service.config.reader import read_yaml
from sync_service.domain.i18n import (
    DEFAULT_LOCALE,
    LOCALES,
    PLACEHOLDER,
    PLURAL_CATEGORIES,
    Catalogue,
    Message,
    Translator,
    placeholders,
)

_KEY_PART = re.compile(r"[a-z0-9_]+")
# Braces that are neither {name} nor {{ }}: a typo such as "{Name}" or "{count" that would show as is.
_STRAY_BRACE = re.compile(r"[{}]")
_ALL_CATEGORIES = {form for forms in PLURAL_CATEGORIES.values() for form in forms}


def load_translator(directory: str | Path) -> Translator:
    """Read and check every catalogue; keys must exist in French and placeholders agree across locales."""
    folder = Path(directory)
    catalogues = {loc: load_catalogue(folder / f"{loc}.yaml", loc) for loc in LOCALES}
    check_against_default(catalogues, folder)
    return Translator(catalogues)


def load_catalogue(path: Path, locale: str) -> dict[str, Message]:
    """One locale's messages, flattened to dotted keys, each message checked."""
    source = str(path)
    data = read_yaml(path)
    flat: dict[str, Message] = {}
    _flatten(source, locale, data, "", flat)
    if not flat:
        raise ConfigError(source, "(file)", data, "a mapping of message keys")
    return flat


def check_against_default(catalogues: dict[str, dict[str, Message]], folder: Path) -> None:
    """Every key of every locale exists in French, with the same placeholders (count aside in plurals)."""
    default = catalogues[DEFAULT_LOCALE]
    for locale, catalogue in catalogues.items():
        source = str(folder / f"{locale}.yaml")
        for key, message in catalogue.items():
            if key not in default:
                raise ConfigError(source, key, "a key", f"a key that {DEFAULT_LOCALE}.yaml also defines")
            plural = not isinstance(message, str) or not isinstance(default[key], str)
            # A singular form may spell the number out ("un candidat"), so count is not compared in plurals.
            ignored = {"count"} if plural else set()
            found, expected = placeholders(message) - ignored, placeholders(default[key]) - ignored
            if found != expected:
                wanted = f"the placeholders of {DEFAULT_LOCALE}.yaml: {sorted(expected)}"
                raise ConfigError(source, key, sorted(found), wanted)


def missing_keys(catalogues: dict[str, Catalogue]) -> dict[str, list[str]]:
    """For each locale, the French keys it does not translate (they fall back to French)."""
    default = catalogues[DEFAULT_LOCALE]
    gaps = {loc: sorted(set(default) - set(cat)) for loc, cat in catalogues.items()}
    return {loc: keys for loc, keys in gaps.items() if keys}


def _flatten(source: str, locale: str, node: Any, prefix: str, out: dict[str, Message]) -> None:
    if not isinstance(node, dict):
        raise ConfigError(source, prefix or "(file)", node, "a mapping of message keys")
    for raw_key, value in node.items():
        part = str(raw_key)
        key = f"{prefix}{part}"
        if not _KEY_PART.fullmatch(part):
            raise ConfigError(source, key, raw_key, "a key part of lowercase letters, digits and _")
        if isinstance(value, str):
            out[key] = _text(source, key, value)
        elif isinstance(value, dict) and value and set(map(str, value)) <= _ALL_CATEGORIES:
            out[key] = _plural(source, locale, key, value)
        elif isinstance(value, dict) and value:
            _flatten(source, locale, value, f"{key}.", out)
        else:
            raise ConfigError(source, key, value, "a text, plural forms, or a mapping of message keys")


def _plural(source: str, locale: str, key: str, forms: dict[Any, Any]) -> dict[str, str]:
    allowed = PLURAL_CATEGORIES[locale]
    for form, text in forms.items():
        if str(form) not in allowed:
            expected = f"a plural form of {locale}: {', '.join(allowed)}"
            raise ConfigError(source, f"{key}.{form}", form, expected)
        if not isinstance(text, str):
            raise ConfigError(source, f"{key}.{form}", text, "a text")
    if "other" not in forms:
        raise ConfigError(source, f"{key}.other", None, "an 'other' plural form")
    return {str(k): _text(source, f"{key}.{k}", v) for k, v in forms.items()}


def _text(source: str, key: str, value: str) -> str:
    if not value.strip():
        raise ConfigError(source, key, value, "a non-empty text")
    if _STRAY_BRACE.search(PLACEHOLDER.sub("", value)):
        raise ConfigError(source, key, value, "placeholders written {lowercase_name}, literal braces doubled")
    return value
