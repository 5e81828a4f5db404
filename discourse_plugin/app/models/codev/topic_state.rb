# frozen_string_literal: true

module Codev
  # What the codev service last pushed for one topic: a need (status, candidates, volunteers) or an
  # introduction message (the expert, the answer awaited). The document is stored as validated.
  class TopicState < ActiveRecord::Base
    self.table_name = "codev_topic_states"

    KINDS = %w[need introduction].freeze

    belongs_to :topic

    validates :topic_id, presence: true, uniqueness: true
    validates :kind, inclusion: { in: KINDS }
    validates :version, presence: true, length: { maximum: 64 }

    def need?
      kind == "need"
    end

    def introduction?
      kind == "introduction"
    end
  end
end

# == Schema Information
#
# Table name: codev_topic_states
#
#  id         :bigint           not null, primary key
#  topic_id   :integer          not null
#  kind       :string(20)       not null
#  status     :string(20)
#  version    :string(64)       not null
#  data       :jsonb            not null
#  created_at :datetime         not null
#  updated_at :datetime         not null
#
# Indexes
#
#  index_codev_topic_states_on_topic_id  (topic_id) UNIQUE
#
