# frozen_string_literal: true

module Codev
  # The fields the topic view serializer adds (contract: $defs/topic_view_need and
  # $defs/topic_view_introduction). Candidates are for managers only.
  module TopicViewFields
    def self.need(topic, guardian)
      state = topic.codev_topic_state
      fields = {
        status: state.status,
        can_offer: guardian.can_offer_codev_help?(topic),
        offered: offered?(topic, guardian),
      }
      return fields if !guardian.can_see_codev_candidates?(topic)

      fields.merge(
        review_topic_id: state.data["review_topic_id"],
        candidates: state.data["candidates"] || [],
        volunteers: state.data["volunteers"] || [],
        updated_at: state.data["updated_at"],
        version: state.version,
      )
    end

    def self.introduction(topic, guardian)
      data = topic.codev_topic_state.data
      {
        need_topic_id: data["need_topic_id"],
        expert_username: data["expert_username"],
        state: data["state"],
        can_answer: guardian.can_answer_codev_introduction?(topic),
      }
    end

    def self.offered?(topic, guardian)
      return false if !guardian.authenticated?
      Codev::Offer.active.exists?(topic_id: topic.id, user_id: guardian.user.id)
    end
  end
end
