"""The review message of a real import, with the fakes: one private message to the organisation's group
and the community managers, once per import content, in the organisation's language, each draft linked
to its topic once the outbox knows it, user text quoted inert."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from sync_service.adapters.plans import read_rows
from sync_service.domain.plans.drafts import DraftStyle, draft_of
from sync_service.domain.plans.review import ReviewStyle, review_locale
from sync_service.domain.plans.rows import PlanReading, read_plan
from sync_service.domain.posts import marker
from sync_service.services.outbox import SendPolicy, send_due
from sync_service.services.plans import import_plan, known_fingerprints
from sync_service.services.ports.forum import UnclearOutcome
from tests import paths
from tests.configured import packaged
from tests.service.unit.fakes import FakeForum, FakeStore, FakeUnitOfWork, FakeWriter

PLANS = paths.ROOT / "tests" / "data" / "plans"
ORG = "commune-anzi"
MANAGERS = "animateurs"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CATEGORY = 5


@pytest.fixture
def read(recognizer, recognition):
    def read(store: FakeStore, plan: str = "anzi_pcd_kdh.csv", organisation: str = ORG) -> PlanReading:
        with FakeUnitOfWork(store) as uow:
            previous = known_fingerprints(uow, organisation)
        return read_plan(read_rows(PLANS / plan), organisation, recognizer, recognition, previous=previous)
    return read


@pytest.fixture
def run(taxonomy, translator):
    headings = {f: labels[0] for f, labels in packaged().settings.forum.need_form_fields.items()}

    def run(store: FakeStore, reading: PlanReading, organisation: str = ORG, label: str = "Anzi",
            now: datetime = T0):
        style = DraftStyle(headings, taxonomy, translator, "fr", label)
        locale = review_locale([p.title for p in reading.proposals], "fr")
        review = ReviewStyle(translator, locale, label, (organisation, MANAGERS))
        with FakeUnitOfWork(store) as uow:
            result = import_plan(uow, reading, organisation, CATEGORY, lambda p: draft_of(p, style), now,
                                 review)
            uow.commit()
        return result
    return run


def send(store: FakeStore, writer: FakeWriter, now: datetime = T0) -> None:
    policy = SendPolicy(settle_seconds=0.0, backoff_seconds=0.0)
    send_due(lambda: FakeUnitOfWork(store), writer, "w1", lambda: now, policy)


def reviews(store: FakeStore):
    return [r for r in store.intents("private_message") if r.key.startswith("plan-review:")]


def test_a_first_import_queues_one_message_to_the_organisation_and_the_managers(read, run):
    store = FakeStore()
    reading = read(store)
    kept = [p for p in reading.proposals if p.status != "skipped"]

    result = run(store, reading)

    assert result.review_queued and result.intents_added == len(kept) + 1
    [message] = reviews(store)
    assert message.payload["target_recipients"] == [ORG, MANAGERS]
    assert message.payload["title"].startswith("Plan de Anzi : ")
    raw = message.payload["raw"]
    assert all(f"(ligne {p.row} du plan, nouveau)" in raw for p in kept)
    assert "le type d'aide" in raw and "les langues de travail" in raw and "le mode (sur place" in raw
    assert "` je confirme ce besoin `" in raw


def test_each_draft_is_linked_to_its_topic_once_the_outbox_created_it(read, run):
    store, forum = FakeStore(), FakeForum()
    writer = FakeWriter(forum)
    reading = read(store)
    run(store, reading)

    send(store, writer)

    kept = [p for p in reading.proposals if p.status != "skipped"]
    assert writer.keys()[-1].startswith("plan-review:")  # queued last, sent after the drafts
    [message] = [s for s in writer.sent if s.key.startswith("plan-review:")]
    for proposal in kept:
        topic_id = store.sent(f"plan:{proposal.key}").topic_id
        assert f"](/t/{topic_id}) (ligne {proposal.row} du plan" in message.payload["raw"]
    assert "{{draft-" not in message.payload["raw"] and "links" not in message.payload


def test_a_draft_not_on_the_forum_yet_is_named_without_a_link(read, run):
    store, forum = FakeStore(), FakeForum()
    writer = FakeWriter(forum)
    reading = read(store)
    first = next(p for p in reading.proposals if p.status != "skipped")
    run(store, reading)
    writer.fail_next(UnclearOutcome("timeout"), key_prefix=f"plan:{first.key}")

    send(store, writer)

    [message] = [s for s in writer.sent if s.key.startswith("plan-review:")]
    line = next(x for x in message.payload["raw"].splitlines() if f"(ligne {first.row} du plan" in x)
    assert "](/t/" not in line and "{{" not in line


def test_the_same_import_again_or_after_a_crash_sends_one_message(read, run):
    store, forum = FakeStore(), FakeForum()
    writer = FakeWriter(forum)
    run(store, read(store))
    writer.fail_next(UnclearOutcome("reset after the write"), written=True, key_prefix="plan-review:")
    send(store, writer)

    again = run(store, read(store), now=T0 + timedelta(hours=1))
    send(store, writer, T0 + timedelta(hours=2))

    assert not again.review_queued and len(reviews(store)) == 1
    posted = [t for t in forum.threads.values() if t.private and t.first.raw.endswith(
        marker(reviews(store)[0].key))]
    assert len(posted) == 1


def changed(reading: PlanReading, row: int) -> PlanReading:
    """The same plan where one row's cost (not its title or n°) changed."""
    proposals = tuple(dataclasses.replace(p, cost_mad=(p.cost_mad or 0) + 1000, fingerprint="changed")
                      if p.row == row else p for p in reading.proposals)
    return dataclasses.replace(reading, proposals=proposals)


