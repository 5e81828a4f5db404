"""The sandbox's records: a dataclass per Discourse table it keeps, and Discourse's reserved ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Discourse's reserved ids: system user -1, "everyone" and automatic groups 0..14.
SYSTEM_USER_ID = -1
AUTOMATIC_GROUPS = {
    0: "everyone", 1: "admins", 2: "moderators", 3: "staff",
    10: "trust_level_0", 11: "trust_level_1", 12: "trust_level_2",
    13: "trust_level_3", 14: "trust_level_4",
}
FIRST_CUSTOM_GROUP_ID = 41


@dataclass
class User:
    """A row of users (with its user_options, custom fields and DiscourseConnect record folded in)."""

    id: int
    username: str
    name: str
    email: str
    created_at: datetime
    updated_at: datetime
    password: str = ""
    active: bool = True
    approved: bool = True
    admin: bool = False
    moderator: bool = False
    staged: bool = False
    trust_level: int = 1
    bio_raw: str = ""
    location: str = ""
    website: str = ""
    locale: str = "fr"
    last_seen_at: datetime | None = None
    suspended_till: datetime | None = None
    silenced_till: datetime | None = None
    # user_field id -> stored value (str for text/confirm/dropdown, list[str] for multiselect)
    user_fields: dict[int, Any] = field(default_factory=dict)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    anonymized: bool = False
    # DiscourseConnect consumer record's external_id (shown in webhook payloads when set)
    external_id: str | None = None
    suspend_reason: str | None = None
    featured_topic_id: int | None = None

    @property
    def staff(self) -> bool:
        """Admin or moderator."""
        return self.admin or self.moderator


@dataclass
class UserField:
    """A row of user_fields, with its options."""

    id: int
    name: str
    field_type: str  # text | confirm | dropdown | multiselect
    description: str = ""
    requirement: str = "optional"  # optional | for_all_users | on_signup | for_existing_users
    editable: bool = True
    show_on_profile: bool = False
    show_on_user_card: bool = False
    searchable: bool = False
    position: int = 0
    options: list[str] = field(default_factory=list)


@dataclass
class Group:
    """A row of groups, with its members and owners (group_users)."""

    id: int
    name: str
    full_name: str = ""
    automatic: bool = False
    visibility_level: int = 0
    members_visibility_level: int = 0
    public_admission: bool = False
    public_exit: bool = False
    mentionable_level: int = 0
    messageable_level: int = 0
    bio_raw: str = ""
    user_ids: list[int] = field(default_factory=list)
    owner_ids: list[int] = field(default_factory=list)
    created_at: datetime | None = None


@dataclass
class Category:
    """A row of categories, with its group permissions, form templates and allowed tags."""

    id: int
    name: str
    slug: str
    color: str = "0088CC"
    text_color: str = "FFFFFF"
    description: str = ""
    parent_category_id: int | None = None
    position: int = 0
    # group name -> permission type (1 full, 2 create_post, 3 readonly)
    permissions: dict[str, int] = field(default_factory=lambda: {"everyone": 1})
    form_template_ids: list[int] = field(default_factory=list)
    allowed_tags: list[str] = field(default_factory=list)
    allowed_tag_groups: list[str] = field(default_factory=list)
    topic_id: int | None = None  # the "About the category" topic
    search_priority: int = 0
    # Added for the categories API (CategorySerializer attributes the sandbox stores as given).
    style_type: str = "square"
    emoji: str | None = None
    icon: str | None = None
    allow_badges: bool = True
    topic_featured_link_allowed: bool = True
    topic_template: str | None = None
    minimum_required_tags: int = 0
    num_featured_topics: int = 3
    created_at: datetime | None = None


@dataclass
class Tag:
    """A row of tags."""

    id: int
    name: str
    description: str = ""


@dataclass
class TagGroup:
    """A row of tag_groups, with its tags, parent tag and permissions."""

    id: int
    name: str
    tag_names: list[str] = field(default_factory=list)
    parent_tag_name: list[str] = field(default_factory=list)
    one_per_topic: bool = False
    permissions: dict[str, int] = field(default_factory=lambda: {"everyone": 1})


@dataclass
class Topic:
    """A row of topics, with its tags and (for messages) allowed users and groups."""

    id: int
    title: str
    slug: str
    user_id: int
    created_at: datetime
    updated_at: datetime
    bumped_at: datetime
    category_id: int | None = None
    archetype: str = "regular"  # regular | private_message
    tags: list[str] = field(default_factory=list)
    closed: bool = False
    archived: bool = False
    visible: bool = True
    pinned: bool = False
    pinned_at: datetime | None = None
    external_id: str | None = None
    allowed_user_ids: list[int] = field(default_factory=list)   # private messages
    allowed_group_ids: list[int] = field(default_factory=list)  # private messages
    deleted_at: datetime | None = None
    views: int = 0
    highest_post_number: int = 0
    custom_fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Post:
    """A row of posts."""

    id: int
    topic_id: int
    post_number: int
    user_id: int
    raw: str
    cooked: str
    created_at: datetime
    updated_at: datetime
    reply_to_post_number: int | None = None
    version: int = 1
    post_type: int = 1  # 1 regular, 2 moderator_action, 3 small_action, 4 whisper
    action_code: str | None = None  # small actions: "closed.enabled", "visible.disabled", ...
    user_deleted: bool = False  # deleted by its author, waiting for delete_removed_posts_after
    edit_reason: str | None = None
    deleted_at: datetime | None = None
    hidden: bool = False
    wiki: bool = False
    last_editor_id: int | None = None          # None: its author
    last_version_at: datetime | None = None    # None: created_at
    revisions: dict[int, PostRevision] = field(default_factory=dict)  # post_revisions, by number
    # PostRevisor's redis entry original_raw_<last_version_at>: (key, expires, raw, cooked)
    grace_original: tuple[datetime, datetime, str, str] | None = None


@dataclass
class PostRevision:
    """A row of post_revisions: who made version `number` and the [before, after] of each field."""

    number: int
    user_id: int
    modifications: dict[str, list[Any]]
    created_at: datetime


@dataclass
class FormTemplate:
    """A row of form_templates."""

    id: int
    name: str
    template: str  # YAML text, as Discourse stores it


@dataclass
class WebHook:
    """A row of web_hooks, with its event types and category, tag and group filters."""

    id: int
    payload_url: str
    secret: str = ""
    content_type: int = 1  # 1 application/json, 2 x-www-form-urlencoded (body still JSON)
    wildcard_web_hook: bool = False
    verify_certificate: bool = True
    active: bool = False
    web_hook_event_type_ids: list[int] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    last_delivery_status: int = 1  # 1 inactive, 2 failed, 3 successful
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class WebHookEvent:
    """A row of web_hook_events: one delivery attempt and its answer."""

    id: int
    web_hook_id: int
    headers: dict[str, str]
    payload: str
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    duration: int = 0
    created_at: datetime | None = None
    redelivering: bool = False  # queued by "Redeliver failed" (RedeliveringWebhookEvent row)


@dataclass
class ApiKey:
    """A row of api_keys."""

    key: str
    user_id: int | None  # None: "All users" key, acts as whoever Api-Username names
    description: str = ""
    revoked: bool = False


# --- the discourse-codev plugin's tables (discourse_plugin/db/migrate) -------------------------

@dataclass
class CodevTopicState:
    """A row of codev_topic_states: the document the codev service last pushed for a topic."""

    topic_id: int
    kind: str  # need | introduction
    status: str | None
    version: str
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass
class CodevOffer:
    """A row of codev_offers: one "Je peux aider" of one user on one need."""

    id: int
    topic_id: int
    user_id: int
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Not withdrawn."""
        return self.withdrawn_at is None


@dataclass
class CodevExpertProfile:
    """A row of codev_expert_profiles: what the user card shows of an expert."""

    user_id: int
    version: str
    data: dict[str, Any]


@dataclass
class Invite:
    """A row of invites with its invited_groups (app/models/invite.rb): an e-mail invite, or a link
    invite (no email) that up to max_redemptions_allowed people may redeem before expires_at."""

    id: int
    invite_key: str
    invited_by_id: int
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    email: str | None = None
    custom_message: str | None = None
    max_redemptions_allowed: int = 1
    redemption_count: int = 0
    group_ids: list[int] = field(default_factory=list)
    deleted_at: datetime | None = None


@dataclass
class InvitedUser:
    """A row of invited_users: who redeemed an invite, and when."""

    id: int
    invite_id: int
    user_id: int
    redeemed_at: datetime
