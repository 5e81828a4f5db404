"""The real import with the fakes: one record and one intent per kept row, exactly once; a changed row
edits its draft until the need is confirmed; a confirmed need is read as one posted from the form."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from sync_service.adapters.discourse.forms import read_form
from sync_service.adapters.plans import read_rows
from sync_service.bootstrap import brokerage_rules
from sync_service.domain.plans.drafts import DraftStyle, draft_of
from sync_service.domain.plans.rows import PlanReading, read_plan
from sync_service.services.answers import read_thread
from sync_service.services.outbox import send_due
from sync_service.services.plans import import_plan, known_fingerprints
from sync_service.services.ports.forum import NeedSnapshot, PersonSnapshot
from sync_service.services.ports.storage import EntityRef
from sync_service.services.sync import apply_ref
from tests import paths
from tests.configured import packaged, rules
from tests.service.unit.fakes import FakeForum, FakeRanker, FakeStore, FakeUnitOfWork, FakeWriter

PLANS = paths.ROOT / "tests" / "data" / "plans"
ORG = "commune-anzi"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CATEGORY = 5


@pytest.fixture
def read(recognizer, recognition):
    def read(store: FakeStore, rows=None) -> PlanReading:
        with FakeUnitOfWork(store) as uow:
            previous = known_fingerprints(uow, ORG)
        return read_plan(rows or read_rows(PLANS / "anzi_pcd_kdh.csv"), ORG, recognizer, recognition,
                         previous=previous)
    return read


@pytest.fixture
def style(taxonomy, translator) -> DraftStyle:
    headings = {f: labels[0] for f, labels in packaged().settings.forum.need_form_fields.items()}
    return DraftStyle(headings, taxonomy, translator, "fr", "Anzi")


def run_import(store: FakeStore, reading: PlanReading, style: DraftStyle, now: datetime = T0):
    with FakeUnitOfWork(store) as uow:
        result = import_plan(uow, reading, ORG, CATEGORY, lambda p: draft_of(p, style), now)
        uow.commit()
    return result


def test_a_first_import_records_each_kept_row_and_queues_one_unlisted_draft(read, style):
    store = FakeStore()
    reading = read(store)
    kept = [p for p in reading.proposals if p.status != "skipped"]

    result = run_import(store, reading, style)

    assert len(result.decisions.create) == len(kept) == result.intents_added > 0
    assert sorted(store.plans) == sorted(p.key for p in kept)
    created = store.intents("create_topic")
    assert [r.key for r in created] == [f"plan:{p.key}" for p in kept]
    assert all(r.payload["visible"] is False and r.payload["category"] == CATEGORY for r in created)
    assert all(r.payload["title"].endswith("(Anzi)") for r in created)


def test_importing_the_same_file_again_creates_nothing_and_the_dry_run_says_unchanged(read, style):
    store = FakeStore()
    run_import(store, read(store), style)
    outbox_before = len(store.outbox)

    again = read(store)
    result = run_import(store, again, style, T0 + timedelta(hours=1))

    assert result.intents_added == 0 and len(store.outbox) == outbox_before
    assert {p.status for p in again.proposals} <= {"unchanged", "skipped"}


def test_a_draft_reads_back_as_the_need_form(read, style, taxonomy):
    reading = read(FakeStore())
    first = next(p for p in reading.proposals if p.status == "new" and p.concepts.sector)

    draft = draft_of(first, style)

    form = read_form(draft.raw, packaged().settings.forum.need_form_fields).fields
    label = taxonomy.label("sector", first.concepts.sector.id, "fr")
    assert form["secteur"] == (label[:1].upper() + label[1:],)
    assert "Importé du plan de Anzi" in "\n".join(form["description"])


def changed(reading: PlanReading, row: int) -> PlanReading:
    """The same plan where one row's content (not its title or n°) changed."""
    proposals = tuple(dataclasses.replace(p, cost_mad=(p.cost_mad or 0) + 1000, fingerprint="changed")
                      if p.row == row else p for p in reading.proposals)
    return dataclasses.replace(reading, proposals=proposals)


