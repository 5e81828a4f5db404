"""The sandbox playing the discourse-codev plugin (discourse_plugin/): endpoints, fields, webhook events.

Every answer is checked against the plugin's contract (discourse_plugin/contract/codev.schema.json)
with jsonschema; each test names the plugin file whose behaviour it checks.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from discourse_sandbox import Sandbox
from tests.conftest import SandboxClient, listing_loopback, start_sandbox
from tests.paths import ROOT
from tests.sandbox.integration.test_sandbox_webhooks import Receiver, add_hook

CONTRACT = ROOT / "discourse_plugin" / "contract"
SCHEMA = json.loads((CONTRACT / "codev.schema.json").read_text(encoding="utf-8"))
SECRET = "codev-plugin-webhook-secret"

SEED: dict[str, Any] = {
    "groups": [{"name": "animateurs"}, {"name": "experts"}],
    "users": [
        {"username": "modo", "name": "Modératrice", "email": "modo@example.org", "moderator": True},
        {"username": "amina", "name": "Amina Animatrice", "email": "amina@example.org", "trust_level": 3,
         "groups": ["animateurs"]},
        {"username": "nadia", "name": "Nadia Animatrice", "email": "nadia@example.org", "trust_level": 1,
         "groups": ["animateurs"]},
        {"username": "fatima.elidrissi", "name": "Fatima El Idrissi", "email": "fatima@example.org",
         "groups": ["experts"]},
        {"username": "said.ouali", "name": "Saïd Ouali", "email": "said@example.org", "groups": ["experts"]},
        {"username": "karim", "name": "Karim Membre", "email": "karim@example.org"},
        {"username": "ahmed.tiznit", "name": "Ahmed", "email": "ahmed@example.org"},
    ],
    "categories": [
        {"name": "Besoins des communes", "slug": "besoins", "color": "0E76BD"},
        {"name": "Revue", "slug": "revue", "color": "BF1E2E", "permissions": {"staff": 1, "animateurs": 1}},
    ],
    "topics": [
        {"title": "Réseau d'eau potable du douar Tighmi", "category": "besoins", "user": "ahmed.tiznit",
         "raw": "La commune cherche un appui pour son réseau d'eau potable."},
        {"title": "Revue du besoin : réseau d'eau potable", "category": "revue", "user": "modo",
         "raw": "Sujet de revue des candidats proposés par codev."},
        {"title": "Mise en relation : eau potable", "user": "system", "archetype": "private_message",
         "recipients": ["fatima.elidrissi"], "raw": "Bonjour Fatima, la commune de Tighmi a besoin de vous."},
    ],
}


def valid(name: str, body: Any) -> Any:
    """Check `body` against $defs/`name` of the contract; returns it."""
    jsonschema.Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{name}"}).validate(body)
    return body


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CONTRACT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


class Forum:
    """A sandbox with the plugin on, the seed above, and clients for each kind of viewer."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        admin = SandboxClient(sandbox.base_url)
        assert admin.post("/_sandbox/seed", json=SEED).status_code == 200
        self.staff = admin
        self.moderator = admin.as_user("modo")
        self.manager = admin.as_user("amina")
        self.low_manager = admin.as_user("nadia")
        self.expert = admin.as_user("fatima.elidrissi")
        self.other_expert = admin.as_user("said.ouali")
        self.member = admin.as_user("karim")
        self.anonymous = SandboxClient(sandbox.base_url, api_key=None)
        with sandbox.state.transaction() as state:
            ids = {t.title: t.id for t in state.topics.values()}
            self.user_ids = {u.username: u.id for u in state.users.values()}
        self.need = ids["Réseau d'eau potable du douar Tighmi"]
        self.review = ids["Revue du besoin : réseau d'eau potable"]
        self.introduction = ids["Mise en relation : eau potable"]

    def need_state(self, version: str = "sha1:3f2a9c0d", status: str = "matched") -> dict[str, Any]:
        document = copy.deepcopy(example("topic_state__need_matched"))
        document.update(review_topic_id=self.review, version=version, status=status)
        return document

    def push_need(self, **kwargs: Any) -> dict[str, Any]:
        document = self.need_state(**kwargs)
        answer = self.staff.put(f"/codev/topics/{self.need}.json", json=document)
        assert answer.status_code == 200, answer.text
        return document

    def push_introduction(self) -> None:
        document = example("topic_state__introduction_awaiting")
        document["need_topic_id"] = self.need
        assert self.staff.put(f"/codev/topics/{self.introduction}.json", json=document).status_code == 200


