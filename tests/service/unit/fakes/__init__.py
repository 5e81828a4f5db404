"""In-memory fakes of every port in sync_service/services/ports, for the unit tests of the use cases:
the forum (FakeForum reads, FakeWriter writes, FakeAdmin provisions), the storage (FakeUnitOfWork over
a FakeStore) and matching (FakeRanker, ExactFlowSolver). tests/service/unit/test_fakes.py checks them
against the SQL repositories' behaviour; `_the_fakes_implement_the_ports` is for mypy (never called)."""

from __future__ import annotations

from sync_service.services.ports.campaigns import InviteReader
from sync_service.services.ports.forum import ForumAdmin, ForumGateway, ForumWriter, ThreadReader
from sync_service.services.ports.matching import FlowSolver, Ranker
from sync_service.services.ports.storage import UnitOfWork
from tests.service.unit.fakes.campaigns import FakeInvites
from tests.service.unit.fakes.forum import FakeForum, FakePost, FakeThread
from tests.service.unit.fakes.ranker import FakeRanker, ranked
from tests.service.unit.fakes.records import FakeStore, InboxRecord, OutboxRecord
from tests.service.unit.fakes.solver import ExactFlowSolver
from tests.service.unit.fakes.unit_of_work import ConcurrentWrite, FakeUnitOfWork
from tests.service.unit.fakes.writer import FakeAdmin, FakeWriter, Sent

__all__ = [
    "ConcurrentWrite", "ExactFlowSolver", "FakeAdmin", "FakeForum", "FakeInvites", "FakePost", "FakeRanker",
    "FakeStore", "FakeThread", "FakeUnitOfWork", "FakeWriter", "InboxRecord", "OutboxRecord", "Sent",
    "ranked",
]


def _the_fakes_implement_the_ports() -> None:
    forum = FakeForum()
    gateway: ForumGateway = forum
    reader: ThreadReader = forum
    writer: ForumWriter = FakeWriter(forum)
    admin: ForumAdmin = FakeAdmin()
    ranker: Ranker = FakeRanker()
    uow: UnitOfWork = FakeUnitOfWork()
    invites: InviteReader = FakeInvites()
    solver: FlowSolver = ExactFlowSolver()
    del invites, gateway, reader, writer, admin, ranker, uow, solver