def test_a_changed_row_edits_its_draft_once_and_a_gone_row_is_only_reported(read, style):
    store = FakeStore()
    reading = read(store)
    run_import(store, reading, style)
    kept = [p for p in reading.proposals if p.status != "skipped"]
    target, dropped = kept[0], kept[-1]
    second = changed(read(store), target.row)
    second = dataclasses.replace(second, proposals=tuple(p for p in second.proposals if p.row != dropped.row))

    result = run_import(store, second, style)
    again = run_import(store, second, style)

    edit = store.intent(f"plan:{target.key}:r1")
    assert edit is not None and edit.kind == "edit_post" and edit.depends_on == f"plan:{target.key}"
    assert [p.row for p, _ in result.decisions.edit] == [target.row]
    assert [k.key for k in result.decisions.gone] == [dropped.key]
    assert store.plans[dropped.key].fingerprint == dropped.fingerprint  # nothing deleted
    assert again.intents_added == 0 and again.decisions.edit == ()


def draft_topic(store: FakeStore, forum: FakeForum, key: str, visible: bool) -> NeedSnapshot:
    """The draft's topic as the forum shows it: posted by codev's account, unlisted until listed."""
    sent = store.sent(f"plan:{key}")
    assert sent is not None and sent.topic_id is not None
    thread = forum.threads[sent.topic_id]
    headings = packaged().settings.forum.need_form_fields
    snapshot = NeedSnapshot(sent.topic_id, thread.title, -1, "system", ("admins", "staff"), "besoins", (),
                            False, False, read_form(thread.first.raw, headings).fields, thread.first.raw,
                            1, T0, T0, visible=visible)
    forum.topics[sent.topic_id] = snapshot
    return snapshot


def test_a_draft_is_no_need_until_listed_then_it_is_the_communes_and_no_longer_rewritten(read, style):
    store, forum = FakeStore(), FakeForum()
    reading = read(store)
    run_import(store, reading, style)
    send_due(lambda: FakeUnitOfWork(store), FakeWriter(forum), "w1", lambda: T0)
    target = next(p for p in reading.proposals if p.status == "new")
    topic = draft_topic(store, forum, target.key, visible=False)
    ref = EntityRef("need", str(topic.topic_id), "topic_created")

    with FakeUnitOfWork(store) as uow:
        unlisted = apply_ref(uow, forum, rules(), ref, T0)
        uow.commit()
    draft_topic(store, forum, target.key, visible=True)  # a community manager lists it
    with FakeUnitOfWork(store) as uow:
        listed = apply_ref(uow, forum, rules(), dataclasses.replace(ref, event="topic_edited"), T0)
        uow.commit()
    result = run_import(store, changed(read(store), target.row), style)

    assert unlisted == "ignored" and listed == "created"
    need = store.needs[topic.topic_id].details
    assert (need.commune_group, need.organisation, need.author_username) == (ORG, ORG, ORG)
    assert need.commune == "Anzi" and need.province == "Tiznit"
    assert store.plans[target.key].confirmed_at == T0
    assert [p.row for p in result.decisions.kept] == [target.row] and result.decisions.edit == ()
    assert store.intent(f"plan:{target.key}:r1") is None


def test_a_commune_member_confirms_a_draft_by_a_reply_and_an_expert_cannot(read, style):
    store, forum = FakeStore(), FakeForum()
    writer = FakeWriter(forum)
    forum.put_person(PersonSnapshot(30, "expert.x", None, None, {}, ("experts",)))
    forum.put_person(PersonSnapshot(31, "elu.anzi", None, None, {}, (ORG,)))
    reading = read(store)
    run_import(store, reading, style)
    send_due(lambda: FakeUnitOfWork(store), writer, "w1", lambda: T0)
    target = next(p for p in reading.proposals if p.status == "new")
    topic = draft_topic(store, forum, target.key, visible=False)
    rules_ = brokerage_rules(packaged())

    def reply(username: str) -> str:
        forum.post(topic.topic_id, username, "Je confirme ce besoin, merci.")
        with FakeUnitOfWork(store) as uow:
            outcome = read_thread(uow, forum, FakeRanker(), rules_, topic.topic_id, T0)
            uow.commit()
        return outcome

    by_expert = reply("expert.x")
    assert by_expert == "ignored" and store.intent(f"plan:{target.key}:list") is None
    assert reply("elu.anzi") == "confirmed" and reply("elu.anzi") == "ignored"  # queued once
    send_due(lambda: FakeUnitOfWork(store), writer, "w1", lambda: T0)
    with FakeUnitOfWork(store) as uow:
        outcome = apply_ref(uow, forum, rules(), EntityRef("need", str(topic.topic_id), "topic_edited"), T0)
        uow.commit()

    assert writer.keys("list_topic") == [f"plan:{target.key}:list"]
    assert forum.topics[topic.topic_id].visible and outcome == "created"
    assert store.needs[topic.topic_id].details.commune_group == ORG