@pytest.fixture
def forum() -> Iterator[Forum]:
    sandbox = start_sandbox(listing_loopback(plugin_codev_enabled=True))
    yield Forum(sandbox)
    sandbox.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.close()


# --- the switch ---------------------------------------------------------------------------------

# discourse_plugin/plugin.rb: enabled_site_setting :codev_enabled; every controller requires_plugin
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/codev/status.json"), ("GET", "/codev/topics/{need}.json"), ("PUT", "/codev/topics/{need}.json"),
    ("DELETE", "/codev/topics/{need}.json"), ("POST", "/codev/topics/{need}/approve.json"),
    ("POST", "/codev/topics/{need}/offer.json"), ("DELETE", "/codev/topics/{need}/offer.json"),
    ("GET", "/codev/topics/{need}/offers.json"), ("PUT", "/codev/users/fatima.elidrissi.json"),
    ("DELETE", "/codev/users/fatima.elidrissi.json"),
])
def test_every_codev_route_is_404_while_the_switch_is_off(forum: Forum, method: str, path: str) -> None:
    forum.push_need()
    forum.sandbox.apply({"plugin_codev_enabled": False})

    answer = forum.staff.request(method, path.format(need=forum.need), json={})

    assert answer.status_code == 404
    assert answer.json()["error_type"] == "not_found"


def test_the_switch_is_off_by_default_and_hides_the_fields() -> None:
    sandbox = start_sandbox()
    try:
        assert sandbox.settings.plugin_codev_enabled is False
        staff = SandboxClient(sandbox.base_url)
        assert staff.get("/codev/status.json").status_code == 404
        assert staff.post("/_sandbox/seed", json=SEED).status_code == 200
        sandbox.apply({"plugin_codev_enabled": True})
        forum = Forum.__new__(Forum)
        forum.sandbox, forum.staff = sandbox, staff
        with sandbox.state.transaction() as state:
            need = next(t.id for t in state.topics.values() if t.title.startswith("Réseau"))
            review = next(t.id for t in state.topics.values() if t.title.startswith("Revue du besoin"))
        forum.need, forum.review = need, review
        forum.push_need()
        sandbox.apply({"plugin_codev_enabled": False})

        view = staff.get(f"/t/{need}.json").json()
        latest = staff.get("/latest.json").json()["topic_list"]["topics"]

        assert "codev_need" not in view
        assert all("codev_status" not in t for t in latest)
    finally:
        sandbox.stop()


# --- status_controller.rb -----------------------------------------------------------------------

# discourse_plugin/app/controllers/codev/status_controller.rb (before_action :ensure_staff)
def test_status_is_for_staff_and_lists_the_offer_events(forum: Forum) -> None:
    body = valid("plugin_status", forum.staff.get("/codev/status.json").json())

    assert body == example("plugin_status__enabled")
    assert valid("plugin_status", forum.moderator.get("/codev/status.json").json()) == body
    for client in (forum.manager, forum.expert, forum.member, forum.anonymous):
        refused = client.get("/codev/status.json")
        assert refused.status_code == 403
        assert refused.json()["error_type"] == "invalid_access"


# --- topics_controller.rb -----------------------------------------------------------------------

# discourse_plugin/app/controllers/codev/topics_controller.rb#update, lib/codev/state_store.rb#save
def test_a_need_state_is_stored_once_per_version(forum: Forum) -> None:
    document = forum.need_state()

    path = f"/codev/topics/{forum.need}.json"
    first = valid("update_response", forum.staff.put(path, json=document).json())
    again = valid("update_response", forum.staff.put(path, json=document).json())
    stored = valid("topic_state", forum.staff.get(f"/codev/topics/{forum.need}.json").json())

    assert first == {"id": forum.need, "version": "sha1:3f2a9c0d", "changed": True}
    assert again == {"id": forum.need, "version": "sha1:3f2a9c0d", "changed": False}
    assert stored == document


