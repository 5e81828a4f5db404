"""Offline evaluation on a graded set (0-3): nDCG@k, recall@k, P@1, beside two baselines run alike."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from sync_service.domain.matching.engine import Embedder, MatchingEngine
from sync_service.domain.matching.records import Expert, Need
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.taxonomy import Taxonomy

Grades = Mapping[str, Mapping[str, int]]
RELEVANT = 2  # grade from which an expert counts as relevant for recall and P@1


def read_grades(data: object) -> dict[str, dict[str, int]]:
    """need id -> expert id -> grade, ids as text; a grade outside 0-3 is refused."""
    if not isinstance(data, dict):
        raise ValueError("grades: expected an object of need id -> {expert id: grade}")
    out: dict[str, dict[str, int]] = {}
    for need, row in data.items():
        if not isinstance(row, dict):
            raise ValueError(f"grades[{need!r}]: expected an object of expert id -> grade")
        for expert, grade in row.items():
            if isinstance(grade, bool) or grade not in (0, 1, 2, 3):
                raise ValueError(f"grades[{need!r}][{expert!r}]: found {grade!r}, expected 0, 1, 2 or 3")
        out[str(need)] = {str(e): int(g) for e, g in row.items()}
    return out


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """Normalised discounted cumulative gain with gains 2^grade - 1."""
    dcg = sum((2 ** grades.get(e, 0) - 1) / math.log2(i + 2) for i, e in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """Share of the relevant experts found in the first k."""
    relevant = {e for e, g in grades.items() if g >= RELEVANT}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def precision_at_1(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    """1 when the first expert is relevant."""
    return 1.0 if ranked and grades.get(ranked[0], 0) >= RELEVANT else 0.0


def summarise(rankings: Mapping[str, Sequence[str]], grades: Grades, k: int) -> dict[str, float]:
    """Mean of each metric over the graded needs."""
    needs = [n for n in grades if any(g >= RELEVANT for g in grades[n].values())]
    return {
        "ndcg": float(np.mean([ndcg(rankings.get(n, []), grades[n], k) for n in needs])),
        "recall": float(np.mean([recall(rankings.get(n, []), grades[n], k) for n in needs])),
        "p1": float(np.mean([precision_at_1(rankings.get(n, []), grades[n]) for n in needs])),
    }


def _expert_text(e: Expert) -> str:
    return " ".join([*e.skills, *e.sectors, e.bio or ""])


def _need_text(n: Need) -> str:
    return " ".join([n.title or "", n.body or "", *n.skills, n.sector or ""])


def _raw_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def bm25_baseline(experts: Sequence[Expert], needs: Sequence[Need], k: int) -> dict[str, list[str]]:
    """Plain BM25 (k1 1.2, b 0.75) on lowercased raw words: no stemming, taxonomy or constraints."""
    docs = [_raw_tokens(_expert_text(e)) for e in experts]
    df: dict[str, int] = {}
    for d in docs:
        for t in set(d):
            df[t] = df.get(t, 0) + 1
    avg = sum(map(len, docs)) / max(len(docs), 1)
    out = {}
    for need in needs:
        query = set(_raw_tokens(_need_text(need)))
        scores = []
        for d in docs:
            s = 0.0
            for t in query & set(d):
                tf = d.count(t)
                idf = math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5))
                s += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(d) / avg))
            scores.append(s)
        order = sorted(range(len(experts)), key=lambda i: (-scores[i], i))
        out[str(need.id)] = [str(experts[i].id) for i in order[:k] if scores[i] > 0]
    return out


def embedding_baseline(
    experts: Sequence[Expert], needs: Sequence[Need], embedder: Embedder, k: int
) -> dict[str, list[str]]:
    """Cosine similarity of the same texts, nothing else."""
    ev = embedder.encode([_expert_text(e) or "-" for e in experts])
    nv = embedder.encode([_need_text(n) or "-" for n in needs])
    sims = nv @ ev.T
    return {
        str(n.id): [str(experts[int(i)].id) for i in np.argsort(-sims[j], kind="stable")[:k]]
        for j, n in enumerate(needs)
    }


def engine_rankings(
    experts: Sequence[Expert],
    needs: Sequence[Need],
    taxonomy: Taxonomy,
    settings: MatchingSettings,
    embedder: Embedder | None,
    k: int,
) -> dict[str, list[str]]:
    """The engine's top k per need."""
    engine = MatchingEngine(taxonomy, settings, embedder)
    engine.upsert_experts(experts)
    engine.upsert_needs(needs)
    ranking = engine.rank_needs([n.id for n in needs], k)
    return {str(n.id): [str(c.id) for c in ranking[n.id]] for n in needs}


