"""A fake of ports.matching.Ranker: a table of need -> ranked candidates, arranged by the test."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.ports.matching import Ranked, Scored


def ranked(user_id: int, username: str, score: float = 0.8, *reasons: str,
           name: str | None = None) -> Ranked:
    """A candidate as the ranker returns one."""
    return Ranked(user_id, username, name, score, reasons or (f"{username} fits",))


class FakeRanker:
    """Ranks by the table (`put`), best first as given. Like the real index, after a `refresh` it ranks
    only the experts and needs that refresh named (before any refresh, everything in the table)."""

    def __init__(self) -> None:
        self.table: dict[int, list[Ranked]] = {}
        self.experts: set[int] | None = None  # indexed by the last refresh (None: no refresh yet)
        self.needs: set[int] | None = None
        self.refreshes: list[tuple[list[int], list[int], dict[int, int]]] = []
        self.ranked: list[tuple[int, int, frozenset[int], str]] = []  # rank calls: need, k, exclude, locale
        self.shortlisted: list[dict[int, frozenset[int]]] = []  # shortlists calls: need -> exclude
        self.updates: list[tuple[list[int], list[int]]] = []  # update calls: experts, needs named

    def put(self, need_topic_id: int, *candidates: Ranked) -> None:
        """The candidates for a need, best first."""
        self.table[need_topic_id] = list(candidates)

    # --- ports.matching.Ranker ---
    def refresh(self, experts: Sequence[ExpertProfile], needs: Sequence[NeedDetails],
                loads: Mapping[int, int]) -> None:
        self.experts = {p.user_id for p in experts if p.matchable}
        self.needs = {n.topic_id for n in needs}
        self.refreshes.append((sorted(self.experts), sorted(self.needs), dict(loads)))

    def update(self, experts: Sequence[ExpertProfile], needs: Sequence[NeedDetails],
               gone_experts: Collection[int], gone_needs: Collection[int],
               loads: Mapping[int, int]) -> set[int]:
        named = {p.user_id for p in experts} | set(gone_experts)
        self.updates.append((sorted(named), sorted({n.topic_id for n in needs} | set(gone_needs))))
        if self.experts is not None:
            self.experts = (self.experts - named) | {p.user_id for p in experts if p.matchable}
        if self.needs is not None:
            self.needs = (self.needs - set(gone_needs)) | {n.topic_id for n in needs}
        moved = {n.topic_id for n in needs} | set(gone_needs)
        return moved | {need for need, candidates in self.table.items()
                        if any(c.user_id in named for c in candidates)}

    def rank(self, need_topic_id: int, k: int, exclude: set[int], locale: str) -> list[Ranked]:
        self.ranked.append((need_topic_id, k, frozenset(exclude), locale))
        if k <= 0:
            return []
        return [c for c in self._indexed(need_topic_id) if c.user_id not in exclude][:k]

    def shortlists(self, excluded: Mapping[int, set[int]], k: int) -> dict[int, list[Scored]]:
        self.shortlisted.append({need: frozenset(exclude) for need, exclude in excluded.items()})
        return {need: [Scored(c.user_id, c.score) for c in self._indexed(need)
                       if c.user_id not in exclude][:max(k, 0)]
                for need, exclude in excluded.items()}

    def reasons(self, need_topic_id: int, user_id: int, locale: str) -> tuple[str, ...]:
        return next((c.reasons for c in self._indexed(need_topic_id) if c.user_id == user_id), ())

    def _indexed(self, need_topic_id: int) -> list[Ranked]:
        if self.needs is not None and need_topic_id not in self.needs:
            return []
        return [c for c in self.table.get(need_topic_id, [])
                if self.experts is None or c.user_id in self.experts]
