"""Behaviours checked line by line against Discourse's source, each test naming the file it follows."""

from __future__ import annotations

from typing import Any

from discourse_sandbox import Sandbox
from discourse_sandbox.core.event_types import EVENT_TYPES
from discourse_sandbox.seed.web_hooks import seed_web_hooks
from tests.conftest import SandboxClient
from tests.sandbox.integration.test_sandbox_posts import RAW, add_user, create_topic
from tests.sandbox.integration.test_sandbox_webhooks import Receiver, add_hook
from tests.sandbox.integration.test_sandbox_webhooks import receiver as receiver

# --- event type names ----------------------------------------------------------------------


def _listed_types(api: SandboxClient) -> dict[str, int]:
    grouped = api.get("/admin/api/web_hooks.json").json()["extras"]["grouped_event_types"]
    return {t["name"]: t["id"] for types in grouped.values() for t in types}


def test_group_membership_event_types_carry_the_fixture_names_and_ids(api: SandboxClient) -> None:
    # Discourse: db/fixtures/007_web_hook_event_types.rb, app/models/web_hook_event_type.rb (TYPES)
    listed = _listed_types(api)

    assert listed["user_added_to_group"] == 1401
    assert listed["user_removed_from_group"] == 1402
    assert listed["post_liked"] == 1501
    assert listed["user_promoted"] == 1601
    assert "group_user_added" not in listed and "like_created" not in listed


def test_plugin_event_types_are_named_as_the_fixture_names_them() -> None:
    # Discourse: db/fixtures/007_web_hook_event_types.rb (names), spec/models/web_hook_event_type_spec.rb
    assert EVENT_TYPES["accepted_solution"] == (1101, "solved")
    assert EVENT_TYPES["unaccepted_solution"] == (1102, "solved")
    assert EVENT_TYPES["assigned"] == (1201, "assign")
    assert EVENT_TYPES["unassigned"] == (1202, "assign")
    assert EVENT_TYPES["topic_upvote"] == (1701, "voting")
    assert EVENT_TYPES["topic_unvote"] == (1702, "voting")


def test_a_hook_subscribed_by_id_lists_the_database_name(api: SandboxClient) -> None:
    # Discourse: app/serializers/web_hook_event_type_serializer.rb reads web_hook_event_types.name
    r = api.post("/admin/api/web_hooks.json", json={"web_hook": {
        "payload_url": "https://codev.example.org/h", "web_hook_event_type_ids": [1401, 1402]}})

    assert r.status_code == 200
    names = [t["name"] for t in r.json()["web_hook"]["web_hook_event_types"]]
    assert names == ["user_added_to_group", "user_removed_from_group"]


def test_a_seed_may_name_events_by_their_types_key(sandbox: Sandbox) -> None:
    # Discourse: app/models/web_hook_event_type.rb (TYPES keys map to the same ids)
    entry: dict[str, Any] = {"payload_url": "https://codev.example.org/h", "active": True,
                             "events": ["group_user_added", "user_removed_from_group"]}
    seed_web_hooks(sandbox, [entry])

    hook = sandbox.state.web_hooks[max(sandbox.state.web_hooks)]
    assert sorted(hook.web_hook_event_type_ids) == [1401, 1402]


# --- tags-only edits and the topic payload -------------------------------------------------

def _hooked(sandbox: Sandbox, receiver: Receiver, events: list[str]) -> None:
    sandbox.settings.allowed_internal_hosts = ["127.0.0.1"]  # as an operator lists the receiver
    add_hook(sandbox, receiver.url, events=events)


def _put_tags(api: SandboxClient, sandbox: Sandbox, topic_id: int, tags: list[str]) -> None:
    r = api.put(f"/t/{topic_id}/tags.json", data={"tags[]": tags})
    assert r.status_code == 200, r.text
    assert sandbox.emitter.flush(5)


def test_tags_only_edit_fires_topic_edited_only(sandbox: Sandbox, api: SandboxClient,
                                                receiver: Receiver) -> None:
    # Discourse: config/initializers/012-web_hook_events.rb (first post and topic_changed: topic hooks only)
    _hooked(sandbox, receiver, ["topic_edited", "post_edited"])
    post = create_topic(api)

    _put_tags(api, sandbox, post["topic_id"], ["eau"])

    assert [r.headers["X-Discourse-Event"] for r in receiver.requests] == ["topic_edited"]


def test_unchanged_tags_still_fire_topic_edited(sandbox: Sandbox, api: SandboxClient,
                                                receiver: Receiver) -> None:
    # Discourse: app/controllers/topics_controller.rb#update_tags, lib/post_revisor.rb#topic_changed?
    _hooked(sandbox, receiver, ["topic_edited"])
    post = create_topic(api, **{"tags[]": ["eau"]})

    _put_tags(api, sandbox, post["topic_id"], ["eau"])

    assert [r.headers["X-Discourse-Event"] for r in receiver.requests] == ["topic_edited"]