def evaluate_all(
    experts: Sequence[Expert],
    needs: Sequence[Need],
    grades: Grades,
    taxonomy: Taxonomy,
    settings: MatchingSettings,
    embedder: Embedder | None,
    k: int = 5,
) -> dict[str, dict[str, float]]:
    """Metrics of the engine and of the baselines, in one process on the same data."""
    runs: dict[str, Callable[[], Mapping[str, Sequence[str]]]] = {
        "codev engine": lambda: engine_rankings(experts, needs, taxonomy, settings, embedder, k),
        "codev w/o embedding": lambda: engine_rankings(experts, needs, taxonomy, settings, None, k),
        "baseline: BM25 raw": lambda: bm25_baseline(experts, needs, k),
    }
    if embedder is not None:
        runs["baseline: embedding"] = lambda: embedding_baseline(experts, needs, embedder, k)
    return {name: summarise(run(), grades, k) for name, run in runs.items()}


def misses(rankings: Mapping[str, Sequence[str]], grades: Grades, k: int) -> list[str]:
    """One line per need whose top k is not ideal: what came in, what was left out (grades in brackets)."""
    lines = []
    for need, row in grades.items():
        ranked = list(rankings.get(need, []))[:k]
        if not any(g >= RELEVANT for g in row.values()) or ndcg(ranked, row, k) >= 0.999:
            continue
        shown = " ".join(f"{e}[{row.get(e, 0)}]" for e in ranked) or "-"
        left = " ".join(f"{e}[{g}]" for e, g in sorted(row.items()) if g >= RELEVANT and e not in ranked)
        lines.append(
            f"{need}: nDCG {ndcg(ranked, row, k):.2f}  top {shown}" + (f"  left out {left}" if left else "")
        )
    return lines


def read_slices(data: object) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """need id -> slice names, and need id -> trap expert ids (the "_traps" entry), ids as text."""
    if not isinstance(data, dict):
        raise ValueError("slices: expected an object of need id -> [slice, ...]")
    traps = data.get("_traps", {})
    if not isinstance(traps, dict):
        raise ValueError("slices['_traps']: expected an object of need id -> [expert id, ...]")
    slices = {str(n): [str(s) for s in names] for n, names in data.items() if n != "_traps"}
    return slices, {str(n): [str(e) for e in ids] for n, ids in traps.items()}


def by_slice(
    rankings: Mapping[str, Sequence[str]], grades: Grades, slices: Mapping[str, Sequence[str]], k: int
) -> dict[str, tuple[int, dict[str, float]]]:
    """Each slice's number of graded needs and mean metrics (needs of several slices count in each)."""
    names = sorted({s for row in slices.values() for s in row})
    out = {}
    for name in names:
        subset = {n: grades[n] for n, row in slices.items() if name in row and n in grades}
        graded = [n for n in subset if any(g >= RELEVANT for g in subset[n].values())]
        if graded:
            out[name] = (len(graded), summarise(rankings, subset, k))
    return out


def trap_hits(rankings: Mapping[str, Sequence[str]], traps: Mapping[str, Sequence[str]], k: int) -> int:
    """How many trap experts appear in the first k of the needs they are traps for."""
    return sum(len(set(rankings.get(n, [])[:k]) & set(ids)) for n, ids in traps.items())


def idle_hits(rankings: Mapping[str, Sequence[str]], experts: Sequence[Expert], k: int) -> int:
    """How many experts with 0 hours a month appear in a first k (a hard rule: never suggested)."""
    idle = {str(e.id) for e in experts if e.availability_hours_per_month == 0}
    return sum(len(set(r[:k]) & idle) for r in rankings.values())
