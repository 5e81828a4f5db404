# frozen_string_literal: true

module ::Codev
  class Engine < ::Rails::Engine
    engine_name PLUGIN_NAME
    isolate_namespace Codev
    config.autoload_paths << File.join(config.root, "lib")
  end

  # Scopes an administrator can give a granular API key (Admin > API > New key > codev): the
  # service needs update_topic_state, read_topic_state, read_offers and update_expert_profile.
  API_KEY_SCOPES = {
    update_topic_state: {
      actions: %w[codev/topics#update codev/topics#destroy],
      params: %i[id],
    },
    read_topic_state: {
      actions: %w[codev/topics#show codev/status#show],
    },
    read_offers: {
      actions: %w[codev/offers#index],
      params: %i[topic_id],
    },
    update_expert_profile: {
      actions: %w[codev/experts#update codev/experts#destroy],
    },
  }.freeze
end
