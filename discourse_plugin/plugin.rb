# frozen_string_literal: true

# name: discourse-codev
# about: codev for Migrations & Développement: need status, staff suggestions, "Je peux aider", one-click answers to introductions and skills on user cards, as pushed by the codev service
# version: 0.1.0
# authors: codev contributors
# required_version: 3.5.0

enabled_site_setting :codev_enabled

register_asset "stylesheets/codev.scss"

module ::Codev
  PLUGIN_NAME = "discourse-codev"
end

require_relative "lib/codev/engine"

after_initialize do
  register_seedfu_fixtures(File.expand_path("db/fixtures", __dir__))

  reloadable_patch do
    ::Topic.prepend(Codev::TopicExtension)
    ::Guardian.prepend(Codev::GuardianExtension)
  end

  register_topic_preloader_associations(:codev_topic_state)
  add_api_key_scope(:codev, Codev::API_KEY_SCOPES)

  add_to_serializer(:topic_view, :codev_need, include_condition: -> { object.topic.codev_need? }) do
    Codev::TopicViewFields.need(object.topic, scope)
  end

  add_to_serializer(
    :topic_view,
    :codev_introduction,
    include_condition: -> { object.topic.codev_introduction? },
  ) { Codev::TopicViewFields.introduction(object.topic, scope) }

  add_to_serializer(:topic_list_item, :codev_status, include_condition: -> { object.codev_need? }) do
    object.codev_topic_state.status
  end

  add_to_serializer(
    :user_card,
    :codev_expert,
    include_condition: -> { Codev::ExpertProfile.exists?(user_id: object.id) },
  ) { Codev::ExpertProfile.find_by(user_id: object.id).card_fields }

  on(:user_destroyed) { |user| Codev::Forget.user(user.id) }
  on(:user_anonymized) { |args| Codev::Forget.user(args[:user].id) }
end
