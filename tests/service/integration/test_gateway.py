"""DiscourseGateway against the sandbox over HTTP: people, needs, paging, faults, rate limits."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pydiscourse.client
import pytest
import yaml

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.core.records import ApiKey
from sync_service.adapters.discourse.client import ForumProtocolError, HttpPolicy, Transport
from sync_service.adapters.discourse.gateway import DiscourseGateway, ForumAccessError
from sync_service.config import ForumSettings, Settings
from sync_service.services.ports.forum import ForumUnavailable
from tests import paths
from tests.conftest import ADMIN_API_KEY, SandboxClient, start_sandbox

SAMPLE = paths.SAMPLE_COMMUNITY
FORM = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["form_templates"]
FIELDS = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["user_fields"]



def topic_ids(sandbox: Sandbox) -> list[int]:
    """Ids of the seeded topics, without the categories' "About" topics, in creation order."""
    with sandbox.state.transaction() as state:
        return sorted(t.id for t in state.topics.values() if not t.title.startswith("About the "))


def first_topic(sandbox: Sandbox) -> int:
    """The first topic the seed posted."""
    return topic_ids(sandbox)[0]

def gateway_for(sandbox: Sandbox, *, api_key: str = ADMIN_API_KEY, username: str = "system",
                per_minute: int = 0, policy: HttpPolicy | None = None,
                sleeps: list[float] | None = None, forum: ForumSettings | None = None) -> DiscourseGateway:
    """A gateway on the sandbox that keeps the sandbox's time (scaled) and records its waits."""
    def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)
        sandbox.clock.sleep(seconds)

    transport = Transport(sandbox.base_url, api_key, username,
                          policy or HttpPolicy(requests_per_minute=per_minute),
                          clock=sandbox.clock.seconds, sleep=sleep, rng=random.Random(7))
    return DiscourseGateway(transport, forum or ForumSettings(), clock=sandbox.clock.seconds)


def small_seed(tmp_path: Path, **sections: Any) -> str:
    """A seed file with the sample's user fields and need form, a needs category, and `sections`."""
    data: dict[str, Any] = {
        "user_fields": FIELDS, "form_templates": FORM,
        "groups": [{"name": "experts"}, {"name": "commune-anzi"}],
        "tag_groups": [{"name": "Suivi", "tags": ["besoin", "tiznit"]}],
        "categories": [{"name": "Besoins des communes", "slug": "besoins", "color": "0E76BD",
                        "form_templates": ["Besoin de la commune"]},
                       {"name": "Bonnes pratiques", "slug": "pratiques", "color": "3AB54A"}],
    }
    data.update(sections)
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def need_topic(title: str, user: str = "rkia", **extra: Any) -> dict[str, Any]:
    form = {"secteur": "Eau potable", "type_aide": "Formation", "langues": ["Français", "Arabe"],
            "description": "Six douars de montagne sans eau potable l'été, un forage à étudier."}
    return {"title": title, "category": "besoins", "user": user, "tags": ["besoin"], "form": form,
            **extra}


def started(tmp_path: Path, settings: SandboxSettings | None = None, **sections: Any) -> Sandbox:
    return start_sandbox(settings or SandboxSettings(max_admin_api_reqs_per_minute=0),
                         small_seed(tmp_path, **sections))


@pytest.fixture(scope="module")
def community() -> Iterator[Sandbox]:
    """The sample community, read only."""
    sandbox = start_sandbox(seed=str(SAMPLE))
    yield sandbox
    sandbox.stop()


@pytest.fixture
def own(tmp_path: Path) -> Iterator[Sandbox]:
    """A small community this test may change: an expert, a commune official, a need."""
    sandbox = started(
        tmp_path,
        users=[{"username": "fatima", "name": "Fatima Id Bella", "groups": ["experts"],
                "bio": "Ingénieure SIG.",
                "fields": {"Langues": ["Français", "Arabe"], "Consentement à la mise en relation": "true"}},
               {"username": "rkia", "name": "Rkia Ouali", "groups": ["commune-anzi"]}],
        topics=[need_topic("Eau potable pour six douars d'Anzi")],
    )
    yield sandbox
    sandbox.stop()