def test_a_changed_import_sends_a_new_message_with_the_edited_draft_and_the_rows_gone(read, run):
    store = FakeStore()
    reading = read(store)
    run(store, reading)
    kept = [p for p in reading.proposals if p.status != "skipped"]
    target, dropped = kept[0], kept[-1]
    second = changed(read(store), target.row)
    second = dataclasses.replace(second, proposals=tuple(p for p in second.proposals if p.row != dropped.row))

    result = run(store, second)

    assert result.review_queued and len(reviews(store)) == 2
    raw = reviews(store)[-1].payload["raw"]
    assert f"(ligne {target.row} du plan, modifié d'après le plan)" in raw
    assert f"(ligne {dropped.row} de l'import précédent)" in raw and "rien n'est supprimé" in raw
    assert sum(1 for line in raw.splitlines() if "du plan, " in line) == 1  # only the edited draft


def test_a_confirmed_need_changed_in_the_plan_is_reported_with_the_difference(read, run):
    store = FakeStore()
    reading = read(store)
    run(store, reading)
    kept = [p for p in reading.proposals if p.status != "skipped"]
    target, other = kept[0], kept[1]
    store.plans[target.key] = dataclasses.replace(store.plans[target.key], confirmed_at=T0)
    second = changed(changed(read(store), target.row), other.row)

    run(store, second)

    raw = reviews(store)[-1].payload["raw"]
    assert "Besoins déjà confirmés que le plan a changés" in raw
    before = next(x for x in raw.splitlines() if x.strip().startswith("avant :"))
    after = next(x for x in raw.splitlines() if x.strip().startswith("maintenant :"))
    assert "Coût estimatif" in before and "Coût estimatif" in after and before != after
    assert store.intent(f"plan:{target.key}:r1") is None  # not rewritten


def test_an_arabic_plan_gets_its_message_in_arabic(read, run):
    store = FakeStore()
    run(store, read(store, "tissint_arabic.csv", "commune-tissint"), "commune-tissint", "تسينت")

    [message] = reviews(store)
    assert message.payload["title"].startswith("برنامج تسينت")
    assert "أؤكد هذه الحاجة" in message.payload["raw"] and "لغات العمل" in message.payload["raw"]


def test_titles_from_the_plan_are_quoted_inert(read, run):
    store = FakeStore()
    reading = read(store)
    first = next(p for p in reading.proposals if p.status != "skipped")
    hostile = "@admin [clic](https://evil.example) <b>#urgent</b>"
    reading = dataclasses.replace(reading, proposals=tuple(
        dataclasses.replace(p, title=hostile) if p.row == first.row else p for p in reading.proposals))

    run(store, reading)
    writer = FakeWriter(FakeForum())
    send(store, writer)

    [message] = [s for s in writer.sent if s.key.startswith("plan-review:")]
    raw = message.payload["raw"]
    line = next(x for x in raw.splitlines() if f"(ligne {first.row} du plan" in x)
    assert "@admin" not in line and "](https://" not in line and "<b>" not in line
    assert "\\[clic\\]" in line and "](/t/" in line  # the link codev builds, around the inert title
