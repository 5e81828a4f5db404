# frozen_string_literal: true

module Codev
  # One "Je peux aider" of one expert on one need. Pressing twice keeps one row; withdrawing sets
  # withdrawn_at; offering again clears it.
  class Offer < ActiveRecord::Base
    self.table_name = "codev_offers"

    belongs_to :topic
    belongs_to :user

    validates :topic_id, presence: true
    validates :user_id, presence: true, uniqueness: { scope: :topic_id }

    scope :active, -> { where(withdrawn_at: nil) }

    def active?
      withdrawn_at.nil?
    end
  end
end

# == Schema Information
#
# Table name: codev_offers
#
#  id           :bigint           not null, primary key
#  topic_id     :integer          not null
#  user_id      :integer          not null
#  withdrawn_at :datetime
#  created_at   :datetime         not null
#  updated_at   :datetime         not null
#
# Indexes
#
#  index_codev_offers_on_topic_id_and_user_id  (topic_id,user_id) UNIQUE
#  index_codev_offers_on_user_id               (user_id)
#