# --- people ----------------------------------------------------------------------------------

def test_person_maps_user_fields_through_their_names(community: Sandbox) -> None:
    person = gateway_for(community).person("lahcen.oubaha")

    assert person is not None and person.username == "lahcen.oubaha"
    assert person.profile["skills"] == ("Adduction d'eau potable rurale (AEP)", "Forages et hydrogéologie",
                                        "Ouvrages hydrauliques et barrages collinaires")
    assert person.profile["country"] == ("France",)
    assert person.profile["availability"] == ("20",)
    assert person.profile["consent"] == ("true",)
    assert "experts" in person.groups and person.bio and person.name == "Lahcen Oubaha"
    assert not person.anonymized and person.active


def test_multiselect_with_one_value_comes_as_text_and_with_several_as_array(community: Sandbox) -> None:
    raw = SandboxClient(community.base_url).get("/u/fatima.idbella.json").json()["user"]["user_fields"]
    gateway = gateway_for(community)

    person = gateway.person("fatima.idbella")

    assert isinstance(raw["6"], str) and isinstance(raw["3"], list)
    assert person is not None
    assert person.profile["modes"] == ("À distance",)
    assert person.profile["languages"] == ("Français", "Arabe", "Tachelhit (amazighe)", "Anglais")


def test_unset_fields_are_empty_and_every_configured_key_is_present(community: Sandbox) -> None:
    person = gateway_for(community).person("rkia.ouali")

    assert person is not None
    assert set(person.profile) == set(Settings().forum.user_fields)
    assert all(values == () for values in person.profile.values())


def test_unknown_or_impossible_username_is_none(community: Sandbox) -> None:
    gateway = gateway_for(community)

    assert gateway.person("personne.inconnue") is None
    assert gateway.person("../admin/users/1") is None
    assert gateway.person("") is None


def test_person_by_id_reads_the_admin_record_then_the_profile(community: Sandbox) -> None:
    gateway = gateway_for(community)
    expected = gateway.person("said.ouhammou")
    assert expected is not None

    assert gateway.person_by_id(expected.user_id) == expected
    assert gateway.person_by_id(987654) is None


def test_deleted_user_is_none(own: Sandbox) -> None:
    gateway = gateway_for(own)
    fatima = gateway.person("fatima")
    assert fatima is not None

    deleted = SandboxClient(own.base_url).delete(f"/admin/users/{fatima.user_id}.json")

    assert deleted.json() == {"deleted": True}
    assert gateway.person_by_id(fatima.user_id) is None
    assert gateway.person("fatima") is None


def test_anonymized_user_is_flagged_and_keeps_nothing(own: Sandbox) -> None:
    gateway = gateway_for(own)
    fatima = gateway.person("fatima")
    assert fatima is not None and fatima.profile["languages"] == ("Français", "Arabe")

    SandboxClient(own.base_url).put(f"/admin/users/{fatima.user_id}/anonymize.json")
    person = gateway.person_by_id(fatima.user_id)

    assert person is not None and person.anonymized
    assert person.username.startswith("anon") and person.name is None and person.bio is None
    assert all(values == () for values in person.profile.values())


def test_people_pages_through_every_user_deactivated_included(tmp_path: Path) -> None:
    users = [{"username": f"expert{i:03d}", "groups": ["experts"],
              "fields": {"Langues": ["Français"]}} for i in range(101)]  # two pages of 100
    sandbox = started(tmp_path, users=[*users, {"username": "staged1", "staged": True}])
    try:
        admin = SandboxClient(sandbox.base_url)
        deactivated = admin.get("/u/expert050.json").json()["user"]["id"]
        admin.put(f"/admin/users/{deactivated}/deactivate.json")
        assert admin.get(f"/admin/users/{deactivated}.json").json()["active"] is False
        gateway = gateway_for(sandbox)

        people = list(gateway.people())
    finally:
        sandbox.stop()

    assert sorted(p.username for p in people) == sorted(u["username"] for u in users)
    assert len({p.user_id for p in people}) == 101
    assert all(p.profile["languages"] == ("Français",) for p in people)


