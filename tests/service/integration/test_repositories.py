"""Repositories and the unit of work on SQLite and PostgreSQL; sync through them keeps no e-mail address."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, String, Text, select, text
from sqlalchemy.exc import OperationalError

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import Base, ExpertRecord, InboxDelivery
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork, uow_factory
from sync_service.bootstrap import Codev
from sync_service.config import DiscourseSettings, Settings
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.forget import tombstone_key
from sync_service.services.ports.forum import ForumGateway, PersonSnapshot
from sync_service.services.ports.storage import EntityRef
from sync_service.services.sync import apply_ref
from tests import paths
from tests.configured import configured, rules
from tests.conftest import ADMIN_API_KEY, start_sandbox
from tests.service.unit.fakes import FakeForum

ROOT = paths.ROOT
SEED = ROOT / "config/examples/communaute.yaml"
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PROFILE = ExpertProfile(
    user_id=42,
    username="lahcen.oubaha",
    display_name="Lahcen Oubaha",
    bio="Ingénieur hydraulicien.",
    skills=("Forages et hydrogéologie",),
    languages=("fr", "ber"),
    modes=("remote",),
    availability_hours=7.5,
    origin_province="Tiznit",
)
NEED = NeedDetails(
    topic_id=7,
    title="Eau potable à Anzi",
    author_user_id=12,
    author_username="rkia.ouali",
    commune_group="commune-anzi",
    commune_code="09.581.03.03",
    commune="Anzi",
    sector="drinking_water",
    skills=("AEP rurale", "SIG"),
    languages=("fr", "ar"),
    mode="any",
    post_version=2,
    topic_updated_at=T0,
)


LAHCEN = PersonSnapshot(42, "lahcen.oubaha", "Lahcen", None, {"consent": ("true",)}, ("experts",))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_committed_unit_is_durable_and_an_uncommitted_one_is_not(engine: Engine) -> None:
    make = uow_factory(engine)
    with make() as uow:
        uow.experts.save(PROFILE, at(1), at(1))
        uow.commit()
    with make() as uow:
        uow.needs.save(NEED, at(1), at(1))  # never committed

    with make() as uow:
        stored = uow.experts.get(42)
        assert stored is not None and stored.profile == PROFILE
        assert stored.fetched_at == at(1) and stored.fetched_at.tzinfo is not None
        assert uow.needs.get(7) is None


def test_rollback_drops_the_units_changes(engine: Engine) -> None:
    with uow_factory(engine)() as uow:
        uow.experts.save(PROFILE, at(1), at(1))
        uow.rollback()

        assert uow.experts.get(42) is None


def test_expert_queries(engine: Engine) -> None:
    with uow_factory(engine)() as uow:
        uow.experts.save(PROFILE, at(1), at(1))
        uow.experts.save(ExpertProfile(user_id=43, username="fatima", matchable=False), at(1), at(1))
        uow.experts.touch(42, at(5))

        assert uow.experts.ids() == [42, 43]
        assert [p.user_id for p in uow.experts.matchable()] == [42]
        found = uow.experts.by_username("lahcen.oubaha")
        assert found is not None and found.fetched_at == at(5)
        assert uow.experts.delete(43) is True
        assert uow.experts.delete(43) is False


def test_need_round_trip_and_queries(engine: Engine) -> None:
    with uow_factory(engine)() as uow:
        uow.needs.save(NEED, at(1), at(1))
        uow.needs.save(NeedDetails(topic_id=8, title="Fermé", author_user_id=12, author_username="x",
                                   status="closed"), at(1), at(1))
        uow.commit()
    with uow_factory(engine)() as uow:
        stored = uow.needs.get(7, lock=True)

        assert stored is not None and stored.details == NEED
        assert [n.topic_id for n in uow.needs.open_needs()] == [7]
        assert uow.needs.forget_author(12) == 2
        after = uow.needs.get(7)
        assert after is not None and after.details.author_username is None


def test_tombstones_are_written_refreshed_removed_and_pruned(engine: Engine) -> None:
    with uow_factory(engine)() as uow:
        uow.tombstones.add("a" * 64, at(1))
        uow.tombstones.add("a" * 64, at(3))
        uow.tombstones.add("b" * 64, at(2))

        assert uow.tombstones.created_at("a" * 64) == at(3)
        uow.tombstones.remove("b" * 64)
        assert uow.tombstones.created_at("b" * 64) is None
        assert uow.tombstones.prune(at(4)) == 1


def test_forgetting_a_person_blanks_inbox_hints_and_names(engine: Engine) -> None:
    with uow_factory(engine)() as uow:
        for key in ("lahcen.oubaha", "42", "99"):
            uow.session.add(InboxDelivery(
                event="user_updated", event_type="user", body_sha256=key.ljust(64, "0"), entity_kind="person",
                entity_key=key, hint={"username": key}, received_at=T0, available_at=T0,
            ))
        uow.session.flush()

        assert uow.inbox.forget_person(42, "lahcen.oubaha") == 2
        rows = uow.session.execute(select(InboxDelivery.entity_key, InboxDelivery.hint)
                                   .order_by(InboxDelivery.id)).all()
        assert [tuple(r) for r in rows] == [("42", {}), ("42", {}), ("99", {"username": "99"})]


def test_sync_through_the_sql_unit_of_work_creates_then_purges(engine: Engine) -> None:
    forum, rules = FakeForum(), _rules()
    forum.put_person(LAHCEN)
    make = uow_factory(engine)
    with make() as uow:
        assert apply_ref(uow, forum, rules, EntityRef("person", "42", "user_created"), at(1)) == "created"
        uow.commit()
    forum.delete_person(42)
    with make() as uow:
        assert apply_ref(uow, forum, rules, EntityRef("person", "42", "user_destroyed"), at(2)) == "purged"
        uow.commit()
    with make() as uow:  # a late event about them: the refetch, under their lock, finds nobody
        assert apply_ref(uow, forum, rules, EntityRef("person", "42", "user_updated"), at(3)) == "ignored"
        assert uow.experts.ids() == []
        assert uow.tombstones.created_at(tombstone_key("person", 42, rules.tombstone_pepper)) is not None


def test_sqlite_unit_holds_the_write_lock_from_its_first_statement(engine: Engine, database_url: str) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    with uow_factory(engine)() as uow:
        uow.experts.get(42)  # a read: the transaction is already IMMEDIATE
        other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # released when the unit ended
    other.execute("ROLLBACK")
    other.close()


@pytest.mark.parametrize("lock", ["row", "entity"])
def test_postgresql_locks_hold_other_workers_back(engine: Engine, lock: str) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row and advisory locks are PostgreSQL's (SQLite serialises writers)")
    make = uow_factory(engine)
    with make() as uow:
        uow.experts.save(PROFILE, at(1), at(1))
        uow.commit()
    outcome: list[str] = []

    def second_worker() -> None:
        with make() as other:
            other.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
            try:
                other.experts.get(42, lock=True) if lock == "row" else other.lock_entity("person", 42)
                outcome.append("got it")
            except OperationalError:
                outcome.append("waited")

    with make() as uow:
        uow.experts.get(42, lock=True) if lock == "row" else uow.lock_entity("person", 42)
        worker = threading.Thread(target=second_worker)
        worker.start()
        worker.join(5)

    assert outcome == ["waited"]


def test_exit_without_commit_on_error_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), uow_factory(engine)() as uow:
        uow.experts.save(PROFILE, at(1), at(1))
        raise RuntimeError("crash between effect and commit")
    with SqlUnitOfWork(engine) as uow:
        assert uow.experts.ids() == []


# --- no e-mail address reaches the database ----------------------------------------------------


def _rules() -> Any:
    return rules()


def _seed_forum() -> tuple[FakeForum, list[str]]:
    """The sample community's people as the gateway would give them, each with their e-mail typed in
    their bio and name (people do that), to prove nothing lets one through."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    by_field = {name: key for key, name in Settings().forum.user_fields.items()}
    forum, emails = FakeForum(), []
    for user_id, user in enumerate(seed["users"], start=100):
        fields = {by_field[k]: tuple(v) if isinstance(v, list) else (str(v),)
                  for k, v in (user.get("fields") or {}).items()}
        emails.append(user["email"])
        forum.put_person(PersonSnapshot(
            user_id=user_id, username=user["username"], name=f"{user['name']} <{user['email']}>",
            bio=f"{user.get('bio', '')} Contact : {user['email']}", profile=fields,
            groups=tuple(user.get("groups") or ()),
        ))
    return forum, emails


