"""The sandbox's EventSink: serializes each event as it happens, queues it once committed.

The payloads are the routes' serializers in their webhook flavour (WebHookTopicViewSerializer,
WebHookPostSerializer, WebHookUserSerializer, ...); the filters are what EmitWebHookEvent checks a
hook against: the topic's category, tags and (for messages) groups, a user's or a group's groups.
"""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.events import (
    CategoryEvent,
    CodevOfferEvent,
    Event,
    GroupEvent,
    PostEvent,
    Prepared,
    TopicEvent,
    UserEvent,
)
from discourse_sandbox.core.records import SYSTEM_USER_ID, Topic
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.categories import webhook_category_json
from discourse_sandbox.serializers.codev import offer_webhook_json, user_card_fields
from discourse_sandbox.serializers.groups import basic_group_json
from discourse_sandbox.serializers.posts import post_payload
from discourse_sandbox.serializers.tags import tag_json
from discourse_sandbox.serializers.topics import topic_payload
from discourse_sandbox.serializers.users import webhook_user_json
from discourse_sandbox.webhooks.emitter import Emitter


def topic_filters(topic: Topic) -> dict[str, Any]:
    """The web hook filters a topic's events meet: category, tags and (PM) groups."""
    return {"category_id": topic.category_id, "tag_names": list(topic.tags),
            "group_ids": list(topic.allowed_group_ids)}


class Publisher:
    """Turns model events into web hook deliveries; called inside the models' transactions."""

    def __init__(self, state: State, settings: SandboxSettings, clock: Clock, emitter: Emitter) -> None:
        self.state, self.settings, self.clock, self.emitter = state, settings, clock, emitter

    def prepare(self, event: Event) -> Prepared:
        """The event's payload and filters, read from the state as it is now."""
        state = self.state
        payload: dict[str, Any]
        filters: dict[str, Any] = {}
        if isinstance(event, TopicEvent):
            payload = topic_payload(state, self.settings, event.topic)
            filters = topic_filters(event.topic)
        elif isinstance(event, PostEvent):
            payload = post_payload(state, event.post)
            filters = topic_filters(state.topics[event.post.topic_id])
        elif isinstance(event, UserEvent):
            payload = webhook_user_json(state, event.user)
            payload.update(user_card_fields(state, self.settings, event.user))
            filters = {"group_ids": state.group_ids_of(event.user.id)}
        elif isinstance(event, GroupEvent):
            payload = basic_group_json(state, event.group, state.users.get(SYSTEM_USER_ID))
            filters = {"group_ids": [event.group.id]}
        elif isinstance(event, CodevOfferEvent):
            # Codev::OfferEvents.enqueue: the need's category and tags, no groups
            payload = offer_webhook_json(state, event.offer)
            topic = state.topics[event.offer.topic_id]
            filters = {"category_id": topic.category_id, "tag_names": list(topic.tags)}
        elif isinstance(event, CategoryEvent):
            payload = webhook_category_json(state, event.category, self.clock.now())
        else:
            payload = tag_json(state, event.tag, event.viewer)
        return Prepared(event.name, payload, filters)

    def emit(self, event: Event) -> None:
        """Serialize now, deliver after the commit."""
        self.emit_prepared(self.prepare(event))

    def emit_prepared(self, prepared: Prepared) -> None:
        """Hand a serialized event to the emitter once the transaction is over."""
        # self.emitter.emit is looked up when the callback runs: tests replace it with a recorder
        self.state.after_commit(
            lambda: self.emitter.emit(prepared.name, prepared.payload, **prepared.filters))
