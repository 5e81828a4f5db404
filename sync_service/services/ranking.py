"""The matching engine as the brokerage uses it: an index kept between passes, re-indexing only changes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sync_service.domain.i18n import Translator
from sync_service.domain.matching.engine import Candidate, Embedder, MatchingEngine
from sync_service.domain.matching.explain import explain
from sync_service.domain.matching.records import Expert, Need
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.taxonomy import Taxonomy
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.ports.matching import Ranked, Scored


class EngineRanker:
    """Implements lifecycle_ports.Ranker on one MatchingEngine (embedder optional)."""

    def __init__(self, taxonomy: Taxonomy, settings: MatchingSettings, translator: Translator,
                 embedder: Embedder | None = None) -> None:
        self.engine = MatchingEngine(taxonomy, settings, embedder)
        self.translator = translator
        self._experts: dict[int, Expert] = {}
        self._needs: dict[int, Need] = {}
        self._people: dict[int, ExpertProfile] = {}
        # need -> its ranking as last computed; the index changes only in refresh, which empties it, so
        # the plan (shortlists) and the review topics of one pass read the same order
        self._ranked: dict[int, tuple[int, list[Candidate]]] = {}  # need -> (depth asked, ranking)

    def refresh(self, experts: Sequence[ExpertProfile], needs: Sequence[NeedDetails],
                loads: Mapping[int, int]) -> None:
        """Upsert what changed, remove what is gone (consent withdrawn, need closed)."""
        self._ranked.clear()
        records = {p.user_id: p.to_expert(loads.get(p.user_id, 0)) for p in experts if p.matchable}
        _bring_in_line(self._experts, records, self.engine.remove_expert, self.engine.upsert_experts)
        self._people = {p.user_id: p for p in experts if p.user_id in records}
        wanted = {n.topic_id: n.to_need() for n in needs}
        _bring_in_line(self._needs, wanted, self.engine.remove_need, self.engine.upsert_needs)

    def update(self, experts: Sequence[ExpertProfile], needs: Sequence[NeedDetails],
               gone_experts: Collection[int], gone_needs: Collection[int],
               loads: Mapping[int, int]) -> set[int]:
        """Re-index only these experts and needs, keeping the other needs' rankings; the needs whose
        ranking may have moved."""
        moved = {n.topic_id for n in needs} | (set(gone_needs) & set(self._needs))
        for topic_id in set(gone_needs) & set(self._needs):
            self.engine.remove_need(topic_id)
            del self._needs[topic_id]
        records = {p.user_id: p.to_expert(loads.get(p.user_id, 0)) for p in experts if p.matchable}
        gone = (set(gone_experts) | {p.user_id for p in experts if not p.matchable}) & set(self._experts)
        changed = {e for e, record in records.items() if self._experts.get(e) != record} | gone
        for user_id in gone:
            self.engine.remove_expert(user_id)
            del self._experts[user_id]
            self._people.pop(user_id, None)
        if changed - gone:
            self.engine.upsert_experts([records[e] for e in changed - gone])
            self._experts.update({e: records[e] for e in changed - gone})
        self._people.update({p.user_id: p for p in experts if p.user_id in records})
        wanted = {n.topic_id: n.to_need() for n in needs}
        fresh = {k: v for k, v in wanted.items() if self._needs.get(k) != v}
        if fresh:
            self.engine.upsert_needs(list(fresh.values()))
            self._needs.update(fresh)
        for need_topic_id, (_, ranking) in self._ranked.items():
            if any(int(c.id) in changed for c in ranking):
                moved.add(need_topic_id)
        for user_id in changed - gone:  # the needs this expert would now enter
            for candidate in self.engine.rank_expert(user_id, len(self._needs)):
                held = self._ranked.get(int(candidate.id))
                if held is None or len(held[1]) < held[0] or candidate.score >= held[1][-1].score:
                    moved.add(int(candidate.id))
        for need_topic_id in moved:
            self._ranked.pop(need_topic_id, None)
        return moved & set(self._needs) | (moved & set(gone_needs))

    def rank(self, need_topic_id: int, k: int, exclude: set[int], locale: str) -> list[Ranked]:
        """The k best experts for the need, without those excluded, with reasons in the locale."""
        if need_topic_id not in self._needs or not self._experts or k <= 0:
            return []
        out: list[Ranked] = []
        for candidate in self._ranking(need_topic_id, k + len(exclude)):
            user_id = int(candidate.id)
            if user_id in exclude or user_id not in self._people:
                continue
            person = self._people[user_id]
            reasons = tuple(explain(self.engine, need_topic_id, candidate, self.translator, locale))
            out.append(Ranked(user_id, person.username, person.display_name, candidate.score, reasons))
            if len(out) == k:
                break
        return out

    def shortlists(self, excluded: Mapping[int, set[int]], k: int) -> dict[int, list[Scored]]:
        """For each need, its k best experts who break no rule (those excluded left out), best first."""
        out: dict[int, list[Scored]] = {}
        for need_topic_id, exclude in excluded.items():
            if need_topic_id not in self._needs or not self._experts or k <= 0:
                out[need_topic_id] = []
                continue
            fit = [Scored(int(c.id), c.score) for c in self._ranking(need_topic_id, k + len(exclude))
                   if not c.violation and int(c.id) not in exclude and int(c.id) in self._people]
            out[need_topic_id] = fit[:k]
        return out

    def _ranking(self, need_topic_id: int, depth: int) -> list[Candidate]:
        """The need's best `depth` experts, computed once per depth or less between two refreshes."""
        held = self._ranked.get(need_topic_id)
        if held is None or held[0] < depth:
            held = self._ranked[need_topic_id] = (depth, self.engine.rank_need(need_topic_id, depth))
        return held[1]

    def reasons(self, need_topic_id: int, user_id: int, locale: str) -> tuple[str, ...]:
        """Why this expert fits this need, from a full ranking of the need (empty below the floor)."""
        if need_topic_id not in self._needs or user_id not in self._experts:
            return ()
        for candidate in self.engine.rank_need(need_topic_id, len(self._experts)):
            if int(candidate.id) == user_id:
                return tuple(explain(self.engine, need_topic_id, candidate, self.translator, locale))
        return ()


def _bring_in_line(held: dict[int, Any], wanted: Mapping[int, Any], remove: Callable[[int], None],
                   upsert: Callable[[list[Any]], None]) -> None:
    """Make `held` (what the engine indexes) equal `wanted`: remove the gone, upsert only the changed."""
    for gone in set(held) - set(wanted):
        remove(gone)
        del held[gone]
    changed = {key: record for key, record in wanted.items() if held.get(key) != record}
    if changed:
        upsert(list(changed.values()))
        held.update(changed)
