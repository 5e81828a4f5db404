"""What models announce: events that name the records they are about, and the sinks they go to.

A model hands each event to an EventSink as the change happens. The sandbox's sink
(webhooks.publisher) serializes it at once, with the serializers the routes use, and queues the
delivery once the transaction is committed, as Discourse builds a web hook payload when it enqueues
the job. Seeding uses NO_EVENTS: loading a seed announces nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from discourse_sandbox.core.records import Category, CodevOffer, Group, Post, Tag, Topic, User, WebHookEvent


@dataclass(frozen=True)
class TopicEvent:
    """topic_created, topic_edited, topic_destroyed, topic_<status>_status_updated."""

    name: str
    topic: Topic


@dataclass(frozen=True)
class PostEvent:
    """post_created, post_edited, post_destroyed."""

    name: str
    post: Post


@dataclass(frozen=True)
class UserEvent:
    """user_created, user_updated, user_destroyed, user_suspended, user_unsuspended."""

    name: str
    user: User


@dataclass(frozen=True)
class GroupEvent:
    """group_created, group_updated, group_destroyed."""

    name: str
    group: Group


@dataclass(frozen=True)
class CategoryEvent:
    """category_created, category_updated, category_destroyed."""

    name: str
    category: Category


@dataclass(frozen=True)
class TagEvent:
    """tag_created, tag_updated, tag_destroyed; `viewer` is whose counts the payload shows."""

    name: str
    tag: Tag
    viewer: User | None = None


@dataclass(frozen=True)
class CodevOfferEvent:
    """codev_offer_created, codev_offer_withdrawn (the discourse-codev plugin's Codev::OfferEvents)."""

    name: str
    offer: CodevOffer


Event = TopicEvent | PostEvent | UserEvent | GroupEvent | CategoryEvent | TagEvent | CodevOfferEvent


@dataclass(frozen=True)
class Prepared:
    """An event serialized when it happened: its name, payload and the web hook filters it meets."""

    name: str
    payload: dict[str, Any]
    filters: dict[str, Any]


class EventSink(Protocol):
    """Where models send events."""

    def prepare(self, event: Event) -> Prepared:
        """Serialize the event now, to be emitted later (a payload taken before a deletion)."""
        ...

    def emit(self, event: Event) -> None:
        """Serialize the event now and deliver it once the transaction is over."""
        ...

    def emit_prepared(self, prepared: Prepared) -> None:
        """Deliver an event prepared earlier, once the transaction is over."""
        ...


class _NoEvents:
    """A sink that announces nothing (seeding)."""

    def prepare(self, event: Event) -> Prepared:
        """An empty payload: nothing is serialized."""
        return Prepared(event.name, {}, {})

    def emit(self, event: Event) -> None:
        """Announce nothing."""
        del event

    def emit_prepared(self, prepared: Prepared) -> None:
        """Announce nothing."""
        del prepared


NO_EVENTS: EventSink = _NoEvents()


class Held:
    """A sink in front of another that keeps what it is given until `release` (or drops it)."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.prepared: list[Prepared] = []

    def prepare(self, event: Event) -> Prepared:
        """Serialize through the sink behind."""
        return self.sink.prepare(event)

    def emit(self, event: Event) -> None:
        """Serialize now, keep until `release`."""
        self.prepared.append(self.sink.prepare(event))

    def emit_prepared(self, prepared: Prepared) -> None:
        """Keep until `release`."""
        self.prepared.append(prepared)

    def release(self) -> None:
        """Pass what was held to the sink behind, in order."""
        for prepared in self.prepared:
            self.sink.emit_prepared(prepared)
        self.prepared = []


class Deliveries(Protocol):
    """What the web hooks model asks of the emitter: pings and redeliveries."""

    def ping(self, web_hook_id: int) -> None:
        """Queue a ping to the hook."""
        ...

    def redeliver_now(self, event_id: int) -> WebHookEvent | None:
        """Send a stored event again at once; None when the event or its hook is gone."""
        ...

    def redeliver_later(self, event_ids: Sequence[int]) -> None:
        """Queue stored events for redelivery."""
        ...