def test_no_email_address_in_anything_returned(community: Sandbox) -> None:
    gateway = gateway_for(community)

    seen = repr(list(gateway.people())) + repr([gateway.need(i) for i in gateway.need_topic_ids()])

    assert "@" not in seen and "email" not in seen


# --- needs -----------------------------------------------------------------------------------

def test_need_reads_form_tags_category_and_author(community: Sandbox) -> None:
    gateway = gateway_for(community)

    need = gateway.need(first_topic(community))

    assert need is not None and need.title.startswith("Eau potable pour six douars")
    assert need.category_slug == "besoins" and need.author_username == "rkia.ouali"
    assert "commune-anzi" in need.author_groups
    assert set(need.tags) == {"eau-potable", "etude-faisabilite", "tiznit", "besoin"}
    assert need.form["secteur"] == ("Eau potable",)
    assert need.form["langues"] == ("Français", "Tachelhit (amazighe)", "Arabe")
    assert need.post_version == 1 and not need.closed and need.updated_at >= need.created_at


def test_tags_as_strings_and_as_objects_read_the_same(community: Sandbox) -> None:
    gateway = gateway_for(community)
    as_objects = gateway.need(first_topic(community))
    community.apply({"tags_format": "strings"})
    try:
        as_strings = gateway.need(first_topic(community))
    finally:
        community.apply({"tags_format": "objects"})

    assert as_objects is not None and as_strings is not None
    assert as_strings.tags == as_objects.tags


def test_form_headings_by_id_read_like_labels(tmp_path: Path) -> None:
    users = [{"username": "rkia", "groups": ["commune-anzi"]}]
    by_id = started(tmp_path, SandboxSettings(max_admin_api_reqs_per_minute=0, form_headings="id"),
                    users=users, topics=[need_topic("Eau potable pour six douars d'Anzi")])
    try:
        need = gateway_for(by_id).need(first_topic(by_id))
    finally:
        by_id.stop()

    assert need is not None and need.raw.startswith("### secteur\n")
    assert need.form["secteur"] == ("Eau potable",) and need.form["langues"] == ("Français", "Arabe")
    assert need.author_groups == ("commune-anzi", "trust_level_0", "trust_level_1")


def test_closed_need_is_read_closed(community: Sandbox) -> None:
    gateway = gateway_for(community)
    closed = [n for n in map(gateway.need, topic_ids(community)) if n is not None and n.closed]

    assert [n.title for n in closed] == ["Pompage solaire pour l'irrigation de l'oasis d'Afella Ighir"]


def test_private_message_is_no_need(tmp_path: Path) -> None:
    sandbox = started(
        tmp_path, users=[{"username": "rkia"}, {"username": "fatima"}],
        topics=[{"title": "Question privée sur le forage", "user": "rkia", "archetype": "private_message",
                 "recipients": ["fatima"], "raw": "### Secteur\nEau potable, une question privée."}])
    try:
        assert gateway_for(sandbox).need(first_topic(sandbox)) is None
    finally:
        sandbox.stop()


def test_missing_and_deleted_topics_are_none(own: Sandbox) -> None:
    gateway = gateway_for(own)
    topic = first_topic(own)
    assert gateway.need(topic) is not None

    SandboxClient(own.base_url).delete(f"/t/{topic}.json")

    assert gateway.need(topic) is None
    assert gateway.need(4242) is None


