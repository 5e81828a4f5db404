"""Score components that compare attributes; each works on scalars or arrays alike (broadcasting)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sync_service.domain.matching.settings import MatchingSettings

Array = npt.NDArray[Any]
TOPICAL = (
    "skills",
    "sectors",
    "kind",
    "bm25",
    "embedding",
)  # what the expert knows; the rest is practical fit
# the taxonomy's components, weighed by the meaning's agreement (semantic.agreement)
AGREEING = ("skills", "sectors", "kind")
COMPONENTS = (
    "skills",
    "sectors",
    "kind",
    "bm25",
    "embedding",
    "language",
    "mode",
    "availability",
    "affinity",
)
REMOTE_FIT, ON_SITE_FIT, FUNDING_FIT = 1 | 4, 2, 8  # expert mode bits that fit each need mode


@dataclass(frozen=True)
class Scored:
    """Per-row results of one ranking pass."""

    score: Array
    violation: Array
    excluded: Array
    values: Mapping[str, Array]
    present: Mapping[str, Array]
    total_weight: Array


def language(need_langs: Array, expert_langs: Array) -> tuple[Array, Array]:
    """Share of the need's languages the expert speaks, and whether the need names any."""
    wanted = np.bitwise_count(need_langs).astype(np.float32)
    spoken = np.bitwise_count(np.bitwise_and(need_langs, expert_langs)).astype(np.float32)
    return np.where(wanted > 0, spoken / np.maximum(wanted, 1), 0.0), wanted > 0


def mode(need_mode: Array, expert_modes: Array, funding_need: Array) -> tuple[Array, Array, Array]:
    """Value (1 fits, 0.5 unknown, 0 no), presence, and whether the expert's modes rule the need out."""
    fits = (
        ((need_mode == 1) & ((expert_modes & REMOTE_FIT) != 0))
        | ((need_mode == 2) & ((expert_modes & ON_SITE_FIT) != 0))
        | (funding_need & ((expert_modes & FUNDING_FIT) != 0))
    )
    unknown = expert_modes == 0
    present = need_mode > 0
    value = np.where(fits, 1.0, np.where(unknown, 0.5, 0.0))
    return value, present, present & ~fits & ~unknown


def availability(hours: Array, full_hours: float) -> tuple[Array, Array]:
    """Value of the declared hours (0.5 when unknown) and whether the expert is excluded (0 h)."""
    known = ~np.isnan(hours)
    value = np.where(known, np.minimum(np.nan_to_num(hours) / full_hours, 1.0), 0.5)
    return value, known & (np.nan_to_num(hours, nan=1.0) <= 0)


def combine(
    values: Mapping[str, Array],
    present: Mapping[str, Array],
    violation: Array,
    excluded: Array,
    load: Array,
    settings: MatchingSettings,
    size: int,
) -> Scored:
    """Weighted mean of the present components, times the violation factor, minus the load penalty."""
    weights = settings.weights
    agreement = settings.semantic.agreement
    if agreement < 1.0 and np.any(present["embedding"]):
        # a concept matched on one word counts less when the texts' meanings are far apart
        factor = agreement + (1.0 - agreement) * np.asarray(values["embedding"], np.float32)
        values = {**values, **{name: values[name] * factor for name in AGREEING}}
    total = np.zeros(size, np.float32)
    acc = np.zeros(size, np.float32)
    topical_total = np.zeros(size, np.float32)
    topical_acc = np.zeros(size, np.float32)
    for name in COMPONENTS:
        w = float(getattr(weights, name))
        pres: Any = present[name]
        val = values[name]
        if np.size(pres) == 1:
            pres = float(np.ravel(pres)[0])
        if np.ndim(pres) == 0:  # the same for every row: one scalar test instead of array work
            if not bool(pres) or w == 0:
                continue
            w *= float(pres)
            part = np.multiply(val, w, dtype=np.float32)
            total += w
            acc += part
            if name in TOPICAL:
                topical_total += w
                topical_acc += part
            continue
        # Presence is a share of the weight: 1 or 0 mostly, less where a component is only partly known.
        weight = np.float32(w) * np.asarray(pres, np.float32)
        part = weight * val
        total += weight
        acc += part
        if name in TOPICAL:
            topical_total += weight
            topical_acc += part
    base = acc / np.maximum(total, 1e-9)
    c = settings.constraints
    max_open = max(settings.assignment.max_open_introductions, 1)
    violation = np.broadcast_to(violation, (size,))
    # Practical fit (language, mode, hours, origin) must not make a stranger to the subject relevant.
    relevance = topical_acc / np.maximum(topical_total, 1e-9)
    excluded = np.broadcast_to(excluded, (size,)) | (relevance < c.min_relevance)
    score = base * np.where(violation, np.float32(c.violation_factor), np.float32(1.0))
    if np.any(load):
        score -= c.load_penalty * np.minimum(np.broadcast_to(load, (size,)) / max_open, 1.0)
    return Scored(score.astype(np.float32, copy=False), violation, excluded, values, present, total)


def _at(value: Array, row: int) -> float:
    flat = np.ravel(value)
    return float(flat[0] if flat.size == 1 else flat[row])


def breakdown(scored: Scored, row: int, settings: MatchingSettings) -> dict[str, float]:
    """Each present component's share of the score of one row (the shares add up to the base score)."""
    total = float(scored.total_weight[row]) or 1.0
    parts = {
        name: round(
            float(getattr(settings.weights, name))
            * _at(scored.present[name], row)
            * _at(scored.values[name], row)
            / total,
            4,
        )
        for name in COMPONENTS
        if _at(scored.present[name], row)
    }
    if bool(scored.violation[row]):
        parts["constraint_factor"] = settings.constraints.violation_factor
    return parts


def order(scored: Scored, active: Array, k: int, min_score: float) -> list[int]:
    """Rows of the k best: fitting before violating, then by score; excluded and weak rows dropped."""
    key = np.where(scored.violation, scored.score - 10.0, scored.score)
    ok = active & ~scored.excluded & (scored.score >= min_score)
    key = np.where(ok, key, -np.inf)
    n = int(ok.sum())
    if n == 0:
        return []
    k = min(k, n)
    top = np.argpartition(-key, k - 1)[:k] if k < len(key) else np.arange(len(key))
    top = top[np.isfinite(key[top])]
    return [int(r) for r in top[np.lexsort((top, -key[top]))]]