# lib/codev/state_store.rb#save: the same version with another body is still the stored one
def test_the_same_version_with_another_body_changes_nothing(forum: Forum) -> None:
    forum.push_need(status="matched")

    answer = forum.staff.put(f"/codev/topics/{forum.need}.json", json=forum.need_state(status="served"))

    assert valid("update_response", answer.json())["changed"] is False
    assert forum.staff.get(f"/codev/topics/{forum.need}.json").json()["status"] == "matched"


# discourse_plugin/app/controllers/codev/topics_controller.rb (Contract::Invalid → 422)
@pytest.mark.parametrize("invalid", sorted(p.name for p in (CONTRACT / "examples" / "invalid")
                                            .glob("topic_state__*")))
def test_a_document_the_schema_refuses_is_422_with_errors(forum: Forum, invalid: str) -> None:
    document = json.loads((CONTRACT / "examples" / "invalid" / invalid).read_text(encoding="utf-8"))

    answer = forum.staff.put(f"/codev/topics/{forum.need}.json", json=document)

    assert answer.status_code == 422
    assert answer.json()["errors"] and all(isinstance(e, str) for e in answer.json()["errors"])
    assert forum.staff.get(f"/codev/topics/{forum.need}.json").status_code == 404


def test_a_body_that_is_not_json_is_422(forum: Forum) -> None:
    answer = forum.staff.put(f"/codev/topics/{forum.need}.json", data=b"{not json",
                             headers={"Content-Type": "application/json"})

    assert answer.status_code == 422
    assert answer.json()["errors"][0].startswith("body: not JSON")


# lib/codev/state_store.rb#misplaced
def test_a_need_on_a_message_and_an_introduction_on_a_topic_are_refused(forum: Forum) -> None:
    intro = example("topic_state__introduction_awaiting")

    need_on_message = forum.staff.put(f"/codev/topics/{forum.introduction}.json", json=forum.need_state())
    intro_on_topic = forum.staff.put(f"/codev/topics/{forum.need}.json", json=intro)

    assert need_on_message.status_code == 422
    assert need_on_message.json() == {"errors": ["A need cannot be a private message."]}
    assert intro_on_topic.json() == {"errors": ["An introduction must be a private message."]}


# lib/codev/state_store.rb#in_needs_category?
def test_codev_needs_category_restricts_needs_to_that_category(forum: Forum) -> None:
    with forum.sandbox.state.transaction() as state:
        revue = state.category_by_slug("revue")
        besoins = state.category_by_slug("besoins")
        assert revue is not None and besoins is not None
        revue_id, besoins_id = revue.id, besoins.id
    forum.sandbox.apply({"codev_needs_category": revue_id})

    outside = forum.staff.put(f"/codev/topics/{forum.need}.json", json=forum.need_state())
    forum.sandbox.apply({"codev_needs_category": besoins_id})
    inside = forum.staff.put(f"/codev/topics/{forum.need}.json", json=forum.need_state())

    assert outside.status_code == 422
    assert outside.json() == {"errors": ["This topic is not in the needs category."]}
    assert valid("update_response", inside.json())["changed"] is True


def test_unknown_topics_are_404_and_delete_forgets(forum: Forum) -> None:
    forum.push_need()

    assert forum.staff.put("/codev/topics/999999.json", json=forum.need_state()).status_code == 404
    assert forum.staff.delete(f"/codev/topics/{forum.need}.json").json() == {"success": "OK"}
    assert forum.staff.get(f"/codev/topics/{forum.need}.json").status_code == 404
    assert "codev_need" not in forum.staff.get(f"/t/{forum.need}.json").json()


# topics_controller.rb: before_action :ensure_staff, except: :approve
@pytest.mark.parametrize("who", ["manager", "expert", "member", "anonymous"])
def test_topic_states_are_staff_only(forum: Forum, who: str) -> None:
    forum.push_need()
    client: SandboxClient = getattr(forum, who)

    for method in ("GET", "PUT", "DELETE"):
        answer = client.request(method, f"/codev/topics/{forum.need}.json", json=forum.need_state("2"))
        assert (answer.status_code, answer.json()["error_type"]) == (403, "invalid_access")


# --- approve (topics_controller.rb#approve, lib/codev/approval.rb) -----------------------------

