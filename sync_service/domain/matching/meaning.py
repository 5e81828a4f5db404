"""Concepts recognised by meaning: a text whose vector lies close to a skill's labels (fr, ar, en) holds
that skill, weighted by how close. This reaches profiles and needs the taxonomy cannot read word for word
(Dutch, Spanish, German, Darija, jargon it lacks); the embedder is the one the engine is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from sync_service.domain.matching.features import Features, with_implied_sectors
from sync_service.domain.matching.settings import Recognition, Semantic
from sync_service.domain.matching.taxonomy import Found, Recognizer


class ConceptsByMeaning:
    """The skills' label vectors (encoded once, on first use) and the skills each text is close to."""

    def __init__(self, recognizer: Recognizer, semantic: Semantic, recognition: Recognition) -> None:
        self.recognizer, self.semantic, self.recognition = recognizer, semantic, recognition
        self._ids: list[str] = []
        self._vectors: Any = None
        self._starts: Any = None

    def _labels(self, embedder: Any) -> tuple[list[str], Any, Any]:
        """Skill ids, their label vectors (rows grouped by skill) and where each skill's rows start."""
        if self._vectors is None:
            texts: list[str] = []
            starts: list[int] = []
            for skill in self.recognizer.taxonomy.skills.values():
                labels = list(dict.fromkeys(skill.labels.values()))
                if labels:
                    self._ids.append(skill.id)
                    starts.append(len(texts))
                    texts.extend(labels)
            self._starts = np.asarray(starts, np.int64)
            self._vectors = embedder.encode(texts) if texts else np.zeros((0, embedder.dim), np.float32)
        return self._ids, self._vectors, self._starts

    def add(self, feats: Sequence[Features], vectors: Any, embedder: Any) -> list[Features]:
        """The features with the skills their texts mean (weight concept_weight x mapped cosine) merged in;
        a skill found only this way is listed in `inferred`."""
        s = self.semantic
        if not s.concept_weight or vectors is None or not len(feats):
            return list(feats)
        ids, labels, starts = self._labels(embedder)
        if not ids:
            return list(feats)
        cosines = np.maximum.reduceat(np.asarray(vectors @ labels.T), starts, axis=1)  # best label per skill
        mapped = np.clip((cosines - s.concept_floor) / (s.concept_ceiling - s.concept_floor), 0.0, 1.0)
        out = []
        skills_table = self.recognizer.taxonomy.skills
        for f, row in zip(feats, mapped, strict=True):
            # As for bio words: a water-polo coach's text is near water, and counts little for it.
            off_plan = bool(f.skills) and all(skills_table[k].sectors == ("none",) for k in f.skills)
            weight = s.concept_weight * (self.recognition.trap_profile_share if off_plan else 1.0)
            meant = {ids[i]: float(weight * row[i]) for i in np.flatnonzero(row)} if f.text else {}
            new = {k: w for k, w in meant.items() if w > f.skills.get(k, 0.0)}
            if not new:
                out.append(f)
                continue
            skills = {**f.skills, **new}
            found = Found(skills=new, sectors=f.sectors)
            sectors = with_implied_sectors(found, self.recognizer, self.recognition)
            inferred = frozenset(k for k in new if k not in f.skills)
            out.append(replace(f, skills=skills, sectors=sectors, inferred=f.inferred | inferred))
        return out
