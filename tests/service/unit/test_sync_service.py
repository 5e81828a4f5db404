"""The sync use case against in-memory fakes of the forum and the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sync_service.domain.brokerage import (
    Delays,
    ReviewThread,
    ShownCandidate,
    intent_keys,
    open_introduction,
)
from sync_service.services.forget import prune_tombstones, tombstone_key
from sync_service.services.outbox import enqueue
from sync_service.services.ports.forum import ForumUnavailable, NeedSnapshot, PersonSnapshot
from sync_service.services.ports.storage import EntityRef, Intent
from sync_service.services.sync import apply_ref, known_keys
from tests import paths
from tests.configured import rules
from tests.service.unit.fakes import FakeForum, FakeUnitOfWork

ROOT = paths.ROOT
RULES = rules()
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
EXPERT = PersonSnapshot(
    user_id=42,
    username="lahcen.oubaha",
    name="Lahcen Oubaha",
    bio="Ingénieur hydraulicien.",
    profile={
        "skills": ("Forages et hydrogéologie",),
        "languages": ("Français", "Tachelhit (amazighe)"),
        "availability": ("20",),
        "modes": ("À distance",),
        "consent": ("true",),
    },
    groups=("experts",),
)
NEED = NeedSnapshot(
    topic_id=7,
    title="Eau potable pour six douars d'Anzi",
    author_user_id=12,
    author_username="rkia.ouali",
    author_groups=("commune-anzi",),
    category_slug="besoins",
    tags=("tiznit", "besoin"),
    closed=False,
    archived=False,
    form={"secteur": ("Eau potable",), "mode": ("Sur place",), "description": ("Six douars.",)},
    raw=(
        "### Secteur\nEau potable\n\n### Mode d'intervention\nSur place\n\n"
        "### Description du besoin\nSix douars."
    ),
    post_version=1,
    created_at=T0,
    updated_at=T0,
)


def person_ref(key: str = "42", event: str = "user_updated") -> EntityRef:
    return EntityRef("person", key, event)


def need_ref(key: str = "7", event: str = "topic_edited") -> EntityRef:
    return EntityRef("need", key, event)


@pytest.fixture
def forum() -> FakeForum:
    forum = FakeForum()
    forum.put_person(EXPERT)
    forum.put_topic(NEED)
    return forum


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def without_consent(person: PersonSnapshot) -> PersonSnapshot:
    return replace(person, profile={**person.profile, "consent": ()})


def broker(uow: FakeUnitOfWork, need: int = 7, expert: int = 42) -> None:
    """What the brokerage holds of an expert and a need: an introduction, its PM not sent yet, a
    review thread listing the expert, a digest that listed the need."""
    delays = Delays(timedelta(days=7), timedelta(days=7))
    uow.introductions.add(open_introduction(need, expert, "lahcen.oubaha", at(0), delays, reviewed=True))
    payload = {"title": "Mise en relation", "raw": "Bonjour", "target_recipients": ["lahcen.oubaha"]}
    enqueue(uow, Intent(intent_keys(need, expert)["pm"], "private_message", payload, person_id=expert), at(0))
    uow.reviews.save(ReviewThread(need, shown=(ShownCandidate(expert, "lahcen.oubaha"),)))
    uow.digests.record(expert, [need], at(0))


# --- people ---------------------------------------------------------------------------------


def test_a_new_consenting_expert_is_created(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    outcome = apply_ref(uow, forum, RULES, person_ref(), at(1))

    assert outcome == "created"
    stored = uow.experts.get(42)
    assert stored is not None and stored.profile.languages == ("fr", "ber")
    assert stored.fetched_at == at(1)


def test_apply_ref_never_commits(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))

    assert uow.store.commits == 0 and uow.store.experts == {}


def test_the_same_profile_fetched_again_is_unchanged(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))

    assert apply_ref(uow, forum, RULES, person_ref(), at(2)) == "unchanged"
    stored = uow.experts.get(42)
    assert stored is not None and stored.fetched_at == at(2)


def test_a_changed_profile_is_updated(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    forum.change_person(42, bio="Hydrogéologue.")

    assert apply_ref(uow, forum, RULES, person_ref(), at(2)) == "updated"
    stored = uow.experts.get(42)
    assert stored is not None and stored.profile.bio == "Hydrogéologue."


def test_a_member_who_is_not_an_expert_is_ignored(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    forum.put_person(replace(EXPERT, user_id=12, username="rkia.ouali", groups=("commune-anzi",)))

    assert apply_ref(uow, forum, RULES, person_ref("12"), at(1)) == "ignored"
    assert uow.experts.ids() == []
    assert uow.tombstones.created_at(tombstone_key("person", 12)) is None


@pytest.mark.parametrize(
    "leave",
    [
        pytest.param(lambda f: f.put_person(without_consent(EXPERT)), id="consent withdrawn"),
        pytest.param(lambda f: f.change_person(42, groups=("associations",)), id="left the experts group"),
        pytest.param(lambda f: f.delete_person(42), id="deleted"),
        pytest.param(lambda f: f.change_person(42, username="anon8421", anonymized=True), id="anonymised"),
        pytest.param(lambda f: f.change_person(42, active=False), id="deactivated"),
    ],
)
def test_an_expert_who_leaves_is_purged_and_tombstoned(
    forum: FakeForum, uow: FakeUnitOfWork, leave: object
) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    broker(uow)
    leave(forum)  # type: ignore[operator]

    assert apply_ref(uow, forum, RULES, person_ref(event="user_destroyed"), at(2)) == "purged"
    assert uow.experts.get(42) is None
    assert uow.tombstones.created_at(tombstone_key("person", 42)) == at(2)
    review = uow.reviews.get(7)
    assert uow.introductions.of_need(7) == [] and uow.digests.listed(42) == set()
    assert review is not None and review.shown == ()
    assert uow.working.intents() == []  # the PM not sent yet is not sent at all


def test_a_late_stale_event_after_deletion_does_not_resurrect(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    forum.delete_person(42)
    apply_ref(uow, forum, RULES, person_ref(event="user_destroyed"), at(2))

    outcome = apply_ref(uow, forum, RULES, person_ref(event="user_updated"), at(30))

    assert outcome == "ignored"
    assert uow.experts.get(42) is None


class LockCheckingForum(FakeForum):
    """The forum, checking that every fetch of a person or a need happens under that entity's lock."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__()
        self.uow = uow

    def person_by_id(self, user_id: int) -> PersonSnapshot | None:
        assert ("person", user_id) in self.uow.locked, "a person fetched outside their lock"
        return super().person_by_id(user_id)

    def need(self, topic_id: int) -> NeedSnapshot | None:
        assert ("need", topic_id) in self.uow.locked, "a need fetched outside its lock"
        return super().need(topic_id)


