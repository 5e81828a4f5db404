# frozen_string_literal: true

module Codev
  # What the user card shows of an expert (contract: $defs/expert_profile), pushed by the service.
  class ExpertsController < ::ApplicationController
    requires_plugin Codev::PLUGIN_NAME

    before_action :ensure_staff

    def update
      user = find_user
      document = Codev::Contract.parse!(request.raw_post, "expert_profile")
      profile = Codev::ExpertProfile.find_or_initialize_by(user_id: user.id)
      changed = profile.version != document["version"]
      profile.update!(version: document["version"], data: document) if changed
      render json: { id: user.username, version: document["version"], changed: changed }
    rescue Codev::Contract::Invalid => e
      render_json_error(e.errors, status: 422)
    end

    def destroy
      Codev::ExpertProfile.where(user_id: find_user.id).delete_all
      render json: success_json
    end

    private

    def find_user
      user = User.find_by_username(params[:username])
      raise Discourse::NotFound if user.nil?
      user
    end
  end
end
