# frozen_string_literal: true

module Codev
  # The managers' "Approuver": adds <codev_approve_tag_prefix><rank> to the need's review topic as
  # the manager, through PostRevisor like a tag edit by hand, so the service approves by its own
  # rules (who may approve, once only) on the topic_edited webhook that follows.
  class Approval
    Result =
      Struct.new(:status, :message, :review_topic_id, :tag, keyword_init: true) do
        def error?
          status != 200
        end
      end

    def initialize(topic, user)
      @topic = topic
      @user = user
      @state = topic.codev_topic_state
    end

    def approve(request_body)
      if @state.version != request_body["version"]
        return error(409, "codev.errors.ranking_changed")
      end
      candidate = find_candidate(request_body["username"])
      return error(404, "codev.errors.unknown_candidate") if candidate.nil?
      return error(422, "codev.errors.not_proposed") if candidate["state"] != "proposed"
      prefix = SiteSetting.codev_approve_tag_prefix
      return error(422, "codev.errors.tag_approval_off") if prefix.blank?
      review = Topic.find_by(id: @state.data["review_topic_id"])
      if review.nil? || !Guardian.new(@user).can_see_topic?(review)
        return error(422, "codev.errors.no_review_topic")
      end
      add_tag(review, "#{prefix}#{candidate["rank"]}")
    end

    private

    def find_candidate(username)
      (@state.data["candidates"] || []).find { |c| c["username"].casecmp?(username.to_s) }
    end

    def add_tag(review, tag)
      names = review.tags.pluck(:name)
      # a tag acts once while it stays on the review topic: adding it again would approve nobody
      return error(409, "codev.errors.tag_already_there", tag: tag) if names.include?(tag)

      revised =
        PostRevisor.new(review.first_post, review).revise!(
          @user,
          { tags: names + [tag] },
          validate_post: false,
          bypass_bump: true,
        )
      return error(422, "codev.errors.tag_refused", tag: tag) if !revised
      Result.new(status: 200, review_topic_id: review.id, tag: tag)
    end

    def error(status, key, **args)
      Result.new(status: status, message: I18n.t(key, **args))
    end
  end
end
