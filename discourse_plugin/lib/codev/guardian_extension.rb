# frozen_string_literal: true

module Codev
  # Who may do what with codev: managers (staff or the managers' group) see candidates and approve;
  # members of the experts' group offer help; the expert of an introduction answers it.
  module GuardianExtension
    OFFERABLE_STATUSES = %w[open matched].freeze

    def codev_manager?
      return false if !authenticated?
      is_staff? || codev_group_member?(SiteSetting.codev_managers_group)
    end

    def codev_expert?
      authenticated? && codev_group_member?(SiteSetting.codev_experts_group)
    end

    def can_see_codev_candidates?(topic)
      codev_manager? && can_see_topic?(topic)
    end

    def can_offer_codev_help?(topic)
      codev_expert? && can_see_topic?(topic) && topic.codev_need? &&
        OFFERABLE_STATUSES.include?(topic.codev_topic_state.status)
    end

    def can_answer_codev_introduction?(topic)
      return false if !authenticated? || !topic.codev_introduction?
      data = topic.codev_topic_state.data
      data["state"] == "awaiting" &&
        data["expert_username"].to_s.casecmp?(user.username) && can_create_post?(topic)
    end

    private

    def codev_group_member?(name)
      return false if name.blank?
      @codev_groups ||= {}
      return @codev_groups[name] if @codev_groups.key?(name)
      @codev_groups[name] = GroupUser
        .joins(:group)
        .where(user_id: user.id, groups: { name: name })
        .exists?
    end
  end
end