def test_every_refetch_that_may_write_happens_under_the_entitys_lock(uow: FakeUnitOfWork) -> None:
    # Freshness is the lock's order: a fetch made under it is the newest when it writes, whatever
    # the clocks say (wall-clock stamps of two fetches 0.3 ms apart came back in the wrong order).
    forum = LockCheckingForum(uow)
    forum.put_person(EXPERT)
    forum.put_topic(NEED)

    assert apply_ref(uow, forum, RULES, person_ref(), at(1)) == "created"
    uow.commit()
    assert apply_ref(uow, forum, RULES, person_ref("lahcen.oubaha"), at(2)) == "unchanged"
    assert apply_ref(uow, forum, RULES, need_ref(), at(3)) == "created"


def test_the_fetch_is_stamped_once_the_lock_is_held(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    # A unit that waited for the lock fetches after the one that held it: stamped before the wait,
    # its newer row would carry an older fetched_at than the row it replaces.
    def clock() -> datetime:
        assert uow.locked, "the stamp was read before the entity's lock"
        return at(9)

    assert apply_ref(uow, forum, RULES, person_ref(), at(1), clock=clock) == "created"
    assert apply_ref(uow, forum, RULES, need_ref(), at(1), clock=clock) == "created"
    person, need = uow.experts.get(42), uow.needs.get(7)
    assert person is not None and person.fetched_at == at(9)
    assert need is not None and need.fetched_at == at(9)


def test_an_expert_who_gives_consent_again_comes_back(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    forum.put_person(without_consent(EXPERT))
    apply_ref(uow, forum, RULES, person_ref(), at(2))
    forum.put_person(EXPERT)

    assert apply_ref(uow, forum, RULES, person_ref(), at(3)) == "created"
    assert uow.tombstones.created_at(tombstone_key("person", 42)) is None


def test_a_relabelled_destroy_of_a_living_expert_purges_nothing(
    forum: FakeForum, uow: FakeUnitOfWork
) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))

    assert apply_ref(uow, forum, RULES, person_ref(event="user_destroyed"), at(2)) == "unchanged"
    assert uow.experts.get(42) is not None


