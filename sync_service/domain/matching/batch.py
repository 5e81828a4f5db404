"""One whole run: rank every need, optionally plan the assignment, shape the result for output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sync_service.domain.i18n import Translator
from sync_service.domain.matching.assignment import FlowSolver, assign
from sync_service.domain.matching.engine import Embedder, MatchingEngine
from sync_service.domain.matching.explain import explain
from sync_service.domain.matching.records import Expert, Need
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.taxonomy import Taxonomy

RANK_CHUNK = 1000  # needs ranked per call: the progress of a large file, without changing the result

def match_all(
    experts: Sequence[Expert],
    needs: Sequence[Need],
    taxonomy: Taxonomy,
    settings: MatchingSettings,
    translator: Translator,
    embedder: Embedder | None = None,
    top: int | None = None,
    with_assignment: bool = False,
    locale: str | None = None,
    solver: FlowSolver | None = None,
    progress: Callable[[int], object] | None = None,
) -> dict[str, Any]:
    """Every need ranked, with reasons and breakdown, and the plan when asked (docs/matching.md, Output).
    `progress` hears how many more needs were ranked, chunk by chunk."""
    engine = MatchingEngine(taxonomy, settings, embedder)
    engine.upsert_experts(experts)
    engine.upsert_needs(needs)
    k = top or settings.top
    locale = locale or settings.default_locale
    results = []
    pool: dict[Any, list[tuple[Any, float]]] = {}
    ids = [n.id for n in needs]
    ranking: dict[Any, Any] = {}
    for start in range(0, len(ids), RANK_CHUNK):
        chunk = ids[start:start + RANK_CHUNK]
        ranking.update(engine.rank_needs(chunk, max(k, settings.assignment.candidates_per_need)))
        if progress is not None:
            progress(len(chunk))
    for need in needs:
        ranked = ranking[need.id]
        pool[need.id] = [(c.id, c.score) for c in ranked if not c.violation]
        results.append(
            {
                "need": need.id,
                "suggestions": [
                    {
                        "expert": c.id,
                        "score": c.score,
                        "reasons": explain(engine, need.id, c, translator, locale),
                        "breakdown": c.breakdown,
                    }
                    for c in ranked[:k]
                ],
            }
        )
    out: dict[str, Any] = {"results": results}
    if with_assignment:
        cap = settings.assignment.max_open_introductions
        plan = assign(
            pool,
            {n.id: n.commune or f"?{n.id}" for n in needs},
            {e.id: cap - e.open_introductions for e in experts},
            settings.assignment.proposals_per_need,
            solver,
        )
        out["assignment"] = {
            "proposals": [
                {"need": n, "experts": [{"expert": e, "score": s} for e, s in got]}
                for n, got in plan.proposals.items()
            ],
            "uncovered_communes": list(plan.uncovered_communes),
            "total_score": plan.total_score,
        }
    return out
