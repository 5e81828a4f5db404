"""The discourse-codev plugin's JSON: its serialised fields, offers and webhook body (codev.schema.json)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from discourse_sandbox.core.contract import contract_version, plugin_version
from discourse_sandbox.core.event_types import CODEV_OFFER_TYPES
from discourse_sandbox.core.guardian import (
    can_answer_codev_introduction,
    can_offer_codev_help,
    can_see_codev_candidates,
)
from discourse_sandbox.core.records import CodevOffer, Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State

PLUGIN_NAME = "discourse-codev"


def iso8601(moment: datetime) -> str:
    """Ruby's Time#utc.iso8601: seconds, Z, no milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_json() -> dict[str, Any]:
    """StatusController#show ($defs/plugin_status)."""
    return {"plugin": PLUGIN_NAME, "version": plugin_version(), "contract_version": contract_version(),
            "offer_events": dict(CODEV_OFFER_TYPES)}


def need_json(state: State, settings: SandboxSettings, topic: Topic, viewer: User | None) -> dict[str, Any]:
    """TopicViewFields.need ($defs/topic_view_need): candidates and the rest for managers only."""
    stored = state.codev_topic_states[topic.id]
    offered = viewer is not None and any(
        o.topic_id == topic.id and o.user_id == viewer.id and o.active for o in state.codev_offers.values())
    fields: dict[str, Any] = {
        "status": stored.status,
        "can_offer": can_offer_codev_help(state, settings, topic, viewer),
        "offered": offered,
    }
    if not can_see_codev_candidates(state, settings, topic, viewer):
        return fields
    data = stored.data
    fields.update({
        "review_topic_id": data.get("review_topic_id"),
        "candidates": data.get("candidates") or [],
        "volunteers": data.get("volunteers") or [],
        "updated_at": data.get("updated_at"),
        "version": stored.version,
    })
    return fields


def introduction_json(state: State, topic: Topic, viewer: User | None) -> dict[str, Any]:
    """TopicViewFields.introduction ($defs/topic_view_introduction)."""
    data = state.codev_topic_states[topic.id].data
    return {"need_topic_id": data.get("need_topic_id"), "expert_username": data.get("expert_username"),
            "state": data.get("state"), "can_answer": can_answer_codev_introduction(state, topic, viewer)}


def topic_fields(state: State, settings: SandboxSettings, topic: Topic,
                 viewer: User | None) -> dict[str, Any]:
    """What the plugin adds to the topic view: codev_need or codev_introduction (nothing when off)."""
    stored = state.codev_topic_states.get(topic.id)
    if not settings.plugin_codev_enabled or stored is None:
        return {}
    if stored.kind == "need":
        return {"codev_need": need_json(state, settings, topic, viewer)}
    return {"codev_introduction": introduction_json(state, topic, viewer)}


def list_item_fields(state: State, settings: SandboxSettings, topic: Topic) -> dict[str, Any]:
    """What the plugin adds to a topic list item: codev_status, on needs only."""
    stored = state.codev_topic_states.get(topic.id)
    if not settings.plugin_codev_enabled or stored is None or stored.kind != "need":
        return {}
    return {"codev_status": stored.status}


def user_card_fields(state: State, settings: SandboxSettings, user: User) -> dict[str, Any]:
    """What the plugin adds to the user card: codev_expert ($defs/user_card_expert), for profiled users."""
    profile = state.codev_expert_profiles.get(user.id)
    if not settings.plugin_codev_enabled or profile is None:
        return {}
    return {"codev_expert": {key: profile.data.get(key) for key in ("skills", "languages", "availability")}}


def offer_json(state: State, offer: CodevOffer) -> dict[str, Any]:
    """OffersController#serialize ($defs/offer)."""
    return {"topic_id": offer.topic_id, "user_id": offer.user_id,
            "username": state.users[offer.user_id].username, "created_at": iso8601(offer.created_at),
            "withdrawn_at": iso8601(offer.withdrawn_at) if offer.withdrawn_at else None}


def offers_list_json(state: State, topic_id: int, offers: list[CodevOffer]) -> dict[str, Any]:
    """OffersController#index ($defs/offers_list)."""
    return {"topic_id": topic_id, "offers": [offer_json(state, o) for o in offers]}


def offer_webhook_json(state: State, offer: CodevOffer) -> dict[str, Any]:
    """OfferEvents.payload: what the body carries under "codev_offer" ($defs/offer_webhook)."""
    return {"topic_id": offer.topic_id, "user_id": offer.user_id,
            "username": state.users[offer.user_id].username, "offered": offer.active,
            "at": iso8601(offer.withdrawn_at or offer.updated_at)}