def _sandbox_forum() -> Iterator[tuple[ForumGateway, list[str]]]:
    sandbox = start_sandbox(seed=str(SEED))
    try:
        settings = Settings(discourse=DiscourseSettings(sandbox.base_url, ADMIN_API_KEY, "system"))
        seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
        gateway = Codev(configured(settings), requests_per_minute=0).gateway
        yield gateway, [u["email"] for u in seed["users"]]
    finally:
        sandbox.stop()


def _text_values(engine: Engine) -> list[str]:
    values: list[str] = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String | Text) or column.type.__class__.__name__ == "JSON":
                    for (value,) in conn.execute(select(column)):
                        if value is not None:
                            values.append(str(value))
    return values


def _sync_everything(engine: Engine, forum: ForumGateway) -> dict[str, int]:
    rules, counts = _rules(), {}
    refs = [EntityRef("person", str(p.user_id), "reconcile") for p in forum.people()]
    refs += [EntityRef("need", str(t), "reconcile") for t in forum.need_topic_ids()]
    for ref in refs:
        with uow_factory(engine)() as uow:
            outcome = apply_ref(uow, forum, rules, ref, datetime.now(UTC))
            uow.commit()
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def test_syncing_the_sample_community_stores_no_e_mail_address(engine: Engine) -> None:
    forum, emails = _seed_forum()

    counts = _sync_everything(engine, forum)

    values = _text_values(engine)
    assert counts["created"] == 29  # the consenting experts
    assert not [v for v in values if EMAIL.search(v)]
    assert not [e for e in emails if any(e in v for v in values)]
    with engine.connect() as conn:  # an expert who did not consent
        no_consent = select(ExpertRecord.username).where(ExpertRecord.username == "brahim.amellal")
        assert conn.execute(no_consent).all() == []


def test_syncing_the_sample_community_from_the_sandbox_stores_no_e_mail_address(engine: Engine) -> None:
    for forum, emails in _sandbox_forum():
        counts = _sync_everything(engine, forum)

        values = _text_values(engine)
        assert counts.get("created", 0) >= 25
        assert not [v for v in values if EMAIL.search(v)]
        assert not [e for e in emails if any(e in v for v in values)]
