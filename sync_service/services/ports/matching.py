"""What the brokerage needs from the matching engine (services.ranking implements it)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sync_service.domain.matching.assignment import FlowSolver as FlowSolver  # the plan's solver
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile


@dataclass(frozen=True)
class Ranked:
    """One candidate for a need, with its reasons in the need's language."""

    user_id: int
    username: str
    name: str | None
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    """A candidate who breaks no rule, without reasons: what the assignment across needs weighs."""

    user_id: int
    score: float


class Ranker(Protocol):
    """Matching as the brokerage uses it; keeps its index between passes."""

    def refresh(self, experts: Sequence[ExpertProfile], needs: Sequence[NeedDetails],
                loads: Mapping[int, int]) -> None:
        """Bring the index in line with these experts and open needs (only changes are re-indexed)."""
        ...

    def update(self, experts: Sequence[ExpertProfile], needs: Sequence[NeedDetails],
               gone_experts: Collection[int], gone_needs: Collection[int],
               loads: Mapping[int, int]) -> set[int]:
        """Re-index only these experts and needs (and drop the gone ones), keeping every other need's
        ranking; the indexed needs whose ranking may have moved (those changed, those whose ranking held
        a changed or gone expert, those a changed expert would now enter)."""
        ...

    def rank(self, need_topic_id: int, k: int, exclude: set[int], locale: str) -> list[Ranked]:
        """The k best experts for the need, leaving out `exclude`."""
        ...

    def shortlists(self, excluded: Mapping[int, set[int]], k: int) -> dict[int, list[Scored]]:
        """For each need (-> the experts to leave out), its k best experts who break no rule, best first,
        in the order `rank` gives them until the next refresh."""
        ...

    def reasons(self, need_topic_id: int, user_id: int, locale: str) -> tuple[str, ...]:
        """Why this expert fits this need (empty when the pair is not indexed or scores below the floor)."""
        ...
