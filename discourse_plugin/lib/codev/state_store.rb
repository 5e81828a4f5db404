# frozen_string_literal: true

module Codev
  # Stores what the service pushed for a topic. The same version twice is one update.
  module StateStore
    # Why `document` does not belong on `topic` (nil when it does): a need is a public topic, in the
    # needs category when one is set; an introduction is a private message.
    def self.misplaced(topic, document)
      if document["kind"] == "introduction"
        return I18n.t("codev.errors.introduction_not_a_message") if !topic.private_message?
        return nil
      end
      return I18n.t("codev.errors.need_is_a_message") if topic.private_message?
      return I18n.t("codev.errors.need_outside_category") if !in_needs_category?(topic)
      nil
    end

    def self.in_needs_category?(topic)
      category_id = SiteSetting.codev_needs_category.to_i
      return true if category_id <= 0
      [category_id, *Category.subcategory_ids(category_id)].include?(topic.category_id)
    end
    private_class_method :in_needs_category?

    # True when something changed. Viewers of the topic reload it, as after an accepted solution.
    def self.save(topic, document)
      state = Codev::TopicState.find_or_initialize_by(topic_id: topic.id)
      return false if state.persisted? && state.version == document["version"]

      state.update!(
        kind: document["kind"],
        status: document["status"],
        version: document["version"],
        data: document,
      )
      MessageBus.publish("/topic/#{topic.id}", { reload_topic: true }, group_ids: viewers(topic))
      true
    end

    def self.viewers(topic)
      topic.secure_group_ids.presence
    end
    private_class_method :viewers
  end
end
