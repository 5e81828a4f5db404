"""Webhook bodies: strict decoding and the event table, on bodies recorded from the sandbox."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_service.adapters.discourse.payloads import (
    EVENTS,
    IGNORED,
    UNKNOWN_EVENT,
    Delivery,
    MalformedDelivery,
    decode_body,
    read_delivery,
)
from sync_service.services.ports.storage import EntityRef
from tests import paths

FIXTURES = paths.FIXTURES


def fixture(name: str) -> tuple[str, str, bytes]:
    """(event, event type, body) of a recorded delivery named <event>__<case>.json."""
    body = (FIXTURES / f"{name}.json").read_bytes()
    return name.split("__")[0], next(iter(json.loads(body))), body


def read(name: str) -> Delivery:
    event, event_type, body = fixture(name)
    return read_delivery(event, event_type, "7", body)


def reason(event: str | None, event_type: str | None, body: bytes, event_id: str | None = "7") -> str:
    with pytest.raises(MalformedDelivery) as caught:
        read_delivery(event, event_type, event_id, body)
    return caught.value.reason


# --- the event table ------------------------------------------------------------------------------

def test_topic_created_asks_for_the_need_by_topic_id() -> None:
    delivery = read("topic_created__need_form_labels")
    topic_id = json.loads(fixture("topic_created__need_form_labels")[2])["topic"]["id"]

    assert delivery.ref == EntityRef("need", str(topic_id), "topic_created")
    assert delivery.hint["topic_id"] == topic_id and delivery.ignored_because is None


@pytest.mark.parametrize("example", ["offer_webhook__created", "offer_webhook__withdrawn"])
def test_the_plugins_offer_events_ask_for_the_needs_offers(example: str) -> None:
    # the bodies are the plugin contract's own examples (discourse_plugin/contract/examples)
    body = (paths.ROOT / "discourse_plugin/contract/examples" / f"{example}.json").read_bytes()
    offer = json.loads(body)["codev_offer"]
    event = "codev_offer_created" if offer["offered"] else "codev_offer_withdrawn"

    delivery = read_delivery(event, "codev_offer", "7", body)

    assert delivery.ref == EntityRef("offers", str(offer["topic_id"]), event)
    assert delivery.hint == {"topic_id": offer["topic_id"], "user_id": offer["user_id"],
                             "username": offer["username"]}


def test_first_post_asks_for_its_topic() -> None:
    delivery = read("post_created__need_form_labels")

    assert delivery.ref is not None and delivery.ref.kind == "need"
    assert delivery.hint["post_number"] == 1 and "raw" not in delivery.hint


def test_reply_asks_for_its_thread_with_its_ids() -> None:
    delivery = read("post_created__reply")

    assert delivery.ref == EntityRef("thread", "25", "post_created") and delivery.ignored_because is None
    assert delivery.hint["post_number"] == 2 and "raw" not in delivery.hint


def test_edited_reply_asks_for_its_thread() -> None:
    post = json.loads(fixture("post_created__reply")[2])["post"]
    body = json.dumps({"post": {**post, "version": 2}}).encode()

    delivery = read_delivery("post_edited", "post", "9", body)

    assert delivery.ref == EntityRef("thread", "25", "post_edited")


def test_deleted_reply_is_kept_as_ignored() -> None:
    post = json.loads(fixture("post_created__reply")[2])["post"]
    body = json.dumps({"post": post}).encode()

    delivery = read_delivery("post_destroyed", "post", "9", body)

    assert delivery.ref is None and delivery.ignored_because == "not a first post"


@pytest.mark.parametrize("name", ["topic_edited__need_title", "topic_closed_status_updated__need",
                                  "topic_destroyed__need",
                                  "post_destroyed__need", "post_edited__need_first_post"])
def test_topic_and_first_post_events_ask_for_the_need(name: str) -> None:
    assert read(name).ref is not None and read(name).ref.kind == "need"  # type: ignore[union-attr]


def test_a_private_message_topic_asks_for_nothing_a_pm_is_never_a_need() -> None:
    # codev's own introductions and digests would otherwise each cost a refetch of the admin budget
    delivery = read("topic_created__private_message")

    assert delivery.ref is None and delivery.ignored_because == "a private message's topic"


@pytest.mark.parametrize("name", ["user_updated__expert_profile", "user_created__new_member",
                                  "user_suspended__member", "user_destroyed__member"])
def test_user_events_ask_for_the_person_and_keep_no_email(name: str) -> None:
    delivery = read(name)
    user = json.loads(fixture(name)[2])["user"]

    assert delivery.ref == EntityRef("person", str(user["id"]), name.split("__")[0])
    assert delivery.hint == {"user_id": user["id"], "username": user["username"]}
    assert "@" not in json.dumps(delivery.hint)


def test_membership_events_ask_for_the_person() -> None:
    body = json.dumps({"group_user": {"id": 5, "group_id": 41, "user_id": 12}}).encode()

    delivery = read_delivery("user_added_to_group", "group_user", None, body)

    assert delivery.ref == EntityRef("person", "12", "user_added_to_group")


def test_moderator_small_action_post_is_ignored() -> None:
    delivery = read("post_created__small_action_closed")

    assert delivery.ref is None and delivery.ignored_because == "not a written reply"


def test_ignored_events_are_stored_without_a_hint() -> None:
    delivery = read("category_created__annonces")

    assert "category_created" in IGNORED and delivery.ref is None
    assert delivery.ignored_because == "ignored event" and not delivery.hint


def test_unknown_event_is_recorded_as_unknown() -> None:
    delivery = read_delivery("kudos_given", "kudos", "3", b'{"kudos": {"id": 1, "email": "a@b.c"}}')

    assert delivery.ignored_because == UNKNOWN_EVENT and delivery.ref is None and not delivery.hint


def test_ping_is_a_ping() -> None:
    assert read("ping__ok").is_ping


def test_event_table_and_ignored_set_do_not_overlap() -> None:
    assert not set(EVENTS) & IGNORED


# --- refusals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "expected"), [
    (b'\xff{"topic": {"id": 1}}', "not_utf8"),
    (b'{"topic": {"id": 1}', "not_json"),
    (b"", "not_json"),
    (b'\xef\xbb\xbf{"topic": {"id": 1}}', "not_json"),               # a BOM
    (b'{"topic": {"id": NaN}}', "json_constant"),
    (b'{"topic": {"id": 1, "x": -Infinity}}', "json_constant"),
    (b'{"topic": {"id": 1, "id": 2}}', "json_duplicate_key"),
    (b'{"topic": {"id": 1, "title": "a\\u0000b"}}', "json_nul"),
    (b'{"topic": {"id": 1, "title": "\\ud800"}}', "json_surrogate"),
    (b'{"topic": {"id": 1, "\\udfff": 1}}', "json_surrogate"),
    (b'{"topic": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "json_too_deep"),
    (b'{"topic": {"id": 1, "x": ' + b"[" * 40 + b"]" * 40 + b"}}", "json_too_deep"),
    (b'{"topic": {"id": 1' + b"0" * 5000 + b"}}", "not_json"),     # past int's digit limit
    (b'{"topic": {"id": "12"}}', "wrong_type"),
    (b'{"topic": {"id": true}}', "wrong_type"),
    (b'{"topic": {"id": 1.5}}', "wrong_type"),
    (b'{"topic": {"id": 99999999999999999999}}', "wrong_type"),
    (b'{"topic": {"title": "no id"}}', "wrong_type"),
    (b'{"topic": {"id": 1, "category_id": "2"}}', "wrong_type"),
    (b'{"topic": {"id": 1}, "post": {"id": 2}}', "wrong_shape"),
    (b'{"post": {"id": 1}}', "wrong_shape"),
    (b'[{"topic": {"id": 1}}]', "wrong_shape"),
    (b'{"topic": [1]}', "wrong_shape"),
])
def test_bad_topic_bodies_are_refused(body: bytes, expected: str) -> None:
    assert reason("topic_created", "topic", body) == expected


def test_user_without_a_username_is_refused() -> None:
    assert reason("user_updated", "user", b'{"user": {"id": 4, "username": 4}}') == "wrong_type"


def test_post_without_post_number_is_refused() -> None:
    assert reason("post_created", "post", b'{"post": {"id": 4, "topic_id": 2}}') == "wrong_type"


def test_relabelled_body_with_another_event_type_is_refused() -> None:
    _, _, body = fixture("user_updated__expert_profile")

    assert reason("topic_destroyed", "user", body) == "event_type_mismatch"


@pytest.mark.parametrize(("event", "event_type", "event_id", "expected"), [
    (None, "topic", "1", "bad_event_header"),
    ("Topic Created", "topic", "1", "bad_event_header"),
    ("topic_created", None, "1", "bad_event_type_header"),
    ("topic_created", "topic;drop", "1", "bad_event_type_header"),
    ("topic_created", "topic", "12a", "bad_event_id_header"),
])
def test_bad_headers_are_refused(event: str | None, event_type: str | None, event_id: str | None,
                                 expected: str) -> None:
    assert reason(event, event_type, b'{"topic": {"id": 1}}', event_id) == expected


@pytest.mark.parametrize("body", [b'"\\u0000"', b'["\\ud83d"]', b'{"a\\u0000": 1}'])
def test_nul_and_lone_surrogates_are_refused_anywhere(body: bytes) -> None:
    with pytest.raises(MalformedDelivery):
        decode_body(body)


def test_escaped_surrogate_pair_and_literal_backslash_u_are_text() -> None:
    assert decode_body(b'["\\ud83d\\ude00", "\\\\u0000"]') == ["\U0001f600", "\\u0000"]


def test_decoded_body_is_plain_json() -> None:
    assert decode_body('{"a": [1, 2.5, null, true, "é"]}'.encode()) == {"a": [1, 2.5, None, True, "é"]}


# --- properties -----------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_events = st.sampled_from([*EVENTS, *sorted(IGNORED)[:5], "ping", "odd_event"])
_types = st.sampled_from(["topic", "post", "user", "group_user", "ping", "odd"])


@settings(max_examples=300, deadline=None)
@given(event=_events, event_type=_types, body=st.binary(max_size=200))
def test_random_bytes_are_refused_or_read_never_crash(event: str, event_type: str, body: bytes) -> None:
    with contextlib.suppress(MalformedDelivery):
        read_delivery(event, event_type, "1", body)


@settings(max_examples=150, deadline=None)
@given(event=_events, event_type=_types, payload=_json)
def test_random_json_is_refused_or_read_never_crash(event: str, event_type: str, payload: object) -> None:
    body = json.dumps({event_type: payload}).encode()
    try:
        delivery = read_delivery(event, event_type, "1", body)
    except MalformedDelivery:
        return
    assert delivery.ref is None or delivery.ref.key.lstrip("-").isdigit()