def test_approve_tags_the_review_topic_as_the_manager_and_fires_topic_edited(
        forum: Forum, receiver: Receiver) -> None:
    forum.push_need()
    add_hook(forum.sandbox, receiver.url, events=["topic_edited"], secret=SECRET)
    with forum.sandbox.state.transaction() as state:
        bumped_at = state.topics[forum.review].bumped_at
    forum.sandbox.clock.advance(600)

    answer = forum.manager.post(f"/codev/topics/{forum.need}/approve.json",
                                json=example("approve_request__rank2"))
    assert forum.sandbox.emitter.flush(5)

    assert answer.status_code == 200
    assert answer.json() == {"review_topic_id": forum.review, "tag": "approuver-2"}
    with forum.sandbox.state.transaction() as state:
        review = state.topics[forum.review]
        first = state.posts_of_topic(review.id)[0]
        assert "approuver-2" in review.tags
        assert first.last_editor_id == forum.user_ids["amina"]
        assert review.bumped_at == bumped_at  # bypass_bump: true
    [delivery] = receiver.requests
    assert delivery.headers["X-Discourse-Event"] == "topic_edited"
    assert delivery.json()["topic"]["id"] == forum.review


# lib/codev/approval.rb: 409 when the version differs, then when the tag is already there
def test_approve_refuses_a_stale_version_and_a_tag_already_there(forum: Forum) -> None:
    forum.push_need()
    path = f"/codev/topics/{forum.need}/approve.json"

    stale = forum.staff.post(path, json={"username": "youssef.amrani", "version": "older"})
    done = forum.staff.post(path, json=example("approve_request__rank2"))
    twice = forum.staff.post(path, json=example("approve_request__rank2"))

    assert stale.status_code == 409
    assert stale.json() == {"errors": ["The ranking changed since this page was shown: reload it before "
                                       "approving."]}
    assert valid("approve_request", example("approve_request__rank2"))
    assert done.status_code == 200
    assert twice.status_code == 409
    assert "approuver-2" in twice.json()["errors"][0]


# lib/codev/approval.rb: unknown candidate 404, not proposed 422, no prefix 422, bad body 422
def test_approve_refusals(forum: Forum) -> None:
    forum.push_need()
    path = f"/codev/topics/{forum.need}/approve.json"

    unknown = forum.staff.post(path, json={"username": "nobody", "version": "sha1:3f2a9c0d"})
    asked = forum.staff.post(path, json={"username": "k.benali", "version": "sha1:3f2a9c0d"})
    bad = forum.staff.post(path, json={"username": "youssef.amrani"})
    forum.sandbox.apply({"codev_approve_tag_prefix": ""})
    off = forum.staff.post(path, json=example("approve_request__rank2"))

    assert unknown.status_code == 404
    assert unknown.json() == {"errors": ["This candidate is no longer in the list."]}
    assert asked.status_code == 422
    assert bad.status_code == 422
    assert off.status_code == 422
    assert "codev_approve_tag_prefix" in off.json()["errors"][0]


# lib/codev/guardian_extension.rb#can_see_codev_candidates?: staff or the managers' group
def test_approve_access(forum: Forum) -> None:
    forum.push_need()
    path = f"/codev/topics/{forum.need}/approve.json"
    body = example("approve_request__rank2")

    anonymous = forum.anonymous.post(path, json=body)
    member = forum.member.post(path, json=body)
    expert = forum.expert.post(path, json=body)
    not_a_need = forum.staff.post(f"/codev/topics/{forum.review}/approve.json", json=body)
    moderator = forum.moderator.post(path, json=body)

    assert (anonymous.status_code, anonymous.json()["error_type"]) == (403, "not_logged_in")
    assert (member.status_code, member.json()["error_type"]) == (403, "invalid_access")
    assert (expert.status_code, expert.json()["error_type"]) == (403, "invalid_access")
    assert not_a_need.status_code == 404
    assert moderator.json() == {"review_topic_id": forum.review, "tag": "approuver-2"}


# lib/codev/approval.rb#add_tag: PostRevisor refuses a tag its editor may not create
def test_a_manager_who_may_not_create_the_tag_is_refused(forum: Forum) -> None:
    forum.push_need()

    answer = forum.low_manager.post(f"/codev/topics/{forum.need}/approve.json",
                                    json=example("approve_request__rank2"))

    assert answer.status_code == 422
    assert answer.json() == {"errors": ["Discourse refused the tag approuver-2 on the review topic."]}
    with forum.sandbox.state.transaction() as state:
        assert "approuver-2" not in state.topics[forum.review].tags


