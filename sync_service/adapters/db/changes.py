"""The brokerage's change feed and lease (implements ports.changes.ChangeRepository); never commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_service.adapters.db.columns import rowcount
from sync_service.adapters.db.tables import BrokerageChange, BrokerageLease
from sync_service.services.ports.changes import Change


class SqlChangeRepository:
    """Rows of `brokerage_changes` and `brokerage_leases`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def note(self, *, need_topic_id: int | None = None, expert_user_id: int | None = None) -> None:
        """Record that this need and/or expert changed (in the caller's transaction)."""
        self.session.execute(insert(BrokerageChange).values(need_topic_id=need_topic_id,
                                                            expert_user_id=expert_user_id))

    def since(self, after: int, also: Collection[int] = ()) -> list[Change]:
        """The rows with an id above `after`, and those of `also`, by id."""
        c = BrokerageChange
        wanted = c.id > after if not also else or_(c.id > after, c.id.in_(list(also)))
        rows = self.session.execute(select(c.id, c.need_topic_id, c.expert_user_id).where(wanted)
                                    .order_by(c.id))
        return [Change(r.id, r.need_topic_id, r.expert_user_id) for r in rows]

    def last_id(self) -> int:
        """The highest id of the feed (0 when empty)."""
        return int(self.session.scalar(select(func.coalesce(func.max(BrokerageChange.id), 0))) or 0)

    def prune(self, upto: int) -> int:
        """Delete the rows with an id at most `upto`; how many."""
        return rowcount(self.session.execute(delete(BrokerageChange).where(BrokerageChange.id <= upto)))

    def lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease until `until`; False while another holder's lease runs."""
        lease = BrokerageLease
        taken = self.session.execute(update(lease).where(
            lease.name == name, or_(lease.holder == holder, lease.until < now))
            .values(holder=holder, until=until).execution_options(synchronize_session=False))
        if rowcount(taken):
            return True
        try:
            with self.session.begin_nested():  # a concurrent first taker wins; this unit goes on
                self.session.execute(insert(lease).values(name=name, holder=holder, until=until))
        except IntegrityError:
            return False
        return True