def test_need_edit_raises_the_post_version(own: Sandbox) -> None:
    gateway = gateway_for(own)
    topic = first_topic(own)
    before = gateway.need(topic)
    assert before is not None
    post_id = SandboxClient(own.base_url).get(f"/t/{topic}.json").json()["post_stream"]["posts"][0]["id"]

    own.clock.advance(301)  # past editing_grace_period: the author's edit makes a version
    SandboxClient(own.base_url).as_user("rkia").put(
        f"/posts/{post_id}.json", data={"post[raw]": before.raw.replace("Formation", "Gestion de projet")})
    after = gateway.need(topic)

    assert after is not None and after.post_version == before.post_version + 1
    assert after.form["type_aide"] == ("Gestion de projet",)


def test_need_topic_ids_page_through_category_and_tag(tmp_path: Path) -> None:
    topics = [need_topic(f"Besoin numéro {i:02d} de la commune d'Anzi") for i in range(35)]
    elsewhere = {"category": "pratiques", "user": "rkia",
                 "raw": "Un retour d'expérience de la commune, sans formulaire aucun."}
    tagged_elsewhere = {**elsewhere, "title": "Un besoin posté dans les bonnes pratiques", "tags": ["besoin"]}
    untagged_elsewhere = {**elsewhere, "title": "Une bonne pratique sans rapport aucun"}
    sandbox = started(tmp_path, users=[{"username": "rkia"}],
                      topics=[*topics, tagged_elsewhere, untagged_elsewhere])
    try:
        ids = list(gateway_for(sandbox).need_topic_ids())
        seeded = topic_ids(sandbox)
    finally:
        sandbox.stop()

    assert sorted(ids) == seeded[:36]


def test_missing_needs_category_is_a_configuration_error(community: Sandbox) -> None:
    gateway = gateway_for(community, forum=ForumSettings(needs_category="nulle-part"))

    with pytest.raises(ForumAccessError):
        list(gateway.need_topic_ids())


# --- access, faults and rate limits --------------------------------------------------------

def test_non_admin_key_raises_instead_of_saying_nobody_exists(own: Sandbox) -> None:
    with own.state.transaction() as state:
        rkia = state.user_by_username("rkia")
        assert rkia is not None
        state.api_keys["key-of-rkia-0123456789"] = ApiKey("key-of-rkia-0123456789", rkia.id, "rkia")

    with pytest.raises(ForumAccessError):
        gateway_for(own, api_key="key-of-rkia-0123456789", username="rkia").person_by_id(1)
    with pytest.raises(ForumAccessError):
        gateway_for(own, api_key="wrong-key-0123456789").people().__next__()


def test_server_errors_are_retried_until_the_answer_comes(own: Sandbox) -> None:
    sleeps: list[float] = []
    gateway = gateway_for(own, sleeps=sleeps, policy=HttpPolicy(attempts=8, backoff_base=0.01))
    own.apply({"faults": {"api_5xx_rate": 0.5, "seed": 11}})

    person, need = gateway.person("fatima"), gateway.need(first_topic(own))

    own.apply({"faults": {"api_5xx_rate": 0.0}})
    assert person is not None and person.profile["languages"] == ("Français", "Arabe")
    assert need is not None and need.form["secteur"] == ("Eau potable",)
    assert own.faults.injected["5xx"] > 0 and len(sleeps) >= own.faults.injected["5xx"]


def test_server_errors_past_the_attempts_raise_forum_unavailable(own: Sandbox) -> None:
    gateway = gateway_for(own, policy=HttpPolicy(attempts=3, backoff_base=0.01))
    own.apply({"faults": {"api_5xx_rate": 1.0}})

    with pytest.raises(ForumUnavailable) as raised:
        gateway.need(first_topic(own))

    own.apply({"faults": {"api_5xx_rate": 0.0}})
    assert raised.value.retry_after is not None and gateway.transport.requests_made == 3


