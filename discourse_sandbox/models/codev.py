"""The discourse-codev plugin (discourse_plugin/): pushed topic states, approvals, offers, expert profiles.

Each method follows one action of the plugin's controllers (app/controllers/codev/) and its lib/codev/
helpers; the routes check the switch and staff first, as requires_plugin and ensure_staff do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from discourse_sandbox.core import contract
from discourse_sandbox.core.errors import fail, invalid_access, not_found
from discourse_sandbox.core.events import CodevOfferEvent
from discourse_sandbox.core.guardian import can_offer_codev_help, can_see_codev_candidates, can_see_topic
from discourse_sandbox.core.ratelimit import RateLimiter, time_left
from discourse_sandbox.core.records import CodevExpertProfile, CodevOffer, CodevTopicState, Topic, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.changes import update_topic
from discourse_sandbox.models.posting import PostRejected
from discourse_sandbox.models.site import Site
from discourse_sandbox.models.tag_names import ensure_tags

# config/locales/server.en.yml
RANKING_CHANGED = "The ranking changed since this page was shown: reload it before approving."
UNKNOWN_CANDIDATE = "This candidate is no longer in the list."
NOT_PROPOSED = "This candidate is no longer waiting for approval (approved, asked or set aside)."
TAG_APPROVAL_OFF = "Approval by tag is off (setting codev_approve_tag_prefix is empty)."
NO_REVIEW_TOPIC = "The review topic of this need cannot be found."
TAG_ALREADY_THERE = ("The tag {tag} is already on the review topic: remove it first to approve this rank "
                     "again.")
TAG_REFUSED = "Discourse refused the tag {tag} on the review topic."
INTRODUCTION_NOT_A_MESSAGE = "An introduction must be a private message."
NEED_IS_A_MESSAGE = "A need cannot be a private message."
NEED_OUTSIDE_CATEGORY = "This topic is not in the needs category."
# OffersController#create: RateLimiter.new(current_user, "codev-offer-#{topic.id}", 10, 1.hour)
OFFERS_PER_HOUR = 10


@dataclass(frozen=True)
class Update:
    """The answer of a PUT ($defs/update_response)."""

    id: int | str
    version: str
    changed: bool


@dataclass(frozen=True)
class Approved:
    """The answer of an approval: the review topic and the tag added to it."""

    review_topic_id: int
    tag: str


class Codev:
    """The plugin's controllers over the site's state."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._offer_limiter = RateLimiter(site.clock, OFFERS_PER_HOUR, 3600.0)

    # --- topics_controller.rb ----------------------------------------------------------------

    def topic_state(self, topic_id: int) -> dict[str, Any]:
        """TopicsController#show: the stored document, or 404."""
        with self.site.state.transaction() as state:
            stored = state.codev_topic_states.get(topic_id)
            if stored is None:
                not_found()
            return stored.data

    def put_topic_state(self, topic_id: int, raw: bytes) -> Update:
        """TopicsController#update: validate, check the topic fits, store unless the version is stored."""
        with self.site.state.transaction() as state:
            topic = state.topics.get(topic_id)  # Topic.with_deleted
            if topic is None:
                not_found()
            document = contract.parse(raw, "topic_state")
            error = self._misplaced(state, topic, document)
            if error:
                fail(422, error)
            stored = state.codev_topic_states.get(topic.id)
            if stored is not None and stored.version == document["version"]:
                return Update(topic.id, document["version"], False)
            now = self.site.clock.now()
            state.codev_topic_states[topic.id] = CodevTopicState(
                topic_id=topic.id, kind=document["kind"], status=document.get("status"),
                version=document["version"], data=document,
                created_at=stored.created_at if stored else now, updated_at=now)
            return Update(topic.id, document["version"], True)

    def _misplaced(self, state: State, topic: Topic, document: dict[str, Any]) -> str | None:
        """StateStore.misplaced: a need is public (in the needs category if set), an introduction a PM."""
        message = topic.archetype == "private_message"
        if document["kind"] == "introduction":
            return None if message else INTRODUCTION_NOT_A_MESSAGE
        if message:
            return NEED_IS_A_MESSAGE
        needs = self.site.settings.codev_needs_category
        if needs is None or needs <= 0:
            return None
        allowed = {needs} | {c.id for c in state.categories.values() if c.parent_category_id == needs}
        return None if topic.category_id in allowed else NEED_OUTSIDE_CATEGORY

    def forget_topic_state(self, topic_id: int) -> None:
        """TopicsController#destroy."""
        with self.site.state.transaction() as state:
            state.codev_topic_states.pop(topic_id, None)

    def approve(self, topic_id: int, user: User, raw: bytes) -> Approved:
        """TopicsController#approve and Codev::Approval: the tag <prefix><rank> on the review topic."""
        settings = self.site.settings
        with self.site.state.transaction() as state:
            topic = state.topics.get(topic_id)
            stored = state.codev_topic_states.get(topic_id)
            if topic is None or topic.deleted_at is not None or stored is None or stored.kind != "need":
                not_found()
            if not can_see_codev_candidates(state, settings, topic, user):
                invalid_access()
            body = contract.parse(raw, "approve_request")
            if stored.version != body["version"]:
                fail(409, RANKING_CHANGED)
            wanted = str(body["username"]).lower()
            candidate = next((c for c in stored.data.get("candidates") or []
                              if str(c.get("username", "")).lower() == wanted), None)
            if candidate is None:
                fail(404, UNKNOWN_CANDIDATE)
            if candidate.get("state") != "proposed":
                fail(422, NOT_PROPOSED)
            prefix = settings.codev_approve_tag_prefix
            if not prefix:
                fail(422, TAG_APPROVAL_OFF)
            review = state.topics.get(stored.data.get("review_topic_id") or 0)
            if review is None or review.deleted_at is not None or not can_see_topic(state, review, user):
                fail(422, NO_REVIEW_TOPIC)
            tag = f"{prefix}{candidate['rank']}"
            self._add_tag(state, review, user, tag)
            return Approved(review.id, tag)

    def _add_tag(self, state: State, review: Topic, user: User, tag: str) -> None:
        """PostRevisor on the review topic's first post, as the user: the edit a manager makes by hand."""
        settings = self.site.settings
        if tag in review.tags:  # a tag acts once while it stays on the review topic
            fail(409, TAG_ALREADY_THERE.format(tag=tag))
        # DiscourseTagging refuses a tag the user may not create, or one too many
        if (len(review.tags) >= settings.max_tags_per_topic
                or ensure_tags(state, [tag], user, settings.max_tag_length) != [tag]):
            fail(422, TAG_REFUSED.format(tag=tag))
        bumped_at = review.bumped_at
        try:
            revised = update_topic(state, settings, review, user, {"tags": [*review.tags, tag]},
                                   self.site.clock.now(), self.site.events)
        except PostRejected:
            revised = False
        review.bumped_at = bumped_at  # revise!(..., bypass_bump: true)
        if not revised or tag not in review.tags:
            fail(422, TAG_REFUSED.format(tag=tag))

    # --- offers_controller.rb ----------------------------------------------------------------

    def offers(self, topic_id: int) -> list[CodevOffer]:
        """OffersController#index: every offer on the topic, withdrawn ones included, oldest first."""
        with self.site.state.transaction() as state:
            return sorted((o for o in state.codev_offers.values() if o.topic_id == topic_id),
                          key=lambda o: (o.created_at, o.id))

    def offer(self, topic_id: int, user: User) -> tuple[CodevOffer, bool]:
        """OffersController#create: offer help (again); one row per user and need."""
        settings = self.site.settings
        with self.site.state.transaction() as state:
            topic = self._find_need(state, topic_id, user)
            if not can_offer_codev_help(state, settings, topic, user):
                invalid_access()
            if not user.staff:  # RateLimiter#rate_unlimited? for staff
                wait = self._offer_limiter.hit(f"codev-offer-{topic.id}:{user.id}")
                if wait is not None:
                    fail(429, f"You’ve performed this action too many times. Please wait {time_left(wait)} "
                         "before trying again.", "rate_limit",
                         extras={"wait_seconds": wait, "time_left": time_left(wait)})
            now = self.site.clock.now()
            offer = self._offer_of(state, topic.id, user.id)
            if offer is None:
                offer = CodevOffer(id=state.next_id("codev_offers"), topic_id=topic.id, user_id=user.id,
                                   created_at=now, updated_at=now)
                state.codev_offers[offer.id] = offer
            elif offer.active:
                return offer, False
            else:
                offer.withdrawn_at, offer.updated_at = None, now
            self.site.events.emit(CodevOfferEvent("codev_offer_created", offer))
            return offer, True

    def withdraw(self, topic_id: int, user: User) -> tuple[CodevOffer, bool]:
        """OffersController#destroy: withdrawn_at set; 404 when the user never offered."""
        with self.site.state.transaction() as state:
            topic = self._find_need(state, topic_id, user)
            offer = self._offer_of(state, topic.id, user.id)
            if offer is None:
                not_found()
            if not offer.active:
                return offer, False
            now = self.site.clock.now()
            offer.withdrawn_at, offer.updated_at = now, now
            self.site.events.emit(CodevOfferEvent("codev_offer_withdrawn", offer))
            return offer, True

    def _find_need(self, state: State, topic_id: int, user: User) -> Topic:
        """OffersController#find_need: a need the user can see, else 404."""
        topic = state.topics.get(topic_id)
        stored = state.codev_topic_states.get(topic_id)
        if (topic is None or topic.deleted_at is not None or stored is None or stored.kind != "need"
                or not can_see_topic(state, topic, user)):
            not_found()
        return topic

    @staticmethod
    def _offer_of(state: State, topic_id: int, user_id: int) -> CodevOffer | None:
        return next((o for o in state.codev_offers.values()
                     if o.topic_id == topic_id and o.user_id == user_id), None)

    # --- experts_controller.rb ---------------------------------------------------------------

    def put_profile(self, username: str, raw: bytes) -> Update:
        """ExpertsController#update: the profile, stored unless its version is the stored one."""
        with self.site.state.transaction() as state:
            user = state.user_by_username(username)
            if user is None:
                not_found()
            document = contract.parse(raw, "expert_profile")
            stored = state.codev_expert_profiles.get(user.id)
            changed = stored is None or stored.version != document["version"]
            if changed:
                state.codev_expert_profiles[user.id] = CodevExpertProfile(user.id, document["version"],
                                                                          document)
            return Update(user.username, document["version"], changed)

    def forget_profile(self, username: str) -> None:
        """ExpertsController#destroy."""
        with self.site.state.transaction() as state:
            user = state.user_by_username(username)
            if user is None:
                not_found()
            state.codev_expert_profiles.pop(user.id, None)
