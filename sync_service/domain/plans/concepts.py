"""What the taxonomy recognises in a plan row: its sector, the kind of help and the skills, each with a
confidence (the weight of where it was found: the sector column counts fully, the title less, notes less)."""

from __future__ import annotations

from dataclasses import dataclass

from sync_service.domain.matching.features import need_features
from sync_service.domain.matching.records import Need
from sync_service.domain.matching.settings import Recognition
from sync_service.domain.matching.taxonomy import Recognizer

MAX_SKILLS = 5
OFF_PLAN = "none"  # the taxonomy's sector of trap skills (sport, perfumery): never proposed for a need


@dataclass(frozen=True)
class Scored:
    """A taxonomy id and how sure the recognition is, in [0, 1]."""

    id: str
    confidence: float


@dataclass(frozen=True)
class Concepts:
    """The need a row would create, as the taxonomy reads it."""

    sector: Scored | None = None
    kind: Scored | None = None
    skills: tuple[Scored, ...] = ()

    def as_json(self) -> list[object]:
        """The ids and confidences, in a stable order (for fingerprints)."""
        out: list[object] = [[s.id, s.confidence] if s else None for s in (self.sector, self.kind)]
        return out + [[s.id, s.confidence] for s in self.skills]


def recognize(recognizer: Recognizer, rec: Recognition, title: str, sector_text: str | None,
              body: str) -> Concepts:
    """Sector, kind and skills of a row from its title, its sector (column or section) and its notes."""
    taxonomy = recognizer.taxonomy
    features = need_features(Need(id=0, title=title, body=body or None, sector=sector_text),
                             recognizer, rec)
    order = {sector_id: i for i, sector_id in enumerate(taxonomy.sectors)}
    # "Axe 1 : Eau potable et assainissement" names two sectors: the title says which one this row is.
    in_title = need_features(Need(id=0, title=title), recognizer, rec).sectors
    sectors = [(w, in_title.get(k, 0.0), -order.get(k, 0), k) for k, w in features.sectors.items()
               if k != OFF_PLAN]
    sector = max(sectors, default=None)
    kinds: dict[str, float] = {}
    for texts, weight in (([sector_text or ""], rec.field_weight), ([title], rec.title_weight),
                          ([body], rec.text_weight)):
        for kind_id in recognizer.find(texts, weight).kinds:
            if kind_id != "other":
                kinds[kind_id] = max(kinds.get(kind_id, 0.0), weight)
    kind = max(((w, k) for k, w in kinds.items()), default=None)
    skills = sorted(((w, k) for k, w in features.skills.items()
                     if taxonomy.skills[k].sectors != (OFF_PLAN,)), key=lambda p: (-p[0], p[1]))
    return Concepts(
        sector=Scored(sector[3], round(sector[0], 2)) if sector else None,
        kind=Scored(kind[1], round(kind[0], 2)) if kind else None,
        skills=tuple(Scored(k, round(w, 2)) for w, k in skills[:MAX_SKILLS]),
    )