def test_timeouts_are_retried_then_reported_unavailable(own: Sandbox) -> None:
    gateway = gateway_for(own, policy=HttpPolicy(attempts=2, read_timeout=0.05, backoff_base=0.01))
    own.apply({"faults": {"api_slow_rate": 1.0, "slow_seconds": 0.2}})

    with pytest.raises(ForumUnavailable):
        gateway.person("fatima")

    own.apply({"faults": {"api_slow_rate": 0.0}})


def test_429_waits_retry_after_once_and_pydiscourse_never_sleeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_sleep(_seconds: float) -> None:
        raise AssertionError("pydiscourse slept: the gateway's retry policy is not the one in force")

    monkeypatch.setattr(pydiscourse.client, "time", SimpleNamespace(sleep=no_sleep))
    sandbox = started(tmp_path, SandboxSettings(max_admin_api_reqs_per_minute=5, time_scale=1200),
                      users=[{"username": f"expert{i}", "groups": ["experts"]} for i in range(6)])
    sleeps: list[float] = []
    try:
        people = list(gateway_for(sandbox, sleeps=sleeps).people())
    finally:
        sandbox.stop()

    assert len(people) == 6
    # what is left of Retry-After, never Retry-After plus pydiscourse's extra second on top
    assert sleeps and all(0 < s <= 60 for s in sleeps) and sum(sleeps) < 2 * 60


def test_429_past_the_budget_raises_forum_unavailable(tmp_path: Path) -> None:
    sandbox = started(tmp_path, SandboxSettings(max_admin_api_reqs_per_minute=2, time_scale=1),
                      users=[{"username": "fatima"}])
    try:
        gateway = gateway_for(sandbox, policy=HttpPolicy(rate_limit_budget=5))
        with pytest.raises(ForumUnavailable) as raised:
            for _ in range(3):
                gateway.person("fatima")
    finally:
        sandbox.stop()

    assert raised.value.retry_after is not None and raised.value.retry_after > 5


def test_injected_429s_are_honoured_and_answers_stay_right(own: Sandbox) -> None:
    own.apply({"time_scale": 1000.0, "faults": {"api_429_rate": 0.4, "seed": 3}})
    sleeps: list[float] = []
    gateway = gateway_for(own, sleeps=sleeps)
    try:
        person, need = gateway.person("fatima"), gateway.need(first_topic(own))
    finally:
        own.apply({"time_scale": 1.0, "faults": {"api_429_rate": 0.0}})

    assert person is not None and need is not None and need.author_username == "rkia"
    # each injected 429 says Retry-After: 5 (sandbox seconds), and is waited out once
    assert own.faults.injected["429"] > 0 and len(sleeps) == own.faults.injected["429"]
    assert all(4 < s <= 5 for s in sleeps)


def test_pacer_keeps_requests_under_the_site_limit(tmp_path: Path) -> None:
    sandbox = started(tmp_path, SandboxSettings(max_admin_api_reqs_per_minute=5, time_scale=1200),
                      users=[{"username": "fatima"}])
    try:
        gateway = gateway_for(sandbox, per_minute=5)
        answers = [gateway.person("fatima") for _ in range(12)]
        elapsed = sandbox.clock.seconds()
    finally:
        sandbox.stop()

    assert all(a is not None for a in answers)
    assert gateway.transport.requests_made == 13  # 12 profiles + the field list, no 429 retried
    assert elapsed >= 120


def test_redirects_are_not_followed(tmp_path: Path) -> None:
    sandbox = started(tmp_path, users=[{"username": "rkia"}],
                      topics=[need_topic("Eau potable pour six douars d'Anzi", external_id="besoin-1")])
    try:
        with pytest.raises(ForumProtocolError, match="redirect 301"):
            gateway_for(sandbox).transport.get_json("/t/external_id/besoin-1.json")
    finally:
        sandbox.stop()


def test_oversized_answer_is_refused(community: Sandbox) -> None:
    gateway = gateway_for(community, policy=HttpPolicy(max_response_bytes=2000))

    with pytest.raises(ForumProtocolError):
        gateway.need(first_topic(community))
