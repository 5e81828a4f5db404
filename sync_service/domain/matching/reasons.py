"""Reasons in words: which skills and sectors matched, language, mode, availability, affinity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sync_service.domain.i18n import Translator
from sync_service.domain.matching.features import Features
from sync_service.domain.matching.taxonomy import ConceptKind, Taxonomy

# Modes the catalogues name (reasons.mode_name.*); an unknown mode is left out of the sentence.
MODE_NAMES = ("remote", "on_site", "mentoring", "funding_network")


@dataclass(frozen=True)
class _Voice:
    """The catalogues' reasons section and the taxonomy's labels, in one locale."""

    translator: Translator
    taxonomy: Taxonomy
    locale: str

    def say(self, key: str, **values: object) -> str:
        return self.translator.translate(f"reasons.{key}", self.locale, **values)

    def labels(self, kind: ConceptKind, codes: Iterable[str]) -> str:
        return self.translator.join([self.taxonomy.label(kind, c, self.locale) for c in codes], self.locale)


def reasons(
    need: Features,
    expert: Features,
    taxonomy: Taxonomy,
    breakdown: dict[str, float],
    translator: Translator,
    locale: str = "fr",
    max_related: int = 2,
) -> list[str]:
    """Short sentences saying why this expert fits this need (and what does not fit)."""
    voice = _Voice(translator, taxonomy, locale)
    out: list[str] = []
    both = sorted(set(need.skills) & set(expert.skills), key=lambda s: -need.skills[s])
    # A skill either side only seems to mean (recognised by meaning, not words) is named as a related one.
    shared = [s for s in both if s not in need.inferred and s not in expert.inferred]
    if shared:
        out.append(voice.say("skills", items=voice.labels("skill", shared)))
    else:
        meant = sorted((s for s in both if s not in shared), key=lambda s: -need.skills[s] * expert.skills[s])
        related = (meant + [s for s in _related(need, expert, taxonomy) if s not in meant])[:max_related]
        if related:
            out.append(voice.say("related_skills", items=voice.labels("skill", related)))
    # Only the need's main sectors: one a skill merely touches is not worth a reason.
    main = max(need.sectors.values(), default=0.0) * 0.75
    sectors = sorted(
        (s for s in set(need.sectors) & set(expert.sectors) if need.sectors[s] >= main),
        key=lambda s: -need.sectors[s],
    )
    if sectors:
        out.append(voice.say("sectors", items=voice.labels("sector", sectors[:2])))
    kinds = sorted(need.kinds & expert.kinds)
    if kinds:
        out.append(voice.say("kind", items=voice.labels("kind", kinds)))
    spoken = sorted(need.languages & expert.languages)
    missing = sorted(need.languages - expert.languages)
    if spoken:
        out.append(voice.say("speaks", items=voice.labels("language", spoken)))
    if missing and not spoken and "on_site" in need.modes:
        out.append(voice.say("missing_language", items=voice.labels("language", missing)))
    out.extend(_mode(need, expert, voice))
    if expert.hours is None:
        out.append(voice.say("hours_unknown"))
    else:
        whole = int(expert.hours) if float(expert.hours).is_integer() else None  # plural forms need one
        out.append(voice.say("hours", hours=f"{expert.hours:g}", count=whole))
    if need.province and need.province == expert.province:
        out.append(voice.say("origin", province=need.province_name or need.province))
    if not shared and not sectors and breakdown.get("embedding", 0.0) > 0.05:
        out.append(voice.say("similar_text"))
    if expert.load:
        out.append(voice.say("busy", count=expert.load))
    return out


def _related(need: Features, expert: Features, taxonomy: Taxonomy) -> list[str]:
    homes = {taxonomy.skills[s].sectors[0] for s in need.skills} - {"none"}
    return sorted(s for s in expert.skills if taxonomy.skills[s].sectors[0] in homes)


def _mode(need: Features, expert: Features, voice: _Voice) -> list[str]:
    if "funding_search" in need.kinds and "funding_network" in expert.modes:
        return [voice.say("mode_funding")]
    if "remote" in need.modes and expert.modes & {"remote", "mentoring"}:
        return [voice.say("mode_remote")]
    if "on_site" in need.modes and "on_site" in expert.modes:
        return [voice.say("mode_on_site")]
    if need.modes & {"remote", "on_site"} and expert.modes:
        names = [voice.say(f"mode_name.{m}") for m in sorted(expert.modes) if m in MODE_NAMES]
        return [voice.say("mode_mismatch", items=voice.translator.join(names, voice.locale))]
    if "remote" in expert.modes:
        return [voice.say("mode_remote")]
    return []
