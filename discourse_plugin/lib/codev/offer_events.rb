# frozen_string_literal: true

module Codev
  # The webhook events of "Je peux aider" (contract: $defs/offer_webhook). Like discourse-solved's
  # events they go through WebHook.enqueue_hooks, so they are signed and retried like core's.
  module OfferEvents
    EVENT_TYPE = :codev_offer
    # Ids far from core's (which go by hundreds per group) for the rows db/fixtures seeds.
    TYPES = { codev_offer_created: 90_101, codev_offer_withdrawn: 90_102 }.freeze

    def self.enqueue(offer)
      event = offer.active? ? :codev_offer_created : :codev_offer_withdrawn
      return if !WebHook.active_web_hooks(event).exists?

      topic = offer.topic
      WebHook.enqueue_hooks(
        EVENT_TYPE,
        event,
        id: offer.id,
        category_id: topic.category_id,
        tag_ids: topic.tags.pluck(:id),
        payload: payload(offer).to_json,
      )
    end

    def self.payload(offer)
      {
        topic_id: offer.topic_id,
        user_id: offer.user_id,
        username: offer.user.username,
        offered: offer.active?,
        at: (offer.withdrawn_at || offer.updated_at).utc.iso8601,
      }
    end
  end
end
