# frozen_string_literal: true

module Codev
  # The state the codev service pushes for a topic (contract: $defs/topic_state), and the managers'
  # "Approuver", which tags the need's review topic as a manager would by hand.
  class TopicsController < ::ApplicationController
    requires_plugin Codev::PLUGIN_NAME

    before_action :ensure_staff, except: :approve
    before_action :ensure_logged_in, only: :approve

    def show
      state = Codev::TopicState.find_by(topic_id: params[:id].to_i)
      raise Discourse::NotFound if state.nil?
      render json: state.data
    end

    def update
      topic = Topic.with_deleted.find_by(id: params[:id].to_i)
      raise Discourse::NotFound if topic.nil?
      document = Codev::Contract.parse!(request.raw_post, "topic_state")
      error = Codev::StateStore.misplaced(topic, document)
      return render_json_error(error, status: 422) if error

      changed = Codev::StateStore.save(topic, document)
      render json: { id: topic.id, version: document["version"], changed: changed }
    rescue Codev::Contract::Invalid => e
      render_json_error(e.errors, status: 422)
    end

    def destroy
      Codev::TopicState.where(topic_id: params[:id].to_i).delete_all
      render json: success_json
    end

    def approve
      topic = Topic.find_by(id: params[:id].to_i)
      raise Discourse::NotFound if topic.nil? || !topic.codev_need?
      raise Discourse::InvalidAccess if !guardian.can_see_codev_candidates?(topic)

      request_body = Codev::Contract.parse!(request.raw_post, "approve_request")
      result = Codev::Approval.new(topic, current_user).approve(request_body)
      return render_json_error(result.message, status: result.status) if result.error?
      render json: { review_topic_id: result.review_topic_id, tag: result.tag }
    rescue Codev::Contract::Invalid => e
      render_json_error(e.errors, status: 422)
    end
  end
end
