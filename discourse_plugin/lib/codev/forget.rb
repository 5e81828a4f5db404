# frozen_string_literal: true

module Codev
  # A deleted or anonymised user leaves nothing of codev's behind in the forum's database.
  module Forget
    def self.user(user_id)
      Codev::ExpertProfile.where(user_id: user_id).delete_all
      Codev::Offer.where(user_id: user_id).delete_all
    end
  end
end
