# frozen_string_literal: true

module Codev
  # "Je peux aider": members of the experts' group offer help on a need, or withdraw the offer.
  # Each change fires a codev_offer_* webhook; the service refetches the list (index, staff only).
  class OffersController < ::ApplicationController
    requires_plugin Codev::PLUGIN_NAME

    before_action :ensure_staff, only: :index
    before_action :ensure_logged_in, except: :index

    def index
      topic_id = params[:topic_id].to_i
      offers = Codev::Offer.where(topic_id: topic_id).includes(:user).order(:created_at)
      render json: { topic_id: topic_id, offers: offers.map { |offer| serialize(offer) } }
    end

    def create
      topic = find_need
      raise Discourse::InvalidAccess if !guardian.can_offer_codev_help?(topic)
      RateLimiter.new(current_user, "codev-offer-#{topic.id}", 10, 1.hour).performed!

      offer = Codev::Offer.find_or_initialize_by(topic_id: topic.id, user_id: current_user.id)
      changed = offer.new_record? || !offer.active?
      if changed
        offer.withdrawn_at = nil
        offer.save!
        Codev::OfferEvents.enqueue(offer)
      end
      render json: { offer: serialize(offer), changed: changed }
    end

    def destroy
      topic = find_need
      offer = Codev::Offer.find_by(topic_id: topic.id, user_id: current_user.id)
      raise Discourse::NotFound if offer.nil?

      changed = offer.active?
      if changed
        offer.update!(withdrawn_at: Time.zone.now)
        Codev::OfferEvents.enqueue(offer)
      end
      render json: { offer: serialize(offer), changed: changed }
    end

    private

    def find_need
      topic = Topic.find_by(id: params[:topic_id].to_i)
      raise Discourse::NotFound if topic.nil? || !topic.codev_need? || !guardian.can_see_topic?(topic)
      topic
    end

    def serialize(offer)
      {
        topic_id: offer.topic_id,
        user_id: offer.user_id,
        username: offer.user.username,
        created_at: offer.created_at.utc.iso8601,
        withdrawn_at: offer.withdrawn_at&.utc&.iso8601,
      }
    end
  end
end
