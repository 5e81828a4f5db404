"""Cross-validated choice of the matching weights over several graded development sets.

    .venv/bin/python bench/tune_matching.py --dev tests/data/eval tests/data/eval_holdout \
        tests/data/eval_field --trials 300 [--measure tests/data/eval_blind]

Not a speed benchmark: a random search around config/matching.yaml, each setting run on every
development set (the embedding of each text computed once). A setting is judged by its worst set
(J = 0.5 nDCG@5 + 0.3 recall@5 + 0.2 P@1), so that nothing is bought on one set with another; with
`--keep SET --floor X`, by its mean J among the settings that keep nDCG@5 >= X on the sets named.
Leave one set out shows whether what is chosen on the others carries over to the one left out; only
that figure says the choice generalises. `--measure` prints the current and the chosen setting on a
set that is never used to choose (the blind set), once, at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sync_service.adapters.embedding import default_embedder  # noqa: E402
from sync_service.config.matching import load_matching_settings, load_taxonomy  # noqa: E402
from sync_service.domain.matching.engine import Embedder  # noqa: E402
from sync_service.domain.matching.evaluation import (  # noqa: E402
    engine_rankings,
    read_grades,
    read_slices,
    summarise,
    trap_hits,
)
from sync_service.domain.matching.parse import parse_all  # noqa: E402
from sync_service.domain.matching.settings import MatchingSettings  # noqa: E402

WEIGHTS = ("skills", "sectors", "kind", "bm25", "embedding", "language", "mode", "availability", "affinity")
# (section, field, low, high): the other knobs searched, uniformly within their range
KNOBS = (
    ("recognition", "text_weight", 0.4, 1.0),
    ("recognition", "related_skill_credit", 0.1, 0.6),
    ("recognition", "unrecognised_profile_share", 0.2, 1.0),
    ("lexical", "half_saturation", 2.0, 12.0),
    ("lexical", "fuzzy_credit", 0.2, 0.9),
    ("semantic", "floor", 0.05, 0.3),
    ("semantic", "ceiling", 0.45, 0.8),
    ("semantic", "concept_weight", 0.2, 0.9),
    ("constraints", "min_relevance", 0.05, 0.25),
)


class CachedEmbedder:
    """The real encoder, each distinct text encoded once for the whole search."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.dim, self.cache = inner, inner.dim, {}  # type: ignore[var-annotated]

    def encode(self, texts: Sequence[str]) -> Any:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for text, vector in zip(missing, self.inner.encode(missing), strict=True):
                self.cache[text] = vector
        return np.array([self.cache[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)


@dataclasses.dataclass
class Graded:
    name: str
    experts: list[Any]
    needs: list[Any]
    grades: dict[str, dict[str, int]]
    traps: dict[str, list[str]]


def load(folder: str) -> Graded:
    path = Path(folder)
    read = lambda name: json.loads((path / name).read_text(encoding="utf-8"))  # noqa: E731
    traps = read_slices(read("slices.json"))[1] if (path / "slices.json").is_file() else {}
    return Graded(path.name, parse_all(read("experts.json"), "expert"), parse_all(read("needs.json"), "need"),
                  read_grades(read("grades.json")), traps)


def figures(data: Graded, settings: MatchingSettings, taxonomy: Any, embedder: Embedder) -> dict[str, float]:
    ranked = engine_rankings(data.experts, data.needs, taxonomy, settings, embedder, 5)
    metrics = summarise(ranked, data.grades, 5)
    return {**metrics, "traps": float(trap_hits(ranked, data.traps, 5)),
            "j": 0.5 * metrics["ndcg"] + 0.3 * metrics["recall"] + 0.2 * metrics["p1"]}


def variant(base: MatchingSettings, rng: random.Random, spread: float) -> MatchingSettings:
    """Weights drawn log-normally around the base's, the other knobs uniformly near theirs."""
    weights = {name: getattr(base.weights, name) * math.exp(rng.gauss(0, spread)) for name in WEIGHTS}
    total = sum(weights.values())
    changed = dataclasses.replace(base, weights=dataclasses.replace(
        base.weights, **{k: round(v / total, 3) for k, v in weights.items()}))
    for section, name, low, high in KNOBS:
        if rng.random() < 0.5:
            continue
        now = getattr(getattr(changed, section), name)
        value = min(high, max(low, now + rng.gauss(0, spread * (high - low) / 2)))
        changed = dataclasses.replace(changed, **{section: dataclasses.replace(
            getattr(changed, section), **{name: round(value, 3)})})
    if changed.semantic.ceiling <= changed.semantic.floor + 0.1:
        return base
    return changed


def differences(base: MatchingSettings, chosen: MatchingSettings) -> list[str]:
    lines = []
    for section in ("weights", *sorted({s for s, *_ in KNOBS})):
        old, new = dataclasses.asdict(getattr(base, section)), dataclasses.asdict(getattr(chosen, section))
        lines += [f"  {section}.{k}: {old[k]} -> {new[k]}" for k in old if old[k] != new[k]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", nargs="+", required=True, help="graded development sets (folders)")
    parser.add_argument("--measure", help="a set never used to choose, measured once at the end")
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--spread", type=float, default=0.35)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--config", default=str(ROOT / "config"))
    parser.add_argument("--keep", nargs="*", default=[], help="sets whose nDCG@5 must stay >= --floor")
    parser.add_argument("--floor", type=float, default=0.90)
    args = parser.parse_args()

    taxonomy = load_taxonomy(Path(args.config) / "taxonomy.yaml")
    base = load_matching_settings(Path(args.config) / "matching.yaml")
    embedder = CachedEmbedder(default_embedder())
    sets = [load(folder) for folder in args.dev]
    rng = random.Random(args.seed)
    global CRITERION
    kept = [i for i, folder in enumerate(args.dev) if folder in args.keep or Path(folder).name in args.keep]
    if kept:
        CRITERION = partial(kept_floor, kept, args.floor)

    trials: list[tuple[MatchingSettings, list[dict[str, float]]]] = []
    for number in range(args.trials + 1):
        settings = base if number == 0 else variant(best(trials)[0] if number % 3 == 0 else base, rng,
                                                     args.spread)
        trials.append((settings, [figures(s, settings, taxonomy, embedder) for s in sets]))
        if number % 20 == 0:
            chosen, row = best(trials)
            print(f"trial {number:>4}: best {CRITERION(row)}", flush=True)

    print("\nper set (nDCG@5 / recall@5 / P@1, traps in a top 5): current -> chosen on all dev sets")
    chosen, row = best(trials)
    for data, now, then in zip(sets, trials[0][1], row, strict=True):
        print(f"  {data.name:<14} {_line(now)}  ->  {_line(then)}")
    print("\nleave one set out (J of the set left out: current -> chosen on the others)")
    for index, data in enumerate(sets):
        others = [(s, [None if i == index else r for i, r in enumerate(rows)]) for s, rows in trials]
        picked, _ = best(others)
        row = next(rows for s, rows in trials if s is picked)
        print(f"  {data.name:<14} {trials[0][1][index]['j']:.4f} -> {row[index]['j']:.4f}")
    print("\nchosen setting (config/matching.yaml):")
    print("\n".join(differences(base, chosen)) or "  (the current one)")
    if args.measure:
        measured = load(args.measure)
        print(f"\nmeasured once on {measured.name}:")
        for name, settings in (("current", base), ("chosen", chosen)):
            print(f"  {name:<8} {_line(figures(measured, settings, taxonomy, embedder))}")


Rows = Sequence[dict[str, float] | None]  # one per development set; None: left out


def worst_set(rows: Rows) -> tuple[float, float]:
    """The worst set's J (ties: the better mean)."""
    js = [r["j"] for r in rows if r is not None]
    return round(min(js), 4), sum(js)


def kept_floor(kept: Sequence[int], floor: float, rows: Rows) -> tuple[bool, float]:
    """Whether the kept sets hold nDCG@5 >= floor, then the mean J."""
    held = all(row["ndcg"] >= floor for i in kept if (row := rows[i]) is not None)
    js = [r["j"] for r in rows if r is not None]
    return held, round(sum(js) / len(js), 4)


CRITERION: Any = worst_set


def best(trials: Sequence[tuple[MatchingSettings, Any]]) -> tuple[MatchingSettings, Any]:
    """The trial the criterion ranks first."""
    return max(trials, key=lambda t: CRITERION(t[1]))


def _line(row: dict[str, float]) -> str:
    return f"{row['ndcg']:.3f} / {row['recall']:.3f} / {row['p1']:.3f}, {int(row['traps'])} traps"


if __name__ == "__main__":
    main()
