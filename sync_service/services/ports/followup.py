"""What the follow-up needs from storage: the people asked about a need's outcome and their answers,
and each need's "retour d'expérience". Part of the unit of work (ports.storage.UnitOfWork.followups)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sync_service.domain.followup import Experience, Followup


class FollowupRepository(Protocol):
    """Follow-ups by (need, person) and experiences by need. Recording a person's first answers and
    deciding a publication each append a row to the status history (kind "experience"), in the same
    transaction, so that the report counts them even once the person is forgotten."""

    def due_needs(self, served_since: datetime, served_before: datetime) -> list[int]:
        """Needs served or funded now, that first became so in [served_since, served_before), and
        whose people were never asked."""
        ...

    def get(self, need_topic_id: int, user_id: int, *, lock: bool = False) -> Followup | None:
        """One follow-up (pm_topic_id filled from the outbox once its message was sent)."""
        ...

    def of_need(self, need_topic_id: int) -> list[Followup]:
        """The people asked about one need, first asked first."""
        ...

    def add(self, followup: Followup) -> bool:
        """Insert; False when this person was already asked about this need."""
        ...

    def save(self, followup: Followup, now: datetime) -> None:
        """Update answers, consent and last_post_number (history row on the first answers)."""
        ...

    def by_pm_topic(self, topic_id: int) -> Followup | None:
        """The follow-up whose message is this topic (through the sent outbox row of its intent)."""
        ...

    def listening(self, asked_since: datetime) -> list[Followup]:
        """Follow-ups asked since then whose need's experience is not published (the sweep reads them)."""
        ...

    def experience(self, need_topic_id: int, *, lock: bool = False) -> Experience | None:
        """The need's experience (topic_id filled from the outbox once published)."""
        ...

    def experiences(self) -> list[Experience]:
        """Every experience, most recently asked first."""
        ...

    def add_experience(self, experience: Experience) -> bool:
        """Insert; False when the need has one."""
        ...

    def published(self, need_topic_id: int, now: datetime) -> bool:
        """Note the publication decided now (history row); False if it was already decided."""
        ...

    def forget_person(self, user_id: int) -> int:
        """Delete that person's follow-ups (their answers with them), and call off a publication of their
        needs not yet sent (outbox row and history row deleted, published_at cleared); how many rows."""
        ...

    def forget_need(self, need_topic_id: int) -> int:
        """Delete the need's follow-ups and experience; how many rows."""
        ...
