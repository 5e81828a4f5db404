"""Arrays over all experts derived from their postings, cached between rankings.

A skill's contribution (its holders, and at partial credit the holders of related skills) and a sector's
(with linked sectors) are kept per concept; an expert's change drops only the entries its old and new
concepts feed. Practical-fit arrays (modes, hours) are kept until any expert changes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sync_service.domain.matching.features import Features
from sync_service.domain.matching.records import RecordId
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.store import FloatArray, SideStore
from sync_service.domain.matching.taxonomy import Taxonomy


class ExpertArrays:
    """Derived per-expert arrays for one expert store, with the taxonomy's skill and sector relations."""

    def __init__(self, experts: SideStore, taxonomy: Taxonomy, settings: MatchingSettings) -> None:
        self.experts, self.settings = experts, settings
        self.related = related_skills(taxonomy)
        self.linked = {s.id: tuple(s.links) for s in taxonomy.sectors.values()}
        self.linked_from: dict[str, set[str]] = {}
        for sector, links in self.linked.items():
            for link in links:
                self.linked_from.setdefault(link, set()).add(sector)
        self._cache: dict[tuple[str, str], FloatArray] = {}
        self._fit_cache: dict[tuple[Any, ...], Any] = {}
        self._fit_version = -1

    def skill(self, skill: str) -> FloatArray:
        """Each expert's credit for one skill (1 x weight if held, partial for a related skill)."""
        return self._cached("skill", skill, self._skill_contribution)

    def sector(self, sector: str) -> FloatArray:
        """Each expert's credit for one sector (partial for a linked sector)."""
        return self._cached("sector", sector, self._sector_contribution)

    def fit(self, key: tuple[Any, ...] | None, esel: slice | Any, build: Any) -> Any:
        """Practical-fit arrays over all experts depend on few need values: kept until the experts change."""
        if key is None or not isinstance(esel, slice) or esel != slice(0, self.experts.size):
            return build()
        if self._fit_version != self.experts.version:
            self._fit_cache.clear()
            self._fit_version = self.experts.version
        if key not in self._fit_cache:
            self._fit_cache[key] = build()
        return self._fit_cache[key]

    def _cached(self, kind: str, key: str, build: Any) -> FloatArray:
        """The cached array for a concept, rebuilt when dropped, padded with zeros for new rows."""
        size = self.experts.size
        found = self._cache.get((kind, key))
        if found is None:
            found = build(key)[:size]
        elif len(found) < size:  # rows added since: they do not hold this concept, or it was dropped
            found = np.concatenate([found, np.zeros(size - len(found), np.float32)])
        self._cache[(kind, key)] = found
        return found

    def forget(self, expert_id: RecordId, new: Features | None) -> None:
        """Drop the cached arrays an expert's old and new concepts feed (call before the store changes)."""
        # A freed row is clean: every array where its old occupant counted was dropped with it.
        row = self.experts.row_of.get(expert_id)
        old = self.experts.features[row] if row is not None else None
        skills: set[str] = set()
        sectors: set[str] = set()
        for feats in (old, new):
            if feats is not None:
                skills.update(feats.skills)
                sectors.update(feats.sectors)
        for skill in skills | {r for k in skills for r in self.related.get(k, ())}:
            self._cache.pop(("skill", skill), None)
        for sector in sectors | {t for x in sectors for t in self.linked_from.get(x, ())}:
            self._cache.pop(("sector", sector), None)

    def _sector_contribution(self, sector: str) -> FloatArray:
        e, credit = self.experts, self.settings.recognition.linked_sector_credit
        v = np.zeros(e.size, np.float32)
        for link in self.linked.get(sector, ()):
            rows, ws = e.sectors.get(link)
            np.maximum.at(v, rows, credit * ws)
        rows, ws = e.sectors.get(sector)
        np.maximum.at(v, rows, ws)
        return v

    def _skill_contribution(self, skill: str) -> FloatArray:
        e, credit = self.experts, self.settings.recognition.related_skill_credit
        v = np.zeros(e.size, np.float32)
        for related in self.related.get(skill, ()):
            rows, ws = e.skills.get(related)
            np.maximum.at(v, rows, credit * ws)
        rows, ws = e.skills.get(skill)
        np.maximum.at(v, rows, ws)
        return v

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency of a term among the experts."""
        n, df = self.experts.count, self.experts.terms.count(term)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def tf_part(self, tf: Any, length: Any) -> Any:
        """BM25 saturated term frequency for documents of the given lengths."""
        k1, b = self.settings.lexical.k1, self.settings.lexical.b
        avg = self.experts.total_length / max(self.experts.count, 1) or 1.0
        return tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))


def related_skills(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """Skills with the same home (first) sector; "none" relates nothing."""
    by_sector: dict[str, set[str]] = {}
    for skill in taxonomy.skills.values():
        if skill.sectors and skill.sectors[0] != "none":
            by_sector.setdefault(skill.sectors[0], set()).add(skill.id)
    return {
        s.id: tuple(sorted(r for r in by_sector.get(s.sectors[0], ()) if r != s.id)) if s.sectors else ()
        for s in taxonomy.skills.values()
    }