# --- offers_controller.rb, lib/codev/offer_events.rb --------------------------------------------

def _signed(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_an_offer_fires_a_signed_codev_offer_created_delivery(forum: Forum, receiver: Receiver) -> None:
    forum.push_need()
    add_hook(forum.sandbox, receiver.url, events=["codev_offer_created", "codev_offer_withdrawn"],
             secret=SECRET)

    answer = forum.expert.post(f"/codev/topics/{forum.need}/offer.json")
    assert forum.sandbox.emitter.flush(5)

    body = answer.json()
    assert body["changed"] is True
    valid("offer", body["offer"])
    assert body["offer"]["username"] == "fatima.elidrissi" and body["offer"]["withdrawn_at"] is None
    [delivery] = receiver.requests
    assert delivery.headers["X-Discourse-Event-Type"] == "codev_offer"
    assert delivery.headers["X-Discourse-Event"] == "codev_offer_created"
    assert delivery.headers["X-Discourse-Event-Signature"] == _signed(delivery.body)
    payload = valid("offer_webhook", delivery.json())
    assert payload["codev_offer"] == {"topic_id": forum.need, "user_id": forum.user_ids["fatima.elidrissi"],
                                      "username": "fatima.elidrissi", "offered": True,
                                      "at": body["offer"]["created_at"]}


# offers_controller.rb#create: twice is one offer; #destroy sets withdrawn_at; offering again clears it
def test_offer_twice_is_one_offer_and_withdraw_sets_withdrawn_at(forum: Forum, receiver: Receiver) -> None:
    forum.push_need()
    add_hook(forum.sandbox, receiver.url, wildcard=True, events=[], secret=SECRET)
    path = f"/codev/topics/{forum.need}/offer.json"

    first = forum.expert.post(path).json()
    second = forum.expert.post(path).json()
    forum.sandbox.clock.advance(60)
    withdrawn = forum.expert.delete(path).json()
    withdrawn_again = forum.expert.delete(path).json()
    assert forum.sandbox.emitter.flush(5)
    listed = valid("offers_list", forum.staff.get(f"/codev/topics/{forum.need}/offers.json").json())

    assert (first["changed"], second["changed"]) == (True, False)
    assert (withdrawn["changed"], withdrawn_again["changed"]) == (True, False)
    for answer in (first, second, withdrawn, withdrawn_again):
        valid("offer", answer["offer"])
    assert withdrawn["offer"]["withdrawn_at"] is not None
    assert len(listed["offers"]) == 1
    assert listed["offers"][0]["withdrawn_at"] == withdrawn["offer"]["withdrawn_at"]
    events = sorted(r.headers["X-Discourse-Event"] for r in receiver.requests)
    assert events == ["codev_offer_created", "codev_offer_withdrawn"]  # a wildcard hook gets both
    withdrawal = next(r for r in receiver.requests
                      if r.headers["X-Discourse-Event"] == "codev_offer_withdrawn")
    assert valid("offer_webhook", withdrawal.json())["codev_offer"]["offered"] is False
    assert withdrawal.json()["codev_offer"]["at"] == withdrawn["offer"]["withdrawn_at"]


# lib/codev/guardian_extension.rb#can_offer_codev_help?: experts, while open or matched
def test_offer_access(forum: Forum) -> None:
    forum.push_need()
    path = f"/codev/topics/{forum.need}/offer.json"

    anonymous = forum.anonymous.post(path)
    member = forum.member.post(path)
    manager = forum.manager.post(path)
    staff = forum.staff.post(path)
    never_offered = forum.other_expert.delete(path)
    not_a_need = forum.expert.post(f"/codev/topics/{forum.review}/offer.json")
    forum.push_need(version="8", status="served")
    served = forum.expert.post(path)

    assert (anonymous.status_code, anonymous.json()["error_type"]) == (403, "not_logged_in")
    assert (member.status_code, member.json()["error_type"]) == (403, "invalid_access")
    assert manager.status_code == 403 and staff.status_code == 403
    assert never_offered.status_code == 404
    assert not_a_need.status_code == 404  # not a need (and hidden from experts)
    assert served.status_code == 403


# offers_controller.rb: before_action :ensure_staff, only: :index
def test_the_offers_list_is_staff_only(forum: Forum) -> None:
    forum.push_need()
    forum.expert.post(f"/codev/topics/{forum.need}/offer.json")
    forum.other_expert.post(f"/codev/topics/{forum.need}/offer.json")

    listed = valid("offers_list", forum.staff.get(f"/codev/topics/{forum.need}/offers.json").json())
    for client in (forum.manager, forum.expert, forum.anonymous):
        assert client.get(f"/codev/topics/{forum.need}/offers.json").status_code == 403

    assert [o["username"] for o in listed["offers"]] == ["fatima.elidrissi", "said.ouali"]


# db/fixtures/001_codev_web_hook_event_types.rb: the types exist (for web_hook_event_type_ids[]) only
# while the plugin is installed; a hook on other events does not get them
def test_hooks_subscribe_to_the_plugin_types_by_id(forum: Forum, receiver: Receiver) -> None:
    created = forum.staff.post("/admin/api/web_hooks.json", json={"web_hook": {
        "payload_url": receiver.url, "content_type": 1, "secret": SECRET, "active": True,
        "web_hook_event_type_ids": [90101, 90102]}})
    other = Receiver()
    try:
        add_hook(forum.sandbox, other.url, events=["topic_created", "post_created"])
        forum.push_need()
        forum.expert.post(f"/codev/topics/{forum.need}/offer.json")
        assert forum.sandbox.emitter.flush(5)
        assert other.requests == []
    finally:
        other.close()
    forum.sandbox.apply({"plugin_codev_enabled": False})
    refused = forum.staff.post("/admin/api/web_hooks.json", json={"web_hook": {
        "payload_url": receiver.url, "content_type": 1, "web_hook_event_type_ids": [90101]}})

    assert created.status_code == 200, created.text
    assert created.json()["web_hook"]["web_hook_event_types"] == [
        {"id": 90101, "name": "codev_offer_created", "group": None},
        {"id": 90102, "name": "codev_offer_withdrawn", "group": None}]
    assert [r.headers["X-Discourse-Event"] for r in receiver.requests] == ["codev_offer_created"]
    assert refused.status_code == 404


# --- serialised fields (plugin.rb add_to_serializer, lib/codev/topic_view_fields.rb) ------------

def test_codev_need_for_each_viewer(forum: Forum) -> None:
    forum.push_need()
    forum.expert.post(f"/codev/topics/{forum.need}/offer.json")
    path = f"/t/{forum.need}.json"

    expert = valid("topic_view_need", forum.expert.get(path).json()["codev_need"])
    other = valid("topic_view_need", forum.other_expert.get(path).json()["codev_need"])
    member = valid("topic_view_need", forum.member.get(path).json()["codev_need"])
    anonymous = valid("topic_view_need", forum.anonymous.get(path).json()["codev_need"])
    manager = valid("topic_view_need", forum.manager.get(path).json()["codev_need"])
    staff = valid("topic_view_need", forum.staff.get(path).json()["codev_need"])

    assert expert == {"status": "matched", "can_offer": True, "offered": True}
    assert other == example("topic_view_need__everyone")
    assert member == anonymous == {"status": "matched", "can_offer": False, "offered": False}
    manager_example = example("topic_view_need__manager")
    manager_example["review_topic_id"] = forum.review
    assert manager == staff == manager_example


def test_codev_introduction_for_the_expert_and_others(forum: Forum) -> None:
    forum.push_introduction()
    path = f"/t/{forum.introduction}.json"

    expert = valid("topic_view_introduction", forum.expert.get(path).json()["codev_introduction"])
    staff = valid("topic_view_introduction", forum.staff.get(path).json()["codev_introduction"])

    assert expert == {**example("topic_view_introduction__expert"), "need_topic_id": forum.need}
    assert staff["can_answer"] is False
    assert forum.member.get(path).status_code == 403  # a message others cannot see at all


def test_codev_status_on_topic_list_items(forum: Forum) -> None:
    forum.push_need()

    topics = forum.anonymous.get("/latest.json").json()["topic_list"]["topics"]

    need = next(t for t in topics if t["id"] == forum.need)
    assert valid("topic_list_item", need)["codev_status"] == "matched"
    assert all("codev_status" not in t for t in topics if t["id"] != forum.need)


# discourse_plugin/app/controllers/codev/experts_controller.rb, plugin.rb (user_card :codev_expert)
def test_expert_profiles_on_the_user_card(forum: Forum) -> None:
    profile = example("expert_profile__full")
    path = "/codev/users/fatima.elidrissi.json"

    first = valid("update_response", forum.staff.put(path, json=profile).json())
    again = valid("update_response", forum.staff.put(path, json=profile).json())
    card = forum.member.get("/u/fatima.elidrissi.json").json()["user"]
    invalid = forum.staff.put(path, json=json.loads(
        (CONTRACT / "examples" / "invalid" / "expert_profile__availability_number.json").read_text()))
    unknown = forum.staff.put("/codev/users/nobody.json", json=profile)
    refused = forum.manager.put(path, json=profile)
    forgotten = forum.staff.delete(path)

    assert first == {"id": "fatima.elidrissi", "version": "4", "changed": True}
    assert again["changed"] is False
    assert valid("user_card_expert", card["codev_expert"]) == {
        key: profile[key] for key in ("skills", "languages", "availability")}
    assert invalid.status_code == 422 and unknown.status_code == 404 and refused.status_code == 403
    assert forgotten.json() == {"success": "OK"}
    assert "codev_expert" not in forum.member.get("/u/fatima.elidrissi.json").json()["user"]


# docs/plugin.md: topic webhooks carry codev_need, rendered for the system user
def test_topic_webhooks_carry_codev_need_as_system_sees_it(forum: Forum, receiver: Receiver) -> None:
    forum.push_need()
    add_hook(forum.sandbox, receiver.url, events=["topic_edited"])

    forum.staff.put(f"/t/-/{forum.need}.json",
                    json={"title": "Réseau d'eau potable du douar Tighmi (Tiznit)"})
    assert forum.sandbox.emitter.flush(5)

    [delivery] = receiver.requests
    need = valid("topic_view_need", delivery.json()["topic"]["codev_need"])
    assert need["version"] == "sha1:3f2a9c0d" and need["review_topic_id"] == forum.review


# --- lib/codev/forget.rb ------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["destroy", "anonymize"])
def test_a_deleted_or_anonymised_user_leaves_no_offer_nor_profile(forum: Forum, how: str) -> None:
    forum.push_need()
    forum.expert.post(f"/codev/topics/{forum.need}/offer.json")
    forum.staff.put("/codev/users/fatima.elidrissi.json", json=example("expert_profile__full"))
    user_id = forum.user_ids["fatima.elidrissi"]

    if how == "destroy":
        answer = forum.staff.delete(f"/admin/users/{user_id}.json", params={"delete_posts": "true"})
    else:
        answer = forum.staff.put(f"/admin/users/{user_id}/anonymize.json")

    assert answer.status_code == 200, answer.text
    listed = valid("offers_list", forum.staff.get(f"/codev/topics/{forum.need}/offers.json").json())
    assert listed["offers"] == []
    with forum.sandbox.state.transaction() as state:
        assert user_id not in state.codev_expert_profiles


# offers_controller.rb#create: RateLimiter.new(current_user, "codev-offer-#{topic.id}", 10, 1.hour)
def test_an_expert_offers_at_most_ten_times_an_hour_on_one_need(forum: Forum) -> None:
    forum.push_need()
    path = f"/codev/topics/{forum.need}/offer.json"

    answers = [forum.expert.post(path) for _ in range(11)]
    forum.sandbox.clock.advance(3600)
    later = forum.expert.post(path)

    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[-1].json()["error_type"] == "rate_limit"
    assert later.status_code == 200


# config/settings.yml: codev_needs_category is a category setting, empty by default
def test_the_plugin_settings_are_switches(forum: Forum) -> None:
    control = forum.staff.post("/_sandbox/settings", json={"codev_needs_category": None,
                                                          "codev_experts_group": "animateurs"})
    forum.push_need()
    offered = forum.manager.post(f"/codev/topics/{forum.need}/offer.json")
    bad = forum.staff.post("/_sandbox/settings", json={"codev_needs_category": "besoins"})

    assert control.status_code == 200
    assert forum.staff.get("/_sandbox/settings").json()["codev_needs_category"] is None
    assert valid("offer", offered.json()["offer"])["username"] == "amina"
    assert bad.status_code == 400