def test_a_fetch_stamped_earlier_still_writes_what_it_read_under_the_lock(
    forum: FakeForum, uow: FakeUnitOfWork
) -> None:
    # a worker whose clock is behind (another machine) must not drop a change it fetched last
    forum.change_person(42, bio="Première version.")
    apply_ref(uow, forum, RULES, person_ref(), at(5))
    forum.change_person(42, bio="Deuxième version.")

    assert apply_ref(uow, forum, RULES, person_ref(), at(3)) == "updated"
    stored = uow.experts.get(42)
    assert stored is not None and stored.profile.bio == "Deuxième version."


def test_a_person_named_by_username_is_found(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    assert apply_ref(uow, forum, RULES, person_ref("lahcen.oubaha"), at(1)) == "created"


def test_a_deleted_person_named_by_a_stored_username_is_purged(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    uow.commit()  # each refetch in a unit of its own, as the worker does: a username ends the read first
    forum.delete_person(42)

    assert apply_ref(uow, forum, RULES, person_ref("lahcen.oubaha", "user_destroyed"), at(2)) == "purged"
    assert uow.experts.ids() == []


def test_a_renamed_expert_named_by_the_old_username_is_updated(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    uow.commit()
    forum.change_person(42, username="lahcen.o")

    assert apply_ref(uow, forum, RULES, person_ref("lahcen.oubaha"), at(2)) == "updated"
    stored = uow.experts.get(42)
    assert stored is not None and stored.profile.username == "lahcen.o"


def test_an_unknown_username_is_ignored(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    assert apply_ref(uow, forum, RULES, person_ref("nobody"), at(1)) == "ignored"


def test_purging_a_person_blanks_their_inbox_traces(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    uow.working.deliver("user_updated", "person", "lahcen.oubaha", at(1), hint={"u": 1})
    forum.delete_person(42)

    apply_ref(uow, forum, RULES, person_ref(), at(2))

    [row] = uow.working.inbox
    assert (row.entity_kind, row.entity_key, row.hint) == ("person", "42", {})


def test_a_deleted_author_is_removed_from_their_needs(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, need_ref(), at(1))
    forum.people_by_id.pop(12, None)

    assert apply_ref(uow, forum, RULES, person_ref("12", "user_destroyed"), at(2)) == "purged"
    stored = uow.needs.get(7)
    assert stored is not None
    assert (stored.details.author_user_id, stored.details.author_username) == (None, None)


def test_an_unavailable_forum_raises_and_changes_nothing(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    forum.down = True

    with pytest.raises(ForumUnavailable):
        apply_ref(uow, forum, RULES, person_ref(), at(1))
    assert uow.experts.ids() == []


# --- needs ----------------------------------------------------------------------------------


def test_a_new_need_is_created(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    assert apply_ref(uow, forum, RULES, need_ref(event="topic_created"), at(1)) == "created"
    stored = uow.needs.get(7)
    assert stored is not None
    assert (stored.details.sector, stored.details.mode, stored.details.commune) == (
        "drinking_water",
        "on_site",
        "Anzi",
    )


def test_a_reply_that_only_bumps_the_topic_leaves_the_need_unchanged(
    forum: FakeForum, uow: FakeUnitOfWork
) -> None:
    apply_ref(uow, forum, RULES, need_ref(), at(1))
    forum.change_topic(7, updated_at=at(4))

    assert apply_ref(uow, forum, RULES, need_ref(event="post_created"), at(5)) == "unchanged"
    stored = uow.needs.get(7)
    assert stored is not None and stored.details.topic_updated_at == at(4)


def test_an_edited_need_is_updated(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, need_ref(), at(1))
    forum.change_topic(7, form={**NEED.form, "mode": ("À distance",)}, post_version=2, updated_at=at(2))

    assert apply_ref(uow, forum, RULES, need_ref(event="post_edited"), at(3)) == "updated"
    stored = uow.needs.get(7)
    assert stored is not None and stored.details.mode == "remote"


def test_an_edit_undone_in_the_grace_period_is_applied_though_the_version_goes_down(
    forum: FakeForum, uow: FakeUnitOfWork
) -> None:
    # PostRevisor#update_revision: the same editor undoing an edit within editing_grace_period
    # destroys the revision and does `@post.version -= 1` (lib/post_revisor.rb)
    forum.change_topic(7, form={**NEED.form, "mode": ("À distance",)}, post_version=3, updated_at=at(3))
    apply_ref(uow, forum, RULES, need_ref(), at(4))
    forum.change_topic(7, form=NEED.form, post_version=2, updated_at=at(5))

    assert apply_ref(uow, forum, RULES, need_ref(), at(5)) == "updated"
    stored = uow.needs.get(7)
    assert stored is not None and stored.details.mode == "on_site" and stored.details.post_version == 2


def test_closing_the_topic_closes_the_need(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, need_ref(), at(1))
    forum.change_topic(7, closed=True, updated_at=at(2))

    assert apply_ref(uow, forum, RULES, need_ref(event="topic_closed"), at(3)) == "updated"
    stored = uow.needs.get(7)
    assert stored is not None and stored.details.status == "closed"


def test_a_destroyed_topic_is_purged_and_never_comes_back(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, need_ref(), at(1))
    broker(uow)
    forum.delete_topic(7)

    assert apply_ref(uow, forum, RULES, need_ref(event="topic_destroyed"), at(2)) == "purged"
    assert apply_ref(uow, forum, RULES, need_ref(event="post_edited"), at(3)) == "ignored"
    assert uow.needs.ids() == []
    assert uow.tombstones.created_at(tombstone_key("need", 7)) is not None
    assert uow.introductions.of_need(7) == [] and uow.reviews.get(7) is None


def test_a_topic_moved_out_of_the_needs_category_is_purged(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, need_ref(), at(1))
    forum.change_topic(7, category_slug="pratiques", tags=("bonne-pratique",), updated_at=at(2))

    assert apply_ref(uow, forum, RULES, need_ref(), at(3)) == "purged"
    assert uow.needs.ids() == []


def test_a_topic_that_is_not_a_need_is_ignored(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    forum.change_topic(7, category_slug="pratiques", tags=())

    assert apply_ref(uow, forum, RULES, need_ref(), at(1)) == "ignored"


def test_a_ref_of_another_kind_or_a_bad_key_is_ignored(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    assert apply_ref(uow, forum, RULES, EntityRef("none", "", "ping"), at(1)) == "ignored"
    assert apply_ref(uow, forum, RULES, need_ref("abc"), at(1)) == "ignored"


def test_known_keys_lists_stored_experts_and_needs(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    apply_ref(uow, forum, RULES, person_ref(), at(1))
    apply_ref(uow, forum, RULES, need_ref(), at(1))

    assert known_keys(uow) == ([42], [7])


def test_old_tombstones_are_pruned(forum: FakeForum, uow: FakeUnitOfWork) -> None:
    forum.delete_person(42)
    apply_ref(uow, forum, RULES, person_ref(), at(1))

    assert prune_tombstones(uow, at(1) + timedelta(days=366)) == 1
