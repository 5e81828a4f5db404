"""The matching engine: holds experts and open needs, ranks one against all the other side incrementally."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sync_service.domain.matching import components as comp
from sync_service.domain.matching.expert_arrays import ExpertArrays
from sync_service.domain.matching.features import Features, expert_features, need_features
from sync_service.domain.matching.fuzzy import NearWords
from sync_service.domain.matching.meaning import ConceptsByMeaning
from sync_service.domain.matching.records import Expert, Need, RecordId
from sync_service.domain.matching.scan import ReducedScan
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.store import FloatArray, SideStore
from sync_service.domain.matching.taxonomy import Recognizer, Taxonomy


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (one row per text)."""

    dim: int

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


@dataclass(frozen=True)
class Candidate:
    """One ranked counterpart with its score and the share of each component."""

    id: RecordId
    score: float
    breakdown: dict[str, float]
    violation: bool


class MatchingEngine:
    """Experts and needs in column stores; rank_need / rank_expert score one record against the other side."""

    def __init__(
        self, taxonomy: Taxonomy, settings: MatchingSettings, embedder: Embedder | None = None
    ) -> None:
        self.taxonomy, self.settings, self.embedder = taxonomy, settings, embedder
        self.recognizer = Recognizer(taxonomy, settings.recognition.fuzzy_min_similarity)
        registry: dict[str, dict[str, int]] = {"language": {}, "kind": {}, "province": {}}
        dim = embedder.dim if embedder is not None else None
        self.experts = SideStore(registry, dim)
        self.needs = SideStore(registry, dim)
        self.expert_records: dict[RecordId, Expert] = {}
        self.need_records: dict[RecordId, Need] = {}
        self.arrays = ExpertArrays(self.experts, taxonomy, settings)
        self._related, self._linked = self.arrays.related, self.arrays.linked
        self._linked_from = self.arrays.linked_from
        self._scan = ReducedScan(settings.semantic.scan_dims)
        self.meaning = ConceptsByMeaning(self.recognizer, settings.semantic, settings.recognition)
        lex = settings.lexical
        self.near_words = NearWords(lex.fuzzy_min_similarity, lex.fuzzy_min_length)
        self.pool_misses = 0  # rankings where the pool could not prove its top k (counted for the bench)

    # -- changes ---------------------------------------------------------------------------------------
    def upsert_experts(self, experts: Iterable[Expert]) -> None:
        """Add or replace experts (texts embedded in one batch)."""
        batch = list(experts)
        feats = [expert_features(e, self.recognizer, self.settings.recognition) for e in batch]
        vectors = self._embed([f.text for f in feats])
        feats = self.meaning.add(feats, vectors, self.embedder)
        self.near_words.add(t for f in feats for t in f.terms)
        rows = []
        for i, (expert, f) in enumerate(zip(batch, feats, strict=True)):
            self.arrays.forget(expert.id, f)
            rows.append(self.experts.upsert(expert.id, f, None if vectors is None else vectors[i]))
            self.expert_records[expert.id] = expert
        self._scan.update(self.experts, rows)

    def upsert_needs(self, needs: Iterable[Need]) -> None:
        """Add or replace open needs."""
        batch = list(needs)
        feats = [need_features(n, self.recognizer, self.settings.recognition) for n in batch]
        vectors = self._embed([f.text for f in feats])
        feats = self.meaning.add(feats, vectors, self.embedder)
        self.near_words.add(t for f in feats for t in f.terms)
        for i, (need, f) in enumerate(zip(batch, feats, strict=True)):
            self.needs.upsert(need.id, f, None if vectors is None else vectors[i], need_side=True)
            self.need_records[need.id] = need

    def remove_expert(self, expert_id: RecordId) -> None:
        """Forget an expert (withdrawn consent, deleted account)."""
        self.arrays.forget(expert_id, None)
        self.experts.remove(expert_id)
        self.expert_records.pop(expert_id, None)

    def remove_need(self, need_id: RecordId) -> None:
        """Forget a need (closed or deleted)."""
        self.needs.remove(need_id)
        self.need_records.pop(need_id, None)

    def _embed(self, texts: list[str]) -> FloatArray | None:
        if self.embedder is None or not texts:
            return None
        return self.embedder.encode([t or "-" for t in texts])

    # -- ranking ---------------------------------------------------------------------------------------
    def rank_need(self, need_id: RecordId, k: int | None = None) -> list[Candidate]:
        """The best experts for one need (held in the engine)."""
        need = self.needs.features[self.needs.row_of[need_id]]
        assert need is not None
        row = self.needs.row_of[need_id]
        query = None
        if self.embedder is not None and self.experts.count >= self.settings.semantic.scan_above:
            if self._scan.basis is None:
                self._scan.fit(self.experts)
            # First pass on approximate cosines; the pool (or every row) then gets exact ones.
            query = self.needs.vectors[row]
            values, present = self._need_values(need, row, self._scan.approximate(query, self.experts.size))
        else:
            values, present = self._need_values(need, row, None)
        pooled = self._rank_pooled(values, present, row, k, query)
        return pooled if pooled is not None else self._every_row(values, present, row, k, query)

    def _every_row(
        self, values: dict[str, Any], present: dict[str, Any], row: int, k: int | None, query: Any
    ) -> list[Candidate]:
        """Every expert scored for one need (exact cosines replace approximate ones when a query is given)."""
        n = self.experts.size
        if query is not None:
            values["embedding"] = self._semantic(np.einsum("ij,j->i", self.experts.vectors[:n], query))
        scored = self._finish(values, present, self.needs, slice(row, row + 1), self.experts, slice(0, n), n)
        return self._candidates(scored, self.experts, k)

    def rank_expert(self, expert_id: RecordId, k: int | None = None) -> list[Candidate]:
        """The open needs that fit one expert best."""
        row = self.experts.row_of[expert_id]
        expert = self.experts.features[row]
        assert expert is not None
        scored = self._score_expert(expert, row)
        return self._candidates(scored, self.needs, k)

    def _candidates(
        self, scored: comp.Scored, side: SideStore, k: int | None, rows_of: Any = None
    ) -> list[Candidate]:
        """Candidates from scored rows; rows_of maps the scored positions to store rows when a subset."""
        active = side.active[: side.size] if rows_of is None else side.active[rows_of]
        rows = comp.order(scored, active, k or self.settings.top, self.settings.constraints.min_score)
        out = []
        for r in rows:
            record_id = side.ids[r if rows_of is None else int(rows_of[r])]
            assert record_id is not None  # order() returns active rows only
            out.append(
                Candidate(
                    record_id,
                    round(float(scored.score[r]), 4),
                    comp.breakdown(scored, r, self.settings),
                    bool(scored.violation[r]),
                )
            )
        return out

    def rank_needs(
        self, need_ids: Sequence[RecordId], k: int | None = None, block: int = 256
    ) -> dict[RecordId, list[Candidate]]:
        """The best experts for many needs at once (cosines computed block by block as one product)."""
        out: dict[RecordId, list[Candidate]] = {}
        for start in range(0, len(need_ids), block):
            out.update(self._rank_block(list(need_ids[start : start + block]), k))
        return out

    def _rank_block(self, ids: list[RecordId], k: int | None) -> dict[RecordId, list[Candidate]]:
        n = self.experts.size
        rows = [self.needs.row_of[i] for i in ids]
        # Exact cosines as one product per block: the reduced vectors of rank_need save no time here
        # (measured on 100k experts x 1,024 needs: 6.7 s against 5.6-6.9 s of CPU).
        cosines = self.needs.vectors[rows] @ self.experts.vectors[:n].T if self.embedder else None
        out: dict[RecordId, list[Candidate]] = {}
        for j, (need_id, row) in enumerate(zip(ids, rows, strict=True)):
            need = self.needs.features[row]
            assert need is not None
            values, present = self._need_values(need, row, None if cosines is None else cosines[j])
            pooled = self._rank_pooled(values, present, row, k)
            out[need_id] = pooled if pooled is not None else self._every_row(values, present, row, k, None)
        return out

    def _rank_pooled(
        self, values: dict[str, Any], present: dict[str, Any], row: int, k: int | None, query: Any = None
    ) -> list[Candidate] | None:
        """Exact scores for the `rescore` rows with the best subject match only, or None when a row left
        out could still reach the top k (the caller then scores every row)."""
        e, w, k = self.experts, self.settings.weights, k or self.settings.top
        n = e.size
        pool_size = max(self.settings.semantic.rescore, 4 * k)
        if e.count <= pool_size or n < 2:
            return None
        topical = np.zeros(n, np.float32)
        topical_weight: Any = np.zeros(n, np.float32)
        for name in ("skills", "sectors", "bm25", "embedding"):
            weight = np.float32(getattr(w, name)) * np.asarray(present[name], np.float32)
            if np.any(weight):
                topical += weight * values[name]
                topical_weight += weight
        nb = self.needs
        # Kind and the practical fit add at most their weights; they are left out of the pool's order.
        extra = (
            w.kind * (nb.kinds[row] != 0)
            + w.language * (nb.languages[row] != 0)
            + w.mode * (nb.modes[row] > 0)
            + w.availability
            + w.affinity * (nb.province[row] >= 0)
        )
        # The best score a row could reach (its weights may differ: see _known_profiles).
        bound = (topical + extra) / np.maximum(topical_weight + extra, 1e-9)
        bound[~e.active[:n]] = -np.inf
        part = np.argpartition(-bound, pool_size)
        pool, best_left_out = np.sort(part[:pool_size]), float(bound[part[pool_size]])
        pool_values = {name: _take(v, pool, n) for name, v in values.items()}
        pool_present = {name: _take(v, pool, n) for name, v in present.items()}
        if query is not None:  # the first pass used approximate cosines: exact ones for the pool
            pool_values["embedding"] = self._semantic(e.vectors[pool] @ query)
        scored = self._finish(pool_values, pool_present, nb, slice(row, row + 1), e, pool, len(pool))
        found = self._candidates(scored, e, k, pool)
        if len(found) < k or found[-1].violation or found[-1].score < best_left_out + 1e-4:
            self.pool_misses += 1
            return None
        return found

    def _need_values(
        self, need: Features, need_row: int, cosine: FloatArray | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The need's content components against every expert row."""
        e, s = self.experts, self.settings
        n = e.size
        skill_sum = np.zeros(n, np.float32)
        skill_max = np.zeros(n, np.float32)
        for skill, weight in need.skills.items():
            contribution = weight * self.arrays.skill(skill)
            skill_sum += contribution
            np.maximum(skill_max, contribution, out=skill_max)
        sectors = np.zeros(n, np.float32)
        for sector, weight in need.sectors.items():
            np.maximum(sectors, weight * self.arrays.sector(sector), out=sectors)
        bm25 = np.zeros(n, np.float32)
        for term in set(need.terms):
            # The word itself, then the profile words spelt nearly like it ("irigation"), at part credit.
            for word, credit in ((term, 1.0), *self._near(term)):
                rows, tf = e.terms.get(word)
                if len(rows):
                    bm25[rows] += credit * self.arrays.idf(word) * self.arrays.tf_part(tf, e.length[rows])
        if cosine is None and self.embedder is not None:
            cosine = np.einsum("ij,j->i", e.vectors[:n], self.needs.vectors[need_row])  # see scan.py
        values: dict[str, Any] = {
            "skills": _blend(
                skill_sum / max(sum(need.skills.values()), 1e-9),
                skill_max / max(max(need.skills.values(), default=0.0), 1e-9),
            ),
            "sectors": sectors / max(max(need.sectors.values(), default=0.0), 1e-9),
            "bm25": bm25 / (bm25 + s.lexical.half_saturation),
            "embedding": self._semantic(cosine) if cosine is not None else 0.0,
        }
        known = self._known_profiles(e.skill_weight[:n], e.sector_weight[:n])
        present: dict[str, Any] = {
            "skills": known if need.skills else False,
            "sectors": known if need.sectors else False,
            "bm25": bool(need.terms),
            "embedding": self.embedder is not None and bool(need.text),
        }
        return values, present

    def _score_expert(self, expert: Features, expert_row: int) -> comp.Scored:
        nb, s = self.needs, self.settings
        m = nb.size
        rec = s.recognition
        skill_sum = np.zeros(m, np.float32)
        skill_max = np.zeros(m, np.float32)
        for skill in set(expert.skills) | {r for k in expert.skills for r in self._related.get(k, ())}:
            value = max(
                [expert.skills.get(skill, 0.0)]
                + [
                    rec.related_skill_credit * expert.skills[r]
                    for r in self._related.get(skill, ())
                    if r in expert.skills
                ]
            )
            rows, ws = nb.skills.get(skill)
            skill_sum[rows] += ws * value
            np.maximum.at(skill_max, rows, ws * value)
        sectors = np.zeros(m, np.float32)
        for sector in set(expert.sectors) | {
            t for l_ in expert.sectors for t in self._linked_from.get(l_, ())
        }:
            value = max(
                [expert.sectors.get(sector, 0.0)]
                + [
                    rec.linked_sector_credit * expert.sectors[l_]
                    for l_ in self._linked.get(sector, ())
                    if l_ in expert.sectors
                ]
            )
            rows, ws = nb.sectors.get(sector)
            np.maximum.at(sectors, rows, ws * value)
        bm25 = np.zeros(m, np.float32)
        counts: dict[str, int] = {}
        for term in expert.terms:
            counts[term] = counts.get(term, 0) + 1
        length = np.float32(len(expert.terms))
        for term, tf in counts.items():
            part = self.arrays.idf(term) * float(self.arrays.tf_part(np.float32(tf), length))
            for word, credit in ((term, 1.0), *self._near(term)):
                rows, _ = nb.terms.get(word)
                if len(rows):
                    bm25[rows] += credit * part
        sw, xw, smax = nb.skill_weight[:m], nb.sector_weight[:m], nb.skill_max[:m]
        values: dict[str, Any] = {
            "skills": _blend(skill_sum / np.maximum(sw, 1e-9), skill_max / np.maximum(smax, 1e-9)),
            "sectors": sectors / np.maximum(xw, 1e-9),
            "bm25": bm25 / (bm25 + s.lexical.half_saturation),
            "embedding": self._semantic(nb.vectors[:m] @ self.experts.vectors[expert_row])
            if self.embedder
            else 0.0,
        }
        known = self._known_profiles(np.float32(len(expert.skills)), np.float32(len(expert.sectors)))
        present: dict[str, Any] = {
            "skills": (sw > 0) * known,
            "sectors": (xw > 0) * known,
            "bm25": nb.length[:m] > 0,
            "embedding": self.embedder is not None,
        }
        return self._finish(
            values, present, nb, slice(0, m), self.experts, slice(expert_row, expert_row + 1), m
        )

    def _finish(
        self,
        values: dict[str, Any],
        present: dict[str, Any],
        nb: SideStore,
        nsel: slice,
        e: SideStore,
        esel: slice | Any,
        size: int,
    ) -> comp.Scored:
        s = self.settings
        funding_bit = 1 << nb.code("kind", "funding_search")
        need_kinds, expert_kinds = nb.kinds[nsel], e.kinds[esel]
        values["kind"] = ((need_kinds & expert_kinds) != 0).astype(np.float32)
        present["kind"] = need_kinds != 0
        values["language"], present["language"] = comp.language(nb.languages[nsel], e.languages[esel])
        need_mode, funding = nb.modes[nsel], (need_kinds & funding_bit) != 0
        mode_value, mode_present, mode_violation = self.arrays.fit(
            ("mode", nb is self.needs, int(need_mode[0]), bool(funding[0])) if len(need_mode) == 1 else None,
            esel,
            lambda: comp.mode(need_mode, e.modes[esel], funding),
        )
        values["mode"], present["mode"] = mode_value, mode_present
        values["availability"], excluded = self.arrays.fit(
            ("availability", nb is self.needs),
            esel,
            lambda: comp.availability(e.hours[esel], s.constraints.full_availability_hours),
        )
        present["availability"] = np.True_
        need_province = nb.province[nsel]
        values["affinity"] = ((need_province >= 0) & (need_province == e.province[esel])).astype(np.float32)
        present["affinity"] = need_province >= 0
        on_site = nb.modes[nsel] == 2
        # "Speaks it" = at least one of the need's languages (a Tachelhit or an Arabic speaker can go).
        language_violation = on_site & present["language"] & (values["language"] <= 0.0)
        violation = mode_violation | language_violation
        return comp.combine(values, present, violation, excluded, e.load[esel], s, size)

    def _known_profiles(self, skill_weight: Any, sector_weight: Any) -> Any:
        """Share of the skills and sectors weights for each profile: 1 when the taxonomy recognised a skill
        or a sector in it, less when it recognised nothing (a profile in Dutch, or in words the taxonomy
        lacks, is then judged more on its words and meaning than on concepts it cannot show)."""
        share = np.float32(self.settings.recognition.unrecognised_profile_share)
        return np.where((skill_weight > 0) | (sector_weight > 0), np.float32(1.0), share)

    def _near(self, term: str) -> list[tuple[str, float]]:
        """Words spelt nearly like the term, each with the credit it earns (fuzzy_credit x similarity)."""
        credit = self.settings.lexical.fuzzy_credit
        return [(word, credit * sim) for word, sim in self.near_words.near(term)] if credit else []

    def _semantic(self, cosine: Any) -> Any:
        sem = self.settings.semantic
        return np.clip((cosine - sem.floor) / (sem.ceiling - sem.floor), 0.0, 1.0)


def _take(value: Any, rows: Any, size: int) -> Any:
    """The rows of a per-row array; scalars and one-element arrays stay as they are."""
    return value[rows] if np.ndim(value) > 0 and np.size(value) == size and size > 1 else value


def _blend(coverage: Any, best: Any) -> Any:
    """Half how much of the need's skills are covered, half how well its main one is."""
    return 0.5 * coverage + 0.5 * best