def test_topic_payload_has_no_updated_at_bumped_at_or_version(sandbox: Sandbox, api: SandboxClient,
                                                              receiver: Receiver) -> None:
    # Discourse: app/serializers/web_hook_topic_view_serializer.rb
    _hooked(sandbox, receiver, ["topic_edited"])
    post = create_topic(api)

    _put_tags(api, sandbox, post["topic_id"], ["eau"])

    topic = receiver.requests[0].json()["topic"]
    assert not {"updated_at", "bumped_at", "version", "post_stream", "details", "image_url",
                "slow_mode_seconds", "slow_mode_enabled_until", "bookmarks", "draft"} & set(topic)
    assert {"created_by", "last_poster", "tags"} <= set(topic)


def test_tags_a_then_b_then_a_gives_a_body_identical_to_the_first(sandbox: Sandbox, api: SandboxClient,
                                                                 receiver: Receiver) -> None:
    # Discourse: app/serializers/web_hook_topic_view_serializer.rb,
    # app/serializers/concerns/topic_tags_mixin.rb (tags by use count)
    _hooked(sandbox, receiver, ["topic_edited"])
    post = create_topic(api)
    sandbox.clock.advance(30)

    for tags in (["eau", "forage"], ["irrigation"], ["forage", "eau"]):
        _put_tags(api, sandbox, post["topic_id"], tags)
        sandbox.clock.advance(30)

    bodies = [r.body for r in receiver.requests]
    assert len(bodies) == 3
    assert bodies[2] == bodies[0] and bodies[1] != bodies[0]


def test_a_reply_edit_fires_post_edited(sandbox: Sandbox, api: SandboxClient, receiver: Receiver) -> None:
    # Discourse: config/initializers/012-web_hook_events.rb (not a first post: post hooks)
    _hooked(sandbox, receiver, ["topic_edited", "post_edited"])
    post = create_topic(api)
    reply = api.post("/posts.json", data={"topic_id": post["topic_id"], "raw": RAW + " Réponse."}).json()

    api.put(f"/posts/{reply['id']}.json", data={"post[raw]": RAW + " Réponse corrigée."})
    assert sandbox.emitter.flush(5)

    assert [r.headers["X-Discourse-Event"] for r in receiver.requests] == ["post_edited"]


# --- versions: up, same, down --------------------------------------------------------------

def _version(api: SandboxClient, post_id: int) -> int:
    return int(api.get(f"/posts/{post_id}.json").json()["version"])


def _edit(api: SandboxClient, post_id: int, raw: str) -> None:
    r = api.put(f"/posts/{post_id}.json", data={"post[raw]": raw})
    assert r.status_code == 200, r.text


