"""Benchmark of the matching engine on synthetic data, beside a naive TF-IDF brute-force baseline.

    .venv/bin/python bench/matching.py --quick     # under a minute (CI-like)
    .venv/bin/python bench/matching.py             # the issue's sizes: 100k experts x 10k needs; by hand

Synthetic profiles are drawn from the taxonomy's terms and a few filler sentences; texts are drawn from a
pool whose vectors are computed once with the real embedding model (the ranking, not the encoder, is what
is measured here; the encoder's own throughput is printed separately).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sync_service.adapters.assignment_solver import OrToolsFlowSolver  # noqa: E402
from sync_service.adapters.embedding import default_embedder  # noqa: E402
from sync_service.config.matching import load_matching_settings, load_taxonomy  # noqa: E402
from sync_service.domain.matching.assignment import solve_plan  # noqa: E402
from sync_service.domain.matching.engine import MatchingEngine  # noqa: E402
from sync_service.domain.matching.records import Expert, Need  # noqa: E402

FILLER = [
    "Je suis disponible pour aider ma région d'origine.",
    "Plusieurs années d'expérience en Europe.",
    "أرغب في المساهمة في تنمية جماعتي الأصلية",
    "Happy to help remotely.",
    "Bénévole dans une association.",
    "Les douars du versant nord attendent depuis longtemps.",
    "Projet inscrit au PAC de la commune.",
]
PROVINCES = [
    "Tiznit",
    "Taroudant",
    "Tata",
    "Chtouka-Aït Baha",
    "Ouarzazate",
    "Zagora",
    "Tinghir",
    "Sidi Ifni",
]


class CachingEmbedder:
    """The real model, encoding each distinct text once (synthetic records reuse a pool of texts)."""

    dim = 512

    def __init__(self) -> None:
        self._model = default_embedder()
        self._table: dict[str, np.ndarray] = {}
        self.encoded, self.seconds = 0, 0.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._table))
        if missing:
            start = time.perf_counter()
            for t, v in zip(missing, self._model.encode(missing), strict=True):
                self._table[t] = v
            self.seconds += time.perf_counter() - start
            self.encoded += len(missing)
        return np.vstack([self._table[t] for t in texts]).astype(np.float32)


def synthetic(taxonomy, n_experts: int, n_needs: int, pool_size: int, seed: int = 1):
    rng = random.Random(seed)
    skills = list(taxonomy.skills.values())
    pool = []
    for _ in range(pool_size):
        chosen = rng.sample(skills, rng.randint(1, 3))
        words = [rng.choice(s.terms or (s.labels["fr"],)) for s in chosen]
        pool.append((tuple(words), f"{', '.join(words)}. {rng.choice(FILLER)}"))
    experts, needs = [], []
    for i in range(n_experts):
        words, bio = rng.choice(pool)
        experts.append(
            Expert(
                f"e{i}",
                skills=words,
                languages=tuple(rng.sample(["fr", "ar", "ber", "en", "es", "nl", "de"], 2)),
                modes=tuple(
                    rng.sample(["remote", "on_site", "mentoring", "funding_network"], rng.randint(1, 2))
                ),
                availability_hours_per_month=rng.choice([0, 2, 5, 10, 20, None]),
                origin_province=rng.choice(PROVINCES),
                bio=bio,
            )
        )
    for j in range(n_needs):
        words, body = rng.choice(pool)
        needs.append(
            Need(
                f"n{j}",
                commune=f"c{j % 1500}",
                province=rng.choice(PROVINCES),
                title=words[0],
                body=body,
                languages=tuple(rng.sample(["fr", "ar", "ber"], 1)),
                mode=rng.choice(["remote", "on_site", "any"]),
            )
        )
    return experts, needs


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def bench_engine(experts, needs, taxonomy, settings, embedder, samples: int) -> None:
    engine = MatchingEngine(taxonomy, settings, embedder)
    start = time.perf_counter()
    engine.upsert_experts(experts)
    engine.upsert_needs(needs)
    build = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    engine.rank_needs([n.id for n in needs], 5)
    full, full_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"codev engine      index {len(experts):,} experts + {len(needs):,} needs: {build:6.1f} s"
        f"   ({load_note()})"
    )
    print(
        f"codev engine      rank every need (top 5):            {full:6.1f} s   (CPU {full_cpu:.1f} s)"
        f"   peak RSS {peak_mb():,.0f} MB   ({load_note()})"
    )
    full_misses, engine.pool_misses = engine.pool_misses, 0
    rng = random.Random(2)
    need_times, expert_times, need_cpu, expert_cpu = [], [], [], []
    # A changed record has new text: it is re-encoded, re-indexed, then ranked against the other side.
    # Needs first, then experts (a burst of changes of one kind, as when a commune imports its plan).
    for i in range(samples):
        need = dataclasses.replace(rng.choice(needs), body=f"{rng.choice(needs).body} (révision {i})")
        t, c = time.perf_counter(), time.process_time()
        engine.upsert_needs([need])
        engine.rank_need(need.id, 5)
        need_times.append(time.perf_counter() - t)
        need_cpu.append(time.process_time() - c)
    for i in range(samples):
        expert = dataclasses.replace(rng.choice(experts), bio=f"{rng.choice(experts).bio} (profil {i})")
        t, c = time.perf_counter(), time.process_time()
        engine.upsert_experts([expert])
        engine.rank_expert(expert.id, 5)
        expert_times.append(time.perf_counter() - t)
        expert_cpu.append(time.process_time() - c)
    for label, wall, cpu in (
        ("one changed need vs all experts:  ", need_times, need_cpu),
        ("one changed expert vs all needs:  ", expert_times, expert_cpu),
    ):
        print(
            f"codev engine      {label}  p50 {percentile(wall, 50):6.1f} ms"
            f"   p95 {percentile(wall, 95):6.1f} ms"
            f"   (CPU time p50 {percentile(cpu, 50):.1f} / p95 {percentile(cpu, 95):.1f} ms)"
            f"   ({load_note()})"
        )
    print(
        f"codev engine      rankings that fell back from the pool to every row: {full_misses}"
        f" of {len(needs):,}"
        f" (full), {engine.pool_misses} of {samples} (one changed need)"
    )


def bench_naive(experts, needs, samples: int) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    start = time.perf_counter()
    docs = [" ".join([*e.skills, e.bio or ""]) for e in experts]
    queries = [" ".join([n.title or "", n.body or ""]) for n in needs]
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(docs)
    build = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(0, len(queries), 256):
        sims = (vectorizer.transform(queries[i : i + 256]) @ matrix.T).toarray()
        np.argpartition(-sims, 5, axis=1)[:, :5]
    full = time.perf_counter() - start
    print(
        f"naive TF-IDF      index: {build:6.1f} s   rank every need: {full:6.1f} s"
        f"   peak RSS {peak_mb():,.0f} MB"
    )
    times = []
    rng = random.Random(3)
    for _ in range(samples):
        q = rng.choice(queries)
        t = time.perf_counter()
        sims = (vectorizer.transform([q]) @ matrix.T).toarray()[0]
        np.argpartition(-sims, 5)[:5]
        times.append(time.perf_counter() - t)
    print(
        f"naive TF-IDF      one need vs all experts:            p50 {percentile(times, 50):6.1f} ms"
        f"   p95 {percentile(times, 95):6.1f} ms"
    )


def bench_assignment(n_needs: int, n_experts: int, per_need: int) -> None:
    rng = np.random.default_rng(4)
    pair_need = np.repeat(np.arange(n_needs, dtype=np.int64), per_need)
    pair_expert = rng.integers(0, n_experts, n_needs * per_need, dtype=np.int64)
    scores = rng.random(n_needs * per_need)
    start, cpu = time.perf_counter(), time.process_time()
    flow = solve_plan(
        np.arange(n_needs, dtype=np.int64) % 1500,
        np.full(n_experts, 2, dtype=np.int64),
        pair_need,
        pair_expert,
        scores,
        3,
        OrToolsFlowSolver(),
    )
    solved, solved_cpu = time.perf_counter() - start, time.process_time() - cpu
    chosen = int(flow.sum())
    print(
        f"assignment        {n_needs:,} needs x {n_experts:,} experts, {per_need} candidates each: "
        f"built and solved {solved:5.1f} s (CPU {solved_cpu:.1f} s), {chosen:,} proposals,"
        f" peak RSS {peak_mb():,.0f} MB"
    )


def load_note() -> str:
    return f"load average {open('/proc/loadavg').read().split()[0]} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--part", choices=["all", "engine", "naive", "assignment"], default="all")
    args = parser.parse_args()
    n_experts, n_needs, samples = (10_000, 500, 50) if args.quick else (100_000, 10_000, 200)
    a_needs, a_experts = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    if args.part == "assignment":
        bench_assignment(a_needs, a_experts, 50)
        print(load_note())
        return
    taxonomy, settings = (
        load_taxonomy(ROOT / "config/taxonomy.yaml"),
        load_matching_settings(ROOT / "config/matching.yaml"),
    )
    experts, needs = synthetic(taxonomy, n_experts, n_needs, 1_000 if args.quick else 5_000)
    embedder = CachingEmbedder()
    if args.part in ("all", "engine"):
        bench_engine(experts, needs, taxonomy, settings, embedder, samples)
        print(
            f"embedding model   {embedder.encoded:,} distinct texts encoded in {embedder.seconds:.1f} s "
            f"({embedder.seconds / max(embedder.encoded, 1) * 1000:.2f} ms per text, batched; included above)"
        )
    if args.part in ("all", "naive"):
        bench_naive(experts, needs, samples)
    if args.part == "all":
        bench_assignment(a_needs, a_experts, 50)
    print(load_note() + " (figures are wall-clock; other processes on the machine slow them)")


if __name__ == "__main__":
    main()
