"""Column store for one side (experts or needs): attributes as arrays, concepts and terms as postings.

Upserting or removing one record touches only that record's row and postings, so ranking after a change
never rebuilds the whole index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from sync_service.domain.matching.features import Features
from sync_service.domain.matching.records import RecordId

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
MODE_BITS = {"remote": 1, "on_site": 2, "mentoring": 4, "funding_network": 8}
NEED_MODE_CODES = {"remote": 1, "on_site": 2}


class Postings:
    """concept or term -> {row: weight}; the arrays of a key, once built, are patched in place on change
    (a C-speed append or mask instead of rebuilding from the dict: common terms hold many rows)."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[int, float]] = {}
        self._cache: dict[str, tuple[IntArray, FloatArray]] = {}

    def add(self, row: int, weights: Mapping[str, float]) -> None:
        """Record the row under each key."""
        for key, weight in weights.items():
            bucket = self._rows.setdefault(key, {})
            known = row in bucket
            bucket[row] = weight
            cached = self._cache.get(key)
            if cached is None:
                continue
            if known:
                self._cache.pop(key)
            else:
                self._cache[key] = (
                    np.append(cached[0], np.int64(row)),
                    np.append(cached[1], np.float32(weight)),
                )

    def remove(self, row: int, keys: Mapping[str, float]) -> None:
        """Forget the row under each key."""
        for key in keys:
            bucket = self._rows.get(key)
            if bucket is not None:
                bucket.pop(row, None)
                if not bucket:
                    del self._rows[key]
            cached = self._cache.get(key)
            if cached is not None:
                keep = cached[0] != row
                self._cache[key] = (cached[0][keep], cached[1][keep])

    def get(self, key: str) -> tuple[IntArray, FloatArray]:
        """Rows and weights under a key (empty arrays when none)."""
        cached = self._cache.get(key)
        if cached is None:
            bucket = self._rows.get(key, {})
            cached = (
                np.fromiter(bucket.keys(), np.int64, len(bucket)),
                np.fromiter(bucket.values(), np.float32, len(bucket)),
            )
            self._cache[key] = cached
        return cached

    def count(self, key: str) -> int:
        """How many rows hold the key."""
        return len(self._rows.get(key, ()))


class SideStore:
    """All records of one side, one row each; rows of removed records are reused."""

    def __init__(self, registry: Mapping[str, dict[str, int]], dim: int | None) -> None:
        self.registry = registry  # shared codes: "language", "kind", "province" -> value -> code
        self.ids: list[RecordId | None] = []
        self.features: list[Features | None] = []
        self.row_of: dict[RecordId, int] = {}
        self._free: list[int] = []
        self.skills, self.sectors, self.terms = Postings(), Postings(), Postings()
        self.dim = dim
        self._allocate(64)
        self.total_length = 0.0
        self.version = 0  # bumped on every change; caches of derived arrays compare it

    def _allocate(self, capacity: int) -> None:
        old = getattr(self, "active", None)

        def grow(name: str, fill: float, dtype: type, shape: tuple[int, ...] = ()) -> Array:
            new: Array = np.full((capacity, *shape), fill, dtype=dtype)
            if old is not None:
                previous: Array = getattr(self, name)
                new[: len(previous)] = previous
            return new

        self.hours: Array = grow("hours", np.nan, np.float32)
        self.modes: Array = grow("modes", 0, np.int64)
        self.languages: Array = grow("languages", 0, np.int64)
        self.kinds: Array = grow("kinds", 0, np.int64)
        self.province: Array = grow("province", -1, np.int64)
        self.load: Array = grow("load", 0, np.float32)
        self.length: Array = grow("length", 0, np.float32)
        self.skill_weight: Array = grow("skill_weight", 0, np.float32)
        self.skill_max: Array = grow("skill_max", 0, np.float32)
        self.sector_weight: Array = grow("sector_weight", 0, np.float32)
        if self.dim is not None:
            self.vectors: Array = grow("vectors", 0, np.float32, (self.dim,))
        self.active: Array = grow("active", 0, np.bool_)

    @property
    def size(self) -> int:
        """Rows in use or free (the length of the meaningful part of every array)."""
        return len(self.ids)

    @property
    def count(self) -> int:
        """Records held."""
        return len(self.row_of)

    def code(self, table: str, value: str) -> int:
        """Shared small-integer code of a value (languages and kinds become bits)."""
        codes = self.registry[table]
        return codes.setdefault(value, len(codes))

    def bits(self, table: str, values: frozenset[str]) -> int:
        """Bit mask of the values' codes."""
        mask = 0
        for value in values:
            mask |= 1 << self.code(table, value)
        return mask

    def upsert(
        self, record_id: RecordId, feats: Features, vector: FloatArray | None, need_side: bool = False
    ) -> int:
        """Insert or replace one record; returns its row."""
        if record_id in self.row_of:
            self.remove(record_id)
        row = self._free.pop() if self._free else self.size
        if row == self.size:
            if row >= len(self.active):
                self._allocate(2 * len(self.active))
            self.ids.append(None)
            self.features.append(None)
        self.ids[row], self.features[row], self.row_of[record_id] = record_id, feats, row
        self.active[row] = True
        self.hours[row] = np.nan if feats.hours is None else feats.hours
        if need_side:
            self.modes[row] = next((NEED_MODE_CODES[m] for m in feats.modes if m in NEED_MODE_CODES), 0)
        else:
            self.modes[row] = sum(MODE_BITS.get(m, 0) for m in feats.modes)
        self.languages[row] = self.bits("language", feats.languages)
        self.kinds[row] = self.bits("kind", feats.kinds)
        self.province[row] = -1 if feats.province is None else self.code("province", feats.province)
        self.load[row] = feats.load
        self.skill_weight[row] = sum(feats.skills.values())
        self.skill_max[row] = max(feats.skills.values(), default=0.0)
        self.sector_weight[row] = max(feats.sectors.values(), default=0.0)
        self.skills.add(row, feats.skills)
        self.sectors.add(row, feats.sectors)
        tf = _term_counts(feats.terms)
        self.terms.add(row, tf)
        self.length[row] = len(feats.terms)
        self.total_length += len(feats.terms)
        self.version += 1
        if self.dim is not None and vector is not None:
            self.vectors[row] = vector
        return row

    def remove(self, record_id: RecordId) -> None:
        """Forget one record (no-op when unknown)."""
        row = self.row_of.pop(record_id, None)
        if row is None:
            return
        feats = self.features[row]
        assert feats is not None
        self.skills.remove(row, feats.skills)
        self.sectors.remove(row, feats.sectors)
        self.terms.remove(row, _term_counts(feats.terms))
        self.total_length -= len(feats.terms)
        self.version += 1
        self.ids[row], self.features[row] = None, None
        self.active[row] = False
        if self.dim is not None:
            self.vectors[row] = 0.0
        self._free.append(row)


def _term_counts(terms: tuple[str, ...]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for term in terms:
        counts[term] = counts.get(term, 0.0) + 1.0
    return counts