def test_an_edit_by_the_author_within_the_grace_period_makes_no_version(api: SandboxClient,
                                                                        sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#should_create_new_version?, #grace_period_edit?
    add_user(sandbox, "fatima")
    fatima = api.as_user("fatima")
    post = create_topic(fatima)
    sandbox.clock.advance(60)

    _edit(fatima, post["id"], RAW + " Une précision.")

    assert _version(api, post["id"]) == 1


def test_an_edit_after_the_grace_period_makes_a_version(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#grace_period_edit? (editing_grace_period 300 s)
    add_user(sandbox, "fatima")
    fatima = api.as_user("fatima")
    post = create_topic(fatima)
    sandbox.clock.advance(301)

    _edit(fatima, post["id"], RAW + " Une précision.")

    assert _version(api, post["id"]) == 2


def test_an_edit_by_another_user_makes_a_version_at_once(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#edited_by_another_user?
    add_user(sandbox, "fatima")
    post = create_topic(api.as_user("fatima"))

    _edit(api, post["id"], RAW + " Précision du modérateur.")

    assert _version(api, post["id"]) == 2


def test_a_large_change_within_the_grace_period_makes_a_version(api: SandboxClient,
                                                                sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#grace_period_edit? (editing_grace_period_max_diff 100 below TL2)
    add_user(sandbox, "fatima")
    fatima = api.as_user("fatima")
    post = create_topic(fatima)

    _edit(fatima, post["id"], RAW + " Une précision." + " Détail du terrain et des pompes." * 4)

    assert _version(api, post["id"]) == 2


def test_undoing_the_last_revision_within_the_grace_period_lowers_the_version(api: SandboxClient,
                                                                              sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#update_revision (modifications empty: revision destroyed, version -= 1)
    add_user(sandbox, "fatima")
    post = create_topic(api.as_user("fatima"))
    _edit(api, post["id"], RAW + " Précision du modérateur.")
    assert _version(api, post["id"]) == 2
    sandbox.clock.advance(60)

    _edit(api, post["id"], RAW)

    assert _version(api, post["id"]) == 1
    assert sandbox.state.posts[post["id"]].revisions == {}


def test_a_moderator_tagging_then_untagging_leaves_the_earlier_version(api: SandboxClient,
                                                                       sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#update_revision, spec/lib/post_revisor_spec.rb ("destroys last revision")
    add_user(sandbox, "fatima")
    post = create_topic(api.as_user("fatima"))

    api.put(f"/t/{post['topic_id']}/tags.json", data={"tags[]": ["eau"]})
    assert _version(api, post["id"]) == 2
    sandbox.clock.advance(60)
    api.put(f"/t/{post['topic_id']}/tags.json", data={"tags[]": []})

    assert _version(api, post["id"]) == 1


def test_a_partial_undo_keeps_the_version(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#update_revision (a field still changed keeps the revision)
    add_user(sandbox, "fatima")
    post = create_topic(api.as_user("fatima"))
    _edit(api, post["id"], RAW + " Précision du modérateur.")
    sandbox.clock.advance(60)

    _edit(api, post["id"], RAW + " Précision du modérateur, revue.")

    assert _version(api, post["id"]) == 2
    assert sandbox.state.posts[post["id"]].revisions[2].modifications["raw"][0] == RAW


def test_topic_tags_go_by_use_count_then_id_whatever_order_they_were_given_in(api: SandboxClient) -> None:
    # Discourse: app/serializers/concerns/topic_tags_mixin.rb (sort_by topic count, then reverse)
    create_topic(api, title="Pompe solaire pour le puits de Tiznit", **{"tags[]": ["sig"]})
    post = create_topic(api, **{"tags[]": ["eau", "forage", "sig"]})

    tags = api.get(f"/t/{post['topic_id']}.json").json()["tags"]

    assert [t["name"] for t in tags] == ["sig", "forage", "eau"]


# --- whispers for tag and category changes -------------------------------------------------

def _posts_of(sandbox: Sandbox, topic_id: int) -> list[Any]:
    return sandbox.state.posts_of_topic(topic_id)


def test_tag_changes_add_no_post_by_default(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb#create_small_action_for_tag_changes (setting off, no whisper groups)
    post = create_topic(api)

    api.put(f"/t/{post['topic_id']}/tags.json", data={"tags[]": ["eau"]})

    assert len(_posts_of(sandbox, post["topic_id"])) == 1


def _whispers_on(sandbox: Sandbox) -> None:
    sandbox.apply({"create_post_for_category_and_tag_changes": True, "whispers_allowed_groups": "3"})


def test_a_tag_change_adds_a_tags_changed_whisper_and_fires_post_created(api: SandboxClient,
                                                                         sandbox: Sandbox,
                                                                         receiver: Receiver) -> None:
    # Discourse: lib/post_revisor.rb (track_topic_field :tags, create_small_action_for_tag_changes,
    # tags_changed_raw), app/models/topic.rb#add_moderator_post
    _whispers_on(sandbox)
    _hooked(sandbox, receiver, ["post_created"])
    post = create_topic(api, **{"tags[]": ["sig"]})
    assert sandbox.emitter.flush(5)
    receiver.requests.clear()

    _put_tags(api, sandbox, post["topic_id"], ["forage", "eau"])

    whisper = _posts_of(sandbox, post["topic_id"])[-1]
    assert (whisper.post_type, whisper.action_code) == (4, "tags_changed")
    assert whisper.raw == "Added #eau, #forage and removed #sig"
    [delivery] = receiver.requests
    assert delivery.headers["X-Discourse-Event"] == "post_created"
    assert delivery.json()["post"]["post_type"] == 4


def test_a_category_change_adds_a_category_changed_whisper(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb (track_topic_field :category_id, create_small_action_for_category_change)
    _whispers_on(sandbox)
    category = api.post("/categories.json", data={"name": "Irrigation", "color": "0088CC",
                                                   "text_color": "FFFFFF"}).json()["category"]
    post = create_topic(api)

    api.put(f"/t/-/{post['topic_id']}.json", data={"category_id": category["id"]})

    whisper = _posts_of(sandbox, post["topic_id"])[-1]
    assert (whisper.post_type, whisper.action_code) == (4, "category_changed")
    assert whisper.raw == "Moved from #uncategorized to #irrigation"


def test_no_whisper_without_whisper_groups(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/post_revisor.rb (whispers_allowed_groups blank: no small action)
    sandbox.apply({"create_post_for_category_and_tag_changes": True})
    post = create_topic(api)

    api.put(f"/t/{post['topic_id']}/tags.json", data={"tags[]": ["eau"]})

    assert len(_posts_of(sandbox, post["topic_id"])) == 1


def test_whispers_are_not_counted_nor_shown_to_members(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: app/models/topic.rb#reset_highest (whispers not counted), lib/guardian.rb (can_see_whispers?)
    _whispers_on(sandbox)
    add_user(sandbox, "fatima")
    post = create_topic(api)
    api.put(f"/t/{post['topic_id']}/tags.json", data={"tags[]": ["eau"]})

    as_member = api.as_user("fatima").get(f"/t/{post['topic_id']}.json").json()
    as_staff = api.get(f"/t/{post['topic_id']}.json").json()

    assert as_member["posts_count"] == as_staff["posts_count"] == 1
    assert len(as_member["post_stream"]["stream"]) == 1
    assert len(as_staff["post_stream"]["stream"]) == 2


# --- internal hosts ------------------------------------------------------------------------

def _new_hook(api: SandboxClient, url: str) -> int:
    return api.post("/admin/api/web_hooks.json", data={"web_hook[payload_url]": url,
                                                       "web_hook[wildcard_web_hook]": "true"}).status_code


def test_no_internal_host_is_allowed_by_default(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/final_destination/ssrf_detector.rb (PRIVATE_IP_RANGES, allowed_internal_hosts "")
    assert sandbox.settings.allowed_internal_hosts == []
    assert [_new_hook(api, f"http://{h}:8000/hook") for h in ("127.0.0.1", "[::1]", "10.1.2.3",
                                                              "192.168.1.9", "localhost")] == [422] * 5


def test_a_name_is_resolved_before_it_is_checked(api: SandboxClient, sandbox: Sandbox) -> None:
    # Discourse: lib/final_destination/ssrf_detector.rb#lookup_and_filter_ips (resolve, then filter)
    sandbox.apply({"resolve_hosts": ["codev-proxy=172.18.0.5", "codev.example.org=93.184.215.14"]})

    assert _new_hook(api, "http://codev-proxy:8000/hook") == 422
    assert _new_hook(api, "https://codev.example.org/hook") == 200
    sandbox.apply({"allowed_internal_hosts": "codev-proxy"})
    assert _new_hook(api, "http://codev-proxy:8000/hook") == 200


def test_a_name_that_does_not_resolve_is_refused(api: SandboxClient) -> None:
    # Discourse: lib/final_destination/ssrf_detector.rb (LookupFailedError)
    assert _new_hook(api, "http://nowhere.invalid/hook") == 422


def test_the_host_is_checked_again_when_delivering(sandbox: Sandbox, receiver: Receiver) -> None:
    # Discourse: lib/final_destination/ssrf_detector.rb (IPs re-checked at request time)
    _hooked(sandbox, receiver, ["topic_created"])
    sandbox.apply({"allowed_internal_hosts": ""})

    sandbox.emitter.emit("topic_created", {"id": 7})
    assert sandbox.emitter.flush(5)

    assert receiver.requests == []


# --- minimum lengths -----------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _post(api: SandboxClient, **data: Any) -> int:
    return api.post("/posts.json", data=data).status_code


def test_minimum_lengths_are_discourses_defaults(sandbox: Sandbox) -> None:
    # Discourse: config/site_settings.yml (posting: min_post_length 20, min_first_post_length 20,
    # min_personal_message_post_length 10, min_topic_title_length 15, min_personal_message_title_length 2)
    s = sandbox.settings
    assert (s.min_post_length, s.min_first_post_length, s.min_personal_message_post_length,
            s.min_topic_title_length, s.min_personal_message_title_length) == (20, 20, 10, 15, 2)


def test_topic_title_and_first_post_need_15_and_20_characters(api: SandboxClient) -> None:
    # Discourse: config/site_settings.yml, app/models/topic.rb (title), lib/validators/post_validator.rb
    assert _post(api, title=LETTERS[:14], raw=LETTERS[:20]) == 422
    assert _post(api, title=LETTERS[:15], raw=LETTERS[:19]) == 422
    assert _post(api, title=LETTERS[:15], raw=LETTERS[:20]) == 200


def test_a_reply_needs_20_characters(api: SandboxClient) -> None:
    # Discourse: config/site_settings.yml (min_post_length), lib/validators/post_validator.rb
    post = create_topic(api)

    assert _post(api, topic_id=post["topic_id"], raw=LETTERS[:19]) == 422
    assert _post(api, topic_id=post["topic_id"], raw=LETTERS[:20]) == 200


def test_a_message_needs_a_2_character_title_and_a_10_character_body(api: SandboxClient,
                                                                     sandbox: Sandbox) -> None:
    # Discourse: config/site_settings.yml (min_personal_message_title_length, _post_length)
    add_user(sandbox, "fatima")
    pm = {"archetype": "private_message", "target_recipients": "fatima"}

    assert _post(api, title="A", raw=LETTERS[:10], **pm) == 422
    assert _post(api, title="Ab", raw=LETTERS[:9], **pm) == 422
    assert _post(api, title="Ab", raw=LETTERS[:10], **pm) == 200
