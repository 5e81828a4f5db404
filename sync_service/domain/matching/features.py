"""From a record to what the scorer compares: concepts with weights, tokens, languages, modes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sync_service.domain.matching.records import Expert, Need
from sync_service.domain.matching.settings import Recognition
from sync_service.domain.matching.taxonomy import Found, Recognizer
from sync_service.domain.matching.text import fold_latin, tokens

# Codes people write for the same language; the taxonomy's codes are the canonical ones.
LANGUAGE_ALIASES = {
    "shi": "ber",
    "tzm": "ber",
    "zgh": "ber",
    "kab": "ber",
    "rif": "ber",
    "amz": "ber",
    "ary": "ar",
    "ara": "ar",
    "fra": "fr",
    "fre": "fr",
    "eng": "en",
    "spa": "es",
    "nld": "nl",
    "dut": "nl",
    "deu": "de",
    "ger": "de",
}


@dataclass(frozen=True)
class Features:
    """One side of a pair, ready to score."""

    skills: Mapping[str, float]
    sectors: Mapping[str, float]
    kinds: frozenset[str]
    languages: frozenset[str]
    modes: frozenset[str]
    terms: tuple[str, ...]
    text: str
    hours: float | None = None
    province: str | None = None
    load: int = 0
    province_name: str | None = None
    inferred: frozenset[str] = frozenset()  # skills recognised by meaning only (meaning.py), not by words


def _merge(*parts: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in parts:
        for key, weight in part.items():
            out[key] = max(out.get(key, 0.0), weight)
    return out


def _languages(codes: Iterable[str], recognizer: Recognizer) -> frozenset[str]:
    known = recognizer.taxonomy.languages
    out: set[str] = set()
    for code in codes:
        low = code.strip().lower()
        low = LANGUAGE_ALIASES.get(low, low)
        if low in known:
            out.add(low)
        else:
            out.update(recognizer.find([code]).languages)
    return frozenset(out)


def with_implied_sectors(found: Found, recognizer: Recognizer, rec: Recognition) -> dict[str, float]:
    """The sectors found, and those the skills found imply (home sector fully, others at a share)."""
    implied: dict[str, float] = {}
    for skill_id, weight in found.skills.items():
        # The first sector of a skill is its home; the others are where it also serves.
        for i, sector in enumerate(recognizer.taxonomy.skills[skill_id].sectors):
            share = rec.implied_sector_weight * (1.0 if i == 0 else rec.secondary_sector_share)
            implied[sector] = max(implied.get(sector, 0.0), weight * share)
    return _merge(found.sectors, implied)


def _ids_in_field(values: Iterable[str], table: Mapping[str, object]) -> dict[str, float]:
    return {v.strip(): 1.0 for v in values if v.strip() in table}


@lru_cache(maxsize=4096)
def province_key(name: str | None) -> str | None:
    """Compare provinces without case, accents or punctuation ("Taroudant" = "taroudant")."""
    if not name or not name.strip():
        return None
    return " ".join(tokens(fold_latin(name))) or name.strip()


def expert_features(expert: Expert, recognizer: Recognizer, rec: Recognition) -> Features:
    """Features of an expert: fields count fully, the bio at text weight."""
    tax = recognizer.taxonomy
    fields = recognizer.find(expert.skills, rec.field_weight)
    sector_field = recognizer.find(expert.sectors, rec.field_weight)
    declared = {**_ids_in_field(expert.skills, tax.skills), **fields.skills}
    # A cyclist rides "sur route" and "sur les pistes": when every declared skill lies outside the plan's
    # sectors, the sector words around them (fields and bio) count little.
    off_plan = bool(declared) and all(tax.skills[k].sectors == ("none",) for k in declared)
    share = rec.trap_profile_share if off_plan else 1.0
    bio = recognizer.find([expert.bio or ""], rec.text_weight * share)
    sectors = _merge(_ids_in_field(expert.sectors, tax.sectors), fields.sectors, sector_field.sectors)
    found = Found(
        skills=_merge(_ids_in_field(expert.skills, tax.skills), fields.skills, bio.skills),
        sectors=_merge({k: w * share for k, w in sectors.items()}, bio.sectors),
        kinds=_merge(fields.kinds, bio.kinds),
    )
    modes = frozenset(m for m in expert.modes if m)
    kinds = set(found.kinds) | {k.id for k in tax.kinds.values() if set(k.modes) & modes}
    text = " ".join([*expert.skills, *expert.sectors, expert.bio or ""])
    return Features(
        skills=found.skills,
        sectors=with_implied_sectors(found, recognizer, rec),
        kinds=frozenset(kinds),
        # "Je parle couramment le tachelhit" in a bio is as good as the code in the list.
        languages=_languages(expert.languages, recognizer) | frozenset(bio.languages),
        modes=modes,
        terms=tuple(tokens(text)),
        text=text.strip(),
        hours=expert.availability_hours_per_month,
        province=province_key(expert.origin_province),
        province_name=expert.origin_province,
        load=expert.open_introductions,
    )


def need_features(need: Need, recognizer: Recognizer, rec: Recognition) -> Features:
    """Features of a need: the form's fields count fully, the title a little less, the body less."""
    tax = recognizer.taxonomy
    sector_field = [need.sector] if need.sector else []
    fields = recognizer.find(need.skills, rec.field_weight)
    sector_found = recognizer.find(sector_field, rec.field_weight)
    title = recognizer.find([need.title or ""], rec.title_weight)
    body = recognizer.find([need.body or ""], rec.text_weight)
    free = Found(
        _merge(title.skills, body.skills),
        _merge(title.sectors, body.sectors),
        _merge(title.kinds, body.kinds),
    )
    kinds: set[str] = set()
    if need.kind and need.kind.strip() in tax.kinds:
        kinds.add(need.kind.strip())
    elif need.kind:
        kinds.update(recognizer.find([need.kind]).kinds)
    if not kinds:
        kinds.update(free.kinds)
    found = Found(
        skills=_merge(_ids_in_field(need.skills, tax.skills), fields.skills, free.skills),
        sectors=_merge(
            _ids_in_field(sector_field, tax.sectors), fields.sectors, sector_found.sectors, free.sectors
        ),
    )
    text = " ".join([need.title or "", need.body or "", *need.skills, need.sector or ""])
    return Features(
        skills=found.skills,
        sectors=with_implied_sectors(found, recognizer, rec),
        kinds=frozenset(kinds - {"other"}),
        languages=_languages(need.languages, recognizer),
        modes=frozenset([need.mode]) if need.mode else frozenset(),
        terms=tuple(tokens(text)),
        text=text.strip(),
        province=province_key(need.province),
        province_name=need.province,
    )
