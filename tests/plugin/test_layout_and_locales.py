"""The plugin's shape (Discourse's skeleton), its settings and locales: YAML that parses, settings
prefixed codev_, every client string in French, Arabic and English, every key the front end uses."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.plugin import tooling

LOCALES = tooling.PLUGIN / "config" / "locales"
LANGUAGES = ("fr", "ar", "en")


def keys(tree: Any, prefix: str = "") -> set[str]:
    if not isinstance(tree, dict):
        return {prefix}
    return set().union(*(keys(v, f"{prefix}.{k}" if prefix else k) for k, v in tree.items()))


def locale(kind: str, lang: str) -> dict[str, Any]:
    document = yaml.safe_load((LOCALES / f"{kind}.{lang}.yml").read_text())
    assert list(document) == [lang]
    return document[lang]


def test_plugin_rb_is_short_and_has_its_metadata() -> None:
    source = (tooling.PLUGIN / "plugin.rb").read_text()
    assert len(source.splitlines()) <= 60
    for field in ("name", "about", "version", "authors", "required_version"):
        assert re.search(rf"^# {field}: \S", source, re.MULTILINE), field
    assert "enabled_site_setting :codev_enabled" in source
    assert (tooling.PLUGIN / "lib/codev/engine.rb").exists()


def test_settings_parse_and_are_prefixed() -> None:
    settings = yaml.safe_load((tooling.PLUGIN / "config/settings.yml").read_text())
    names = [name for category in settings.values() for name in category]
    assert names and all(name.startswith("codev_") for name in names)
    for lang in LANGUAGES:
        assert set(names) <= set(locale("server", lang)["site_settings"]), lang


def test_every_client_string_is_in_three_languages() -> None:
    french = keys(locale("client", "fr"))
    for lang in ("ar", "en"):
        assert keys(locale("client", lang)) == french, lang


def test_every_server_string_is_in_three_languages() -> None:
    french = keys(locale("server", "fr"))
    for lang in ("ar", "en"):
        assert keys(locale("server", lang)) == french, lang


def test_front_end_uses_only_keys_that_exist() -> None:
    known = {key.removeprefix("js.") for key in keys(locale("client", "fr"))}
    sources = "\n".join(p.read_text() for p in (tooling.PLUGIN / "assets").rglob("*.gjs"))
    used = set(re.findall(r'i18n[\s(]+"(codev\.[a-z_.]+)"', sources))
    assert used and used <= known, used - known
    for family in ("status", "band", "candidate_state"):
        assert any(k.startswith(f"codev.{family}.") for k in known)


def test_server_strings_used_in_ruby_exist() -> None:
    known = keys(locale("server", "fr"))
    ruby = "\n".join(p.read_text() for p in tooling.PLUGIN.rglob("*.rb") if "node_modules" not in p.parts)
    used = set(re.findall(r'"(codev\.errors\.[a-z_]+)"', ruby))
    assert used and used <= known, used - known
