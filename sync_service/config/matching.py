"""The matching engine's files: config/taxonomy.yaml and config/matching.yaml (the one place where weights
live) into frozen domain objects, checked at start."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sync_service.config.builder import build
from sync_service.config.errors import ConfigError
from sync_service.config.reader import read_mapping
from sync_service.domain.matching.records import EXPERT_MODES
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.taxonomy import LOCALES, Concept, ConceptKind, Taxonomy

SECTIONS: dict[str, ConceptKind] = {
    "languages": "language",
    "sectors": "sector",
    "kinds": "kind",
    "skills": "skill",
}
ENTRY_KEYS = {"label", "terms", "acronyms", "sectors", "links", "modes"}


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and check the taxonomy: labels in fr/ar/en, known sectors, links and modes."""
    source = str(path)
    data = read_mapping(Path(path))
    for key in data:
        if key not in SECTIONS:
            raise ConfigError(source, str(key), key, f"one of {', '.join(SECTIONS)}")
    tables: dict[str, dict[str, Concept]] = {}
    for section, kind in SECTIONS.items():
        entries = data.get(section)
        if not isinstance(entries, dict) or not entries:
            raise ConfigError(source, section, entries, "a non-empty mapping of id to entry")
        tables[section] = {
            str(cid): _concept(source, f"{section}.{cid}", str(cid), kind, entry)
            for cid, entry in entries.items()
        }
    for skill in tables["skills"].values():
        for i, sector in enumerate(skill.sectors):
            if sector not in tables["sectors"]:
                raise ConfigError(source, f"skills.{skill.id}.sectors[{i}]", sector, "a sector id")
    for sector_entry in tables["sectors"].values():
        for i, link in enumerate(sector_entry.links):
            if link not in tables["sectors"]:
                raise ConfigError(source, f"sectors.{sector_entry.id}.links[{i}]", link, "a sector id")
    for kind_entry in tables["kinds"].values():
        for i, mode in enumerate(kind_entry.modes):
            if mode not in EXPERT_MODES:
                raise ConfigError(
                    source, f"kinds.{kind_entry.id}.modes[{i}]", mode, f"one of {', '.join(EXPERT_MODES)}"
                )
    return Taxonomy(tables["languages"], tables["sectors"], tables["kinds"], tables["skills"])


def _concept(source: str, key: str, cid: str, kind: ConceptKind, entry: object) -> Concept:
    if not isinstance(entry, dict):
        raise ConfigError(source, key, entry, "a mapping with label and terms")
    for k in entry:
        if k not in ENTRY_KEYS:
            raise ConfigError(source, f"{key}.{k}", k, f"one of {', '.join(sorted(ENTRY_KEYS))}")
    label = entry.get("label")
    if not isinstance(label, dict) or any(
        not isinstance(label.get(loc), str) or not label[loc].strip() for loc in LOCALES
    ):
        raise ConfigError(source, f"{key}.label", label, "a mapping with non-empty fr, ar and en labels")
    lists = {}
    for name in ("terms", "acronyms", "sectors", "links", "modes"):
        value = entry.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(source, f"{key}.{name}", value, "a list of non-empty texts")
        lists[name] = tuple(v.strip() for v in value)
    if kind == "skill" and not lists["sectors"]:
        raise ConfigError(source, f"{key}.sectors", entry.get("sectors"), "at least one sector id")
    return Concept(
        cid,
        kind,
        {loc: str(label[loc]) for loc in LOCALES},
        lists["terms"],
        lists["acronyms"],
        lists["sectors"],
        lists["links"],
        lists["modes"],
    )


def load_matching_settings(path: str | Path) -> MatchingSettings:
    """Read the weights and limits; every key and type is checked."""
    source = str(path)
    settings = build(MatchingSettings, read_mapping(Path(path)), source)
    if settings.default_locale not in LOCALES:
        raise ConfigError(source, "default_locale", settings.default_locale, "one of fr, ar, en")
    if settings.semantic.ceiling <= settings.semantic.floor:
        raise ConfigError(source, "semantic.ceiling", settings.semantic.ceiling, "more than semantic.floor")
    weights = dataclasses.asdict(settings.weights)
    if not any(weights.values()):
        raise ConfigError(source, "weights", weights, "at least one weight above 0")
    return settings
