# frozen_string_literal: true

module Codev
  module TopicExtension
    extend ActiveSupport::Concern

    prepended do
      has_one :codev_topic_state, class_name: "Codev::TopicState", dependent: :destroy
      has_many :codev_offers, class_name: "Codev::Offer", dependent: :destroy
    end

    def codev_need?
      !!codev_topic_state&.need?
    end

    def codev_introduction?
      !!codev_topic_state&.introduction?
    end
  end
end
