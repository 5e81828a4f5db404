"""Reasons in words: which skills and sectors matched, language, mode, availability, affinity."""

from __future__ import annotations

from sync_service.domain.matching.features import Features
from sync_service.domain.matching.messages import join, say
from sync_service.domain.matching.taxonomy import Taxonomy


def reasons(
    need: Features,
    expert: Features,
    taxonomy: Taxonomy,
    breakdown: dict[str, float],
    locale: str = "fr",
    max_related: int = 2,
) -> list[str]:
    """Short sentences saying why this expert fits this need (and what does not fit)."""
    out: list[str] = []
    shared = sorted(set(need.skills) & set(expert.skills), key=lambda s: -need.skills[s])
    if shared:
        out.append(
            say("skills", locale, items=join([taxonomy.label("skill", s, locale) for s in shared], locale))
        )
    else:
        related = _related(need, expert, taxonomy)[:max_related]
        if related:
            out.append(
                say(
                    "related_skills",
                    locale,
                    items=join([taxonomy.label("skill", s, locale) for s in related], locale),
                )
            )
    # Only the need's main sectors: one a skill merely touches is not worth a reason.
    main = max(need.sectors.values(), default=0.0) * 0.75
    sectors = sorted(
        (s for s in set(need.sectors) & set(expert.sectors) if need.sectors[s] >= main),
        key=lambda s: -need.sectors[s],
    )
    if sectors:
        out.append(
            say(
                "sectors",
                locale,
                items=join([taxonomy.label("sector", s, locale) for s in sectors[:2]], locale),
            )
        )
    kinds = sorted(need.kinds & expert.kinds)
    if kinds:
        out.append(
            say("kind", locale, items=join([taxonomy.label("kind", k, locale) for k in kinds], locale))
        )
    spoken = sorted(need.languages & expert.languages)
    missing = sorted(need.languages - expert.languages)
    if spoken:
        out.append(
            say("speaks", locale, items=join([taxonomy.label("language", c, locale) for c in spoken], locale))
        )
    if missing and not spoken and "on_site" in need.modes:
        out.append(
            say(
                "missing_language",
                locale,
                items=join([taxonomy.label("language", c, locale) for c in missing], locale),
            )
        )
    out.extend(_mode(need, expert, locale))
    if expert.hours is None:
        out.append(say("hours_unknown", locale))
    else:
        out.append(say("hours", locale, hours=f"{expert.hours:g}"))
    if need.province and need.province == expert.province:
        out.append(say("origin", locale, province=need.province_name or need.province))
    if not shared and not sectors and breakdown.get("embedding", 0.0) > 0.05:
        out.append(say("similar_text", locale))
    if expert.load:
        out.append(say("busy", locale, count=expert.load))
    return out


def _related(need: Features, expert: Features, taxonomy: Taxonomy) -> list[str]:
    homes = {taxonomy.skills[s].sectors[0] for s in need.skills} - {"none"}
    return sorted(s for s in expert.skills if taxonomy.skills[s].sectors[0] in homes)


def _mode(need: Features, expert: Features, locale: str) -> list[str]:
    if "funding_search" in need.kinds and "funding_network" in expert.modes:
        return [say("mode_funding", locale)]
    if "remote" in need.modes and expert.modes & {"remote", "mentoring"}:
        return [say("mode_remote", locale)]
    if "on_site" in need.modes and "on_site" in expert.modes:
        return [say("mode_on_site", locale)]
    if need.modes & {"remote", "on_site"} and expert.modes:
        names = [say(f"mode_name_{m}", locale) for m in sorted(expert.modes) if f"mode_name_{m}" in _KNOWN]
        return [say("mode_mismatch", locale, items=join(names, locale))]
    if "remote" in expert.modes:
        return [say("mode_remote", locale)]
    return []


_KNOWN = {"mode_name_remote", "mode_name_on_site", "mode_name_mentoring", "mode_name_funding_network"}
