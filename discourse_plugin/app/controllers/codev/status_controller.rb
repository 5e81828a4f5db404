# frozen_string_literal: true

module Codev
  # How the codev service learns that the plugin is installed and enabled (404 otherwise).
  class StatusController < ::ApplicationController
    requires_plugin Codev::PLUGIN_NAME

    before_action :ensure_staff

    def show
      render json: {
               plugin: Codev::PLUGIN_NAME,
               version: Discourse.plugins_by_name[Codev::PLUGIN_NAME]&.metadata&.version.to_s,
               contract_version: Codev::Contract::VERSION,
               offer_events: Codev::OfferEvents::TYPES,
             }
    end
  end
end
