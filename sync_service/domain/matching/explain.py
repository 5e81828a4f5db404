"""Why a ranked pair matches: the reasons of one candidate, from the engine's indexed features."""

from __future__ import annotations

from sync_service.domain.i18n import Translator
from sync_service.domain.matching.engine import Candidate, MatchingEngine
from sync_service.domain.matching.reasons import reasons
from sync_service.domain.matching.records import RecordId


def explain(
    engine: MatchingEngine,
    need_id: RecordId,
    candidate: Candidate,
    translator: Translator,
    locale: str | None = None,
) -> list[str]:
    """The reasons of one ranked pair, in the locale (the configured default when None)."""
    need = engine.needs.features[engine.needs.row_of[need_id]]
    expert = engine.experts.features[engine.experts.row_of[candidate.id]]
    assert need is not None and expert is not None
    return reasons(
        need,
        expert,
        engine.taxonomy,
        candidate.breakdown,
        translator,
        locale or engine.settings.default_locale,
    )
