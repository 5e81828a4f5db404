"""Load config/taxonomy.yaml and config/matching.yaml into frozen domain objects, checked at start."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any

from sync_service.config import ConfigError, read_yaml_mapping
from sync_service.domain.matching.records import EXPERT_MODES
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.taxonomy import LOCALES, Concept, ConceptKind, Taxonomy

DEFAULT_TAXONOMY = Path("config/taxonomy.yaml")
DEFAULT_MATCHING = Path("config/matching.yaml")
SECTIONS: dict[str, ConceptKind] = {
    "languages": "language",
    "sectors": "sector",
    "kinds": "kind",
    "skills": "skill",
}
ENTRY_KEYS = {"label", "terms", "acronyms", "sectors", "links", "modes"}


def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read and check the taxonomy: labels in fr/ar/en, known sectors, links and modes."""
    source = str(path)
    data = read_yaml_mapping(Path(path))
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


def load_matching_settings(path: str | Path = DEFAULT_MATCHING) -> MatchingSettings:
    """Read the weights and limits; every key and type is checked."""
    source = str(path)
    settings: MatchingSettings = _build(MatchingSettings, read_yaml_mapping(Path(path)), source, "")
    if settings.default_locale not in LOCALES:
        raise ConfigError(source, "default_locale", settings.default_locale, "one of fr, ar, en")
    if settings.semantic.ceiling <= settings.semantic.floor:
        raise ConfigError(source, "semantic.ceiling", settings.semantic.ceiling, "more than semantic.floor")
    if settings.constraints.violation_factor > 1:
        raise ConfigError(
            source,
            "constraints.violation_factor",
            settings.constraints.violation_factor,
            "a number from 0 to 1",
        )
    weights = dataclasses.asdict(settings.weights)
    if not any(weights.values()):
        raise ConfigError(source, "weights", weights, "at least one weight above 0")
    return settings




def _build(cls: type[Any], data: object, source: str, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(source, prefix or "(top level)", data, "a mapping")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            raise ConfigError(source, dotted, key, f"one of {', '.join(sorted(fields))}")
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            kwargs[key] = _build(typing.cast(type[Any], hint), value, source, dotted)
        elif hint is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(source, dotted, value, "a whole number, 1 or more")
            kwargs[key] = value
        elif hint is float:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(source, dotted, value, "a number, 0 or more")
            kwargs[key] = float(value)
        else:
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(source, dotted, value, "a non-empty text")
            kwargs[key] = value
    return cls(**kwargs)
