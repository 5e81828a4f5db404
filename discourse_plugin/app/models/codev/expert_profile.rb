# frozen_string_literal: true

module Codev
  # What the user card shows of an expert (skills, languages, availability), as the service pushed it.
  class ExpertProfile < ActiveRecord::Base
    self.table_name = "codev_expert_profiles"

    belongs_to :user

    validates :user_id, presence: true, uniqueness: true
    validates :version, presence: true, length: { maximum: 64 }

    def card_fields
      data.slice("skills", "languages", "availability")
    end
  end
end

# == Schema Information
#
# Table name: codev_expert_profiles
#
#  id         :bigint           not null, primary key
#  user_id    :integer          not null
#  version    :string(64)       not null
#  data       :jsonb            not null
#  created_at :datetime         not null
#  updated_at :datetime         not null
#
# Indexes
#
#  index_codev_expert_profiles_on_user_id  (user_id) UNIQUE
#
