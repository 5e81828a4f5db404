"""Spelling-tolerant word matching on accent-folded words.

"irigation" finds "irrigation", "dours" finds "douars", "achier" finds "cahier": two words are near when
their edit distance (insertions, deletions, substitutions, swaps of neighbours) is small beside their
length; similarity = 1 - distance / longer length. Candidates come from shared character trigrams, so a
lookup reads only the words that could be near. The first letter must be kept (or swapped with the
second): typos rarely touch it, and "gestion" is not "digestion".
"""

from __future__ import annotations

from collections.abc import Iterable


def trigrams(word: str) -> frozenset[str]:
    """Character trigrams of a word with boundary marks: "eau" -> {"#ea", "eau", "au#"}."""
    padded = f"#{word}#"
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def distance(a: str, b: str) -> int:
    """Edit distance with swaps of neighbouring letters (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def similarity(a: str, b: str) -> float:
    """1 - edit distance / length of the longer word (1.0 for the same word, 0.0 for nothing alike)."""
    if a == b:
        return 1.0
    if not a or not b or (a[0] != b[0] and a[:2] != b[1::-1]):
        return 0.0
    return 1.0 - distance(a, b) / max(len(a), len(b))


class NearWords:
    """A growing vocabulary that answers "which known words are spelt almost like this one?"."""

    def __init__(self, min_similarity: float, min_length: int) -> None:
        self.min_similarity, self.min_length = min_similarity, min_length
        self._words: set[str] = set()
        self._by_gram: dict[str, set[str]] = {}
        self._near: dict[str, tuple[tuple[str, float], ...]] = {}

    def add(self, words: Iterable[str]) -> None:
        """Learn new words (answers cached for other words are dropped when a new one could change them)."""
        new = [w for w in set(words) if w not in self._words and len(w) >= self.min_length]
        if not new:
            return
        for word in new:
            self._words.add(word)
            for gram in trigrams(word):
                self._by_gram.setdefault(gram, set()).add(word)
        self._near.clear()

    def near(self, word: str) -> tuple[tuple[str, float], ...]:
        """Known words other than this one, spelt nearly alike, with their similarity (best first)."""
        found = self._near.get(word)
        if found is None:
            found = self._near[word] = self._search(word)
        return found

    def _search(self, word: str) -> tuple[tuple[str, float], ...]:
        if len(word) < self.min_length:
            return ()
        grams = trigrams(word)
        shared: dict[str, int] = {}
        for gram in grams:
            for other in self._by_gram.get(gram, ()):
                shared[other] = shared.get(other, 0) + 1
        out = []
        for other, count in shared.items():
            longer = max(len(word), len(other))
            edits = int((1.0 - self.min_similarity) * longer + 1e-9)
            # Each edit breaks at most three trigrams: words sharing fewer cannot be near enough.
            if other == word or abs(len(other) - len(word)) > edits or count < longer - 3 * edits:
                continue
            score = similarity(word, other)
            if score >= self.min_similarity:
                out.append((other, round(score, 4)))
        return tuple(sorted(out, key=lambda p: (-p[1], p[0])))
