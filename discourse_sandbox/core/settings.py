"""Switches of the sandbox: Discourse site settings it honours, version differences, faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class Faults:
    """Seeded, reproducible faults. Rates are probabilities between 0 and 1."""

    seed: int = 0
    api_429_rate: float = 0.0          # answer 429 as if the admin bucket were empty
    api_429_wait_seconds: int = 5      # the Retry-After of those 429s (Discourse says at least 1)
    api_5xx_rate: float = 0.0          # answer 500/502/503 before doing anything
    api_fail_after_write_rate: float = 0.0  # do the write, then answer 500 (ambiguous outcome)
    api_slow_rate: float = 0.0         # sleep slow_seconds before answering
    slow_seconds: float = 2.0
    webhook_drop_rate: float = 0.0     # never deliver
    webhook_duplicate_rate: float = 0.0  # deliver twice, each with its own event id
    webhook_delay_max_seconds: float = 0.0  # random delay per delivery, which also reorders them
    webhook_reorder: bool = False      # shuffle deliveries waiting in the queue


@dataclass
class SandboxSettings:
    """Everything that changes how the sandbox behaves; docs/sandbox.md describes each switch."""

    title: str = "Communauté de Développement (sandbox)"
    # Discourse global settings
    max_admin_api_reqs_per_minute: int = 60   # 0 turns the admin bucket off
    # time_scale: how many sandbox seconds pass per real second (rate windows, memoisation, retries)
    time_scale: float = 1.0
    # What differs between Discourse versions
    tags_format: Literal["objects", "strings"] = "objects"   # objects since 2026-02
    form_headings: Literal["label", "id"] = "label"          # id in older composers
    # Discourse site settings with their defaults
    min_topic_title_length: int = 15
    min_personal_message_title_length: int = 2
    min_first_post_length: int = 20
    min_post_length: int = 20
    min_personal_message_post_length: int = 10
    title_min_entropy: int = 10
    allow_duplicate_topic_titles: bool = False
    max_tags_per_topic: int = 5
    max_tag_length: int = 20
    allow_uncategorized_topics: bool = True
    title_prettify: bool = True
    body_min_entropy: int = 7
    tagging_enabled: bool = True
    max_tag_search_results: int = 5
    experimental_form_templates: bool = True
    # Hosts a webhook payload_url may name although they resolve to private addresses (none by default)
    allowed_internal_hosts: list[str] = field(default_factory=list)
    # Sandbox-only: "name=address" entries resolved before the system's DNS (an /etc/hosts for hooks)
    resolve_hosts: list[str] = field(default_factory=list)
    retry_web_hook_events: bool = False
    memoize_seconds: float = 120.0
    # Per-user content limits (non-staff posters); 0 turns one off
    rate_limit_create_topic: int = 15        # seconds between two topics
    rate_limit_create_post: int = 5          # seconds between two replies
    unique_posts_mins: int = 5               # minutes during which the same body is refused
    newuser_max_replies_per_topic: int = 3   # TL0 replies per topic (unless someone else replied)
    approve_unless_trust_level: int = 0      # posts of users below this level wait for approval
    editing_grace_period: int = 300          # seconds in which the last editor's edits make no version
    editing_grace_period_max_diff: int = 100             # ... unless the raw changes by more characters
    editing_grace_period_max_diff_high_trust: int = 400  # the same for staff and TL2+
    create_post_for_category_and_tag_changes: bool = False  # a whisper for each tag/category change
    whispers_allowed_groups: list[str] = field(default_factory=list)  # group ids; empty: no whispers
    post_edit_time_limit: int = 86400        # minutes a TL0/TL1 author may edit a post
    tl2_post_edit_time_limit: int = 525600   # minutes for TL2+ authors
    delete_removed_posts_after: int = 24     # hours before a post its author deleted is trashed
    min_search_term_length: int = 3
    rate_limit_search_user: int = 30         # searches a minute for a non-staff user
    # DiscourseConnect provider (Discourse's default is off; the sandbox serves it unless told not to)
    enable_discourse_connect_provider: bool = True
    # Sandbox-only: which admin path serves user fields (one per Discourse version)
    user_fields_admin_prefix: Literal["config", "customize"] = "config"
    # Sandbox-only: "daily" mimics Jobs::DirectoryRefreshOlder (new users appear after a refresh)
    directory_refresh: Literal["live", "daily"] = "live"
    # Sandbox-only: whether the discourse-codev plugin (discourse_plugin/) is installed and enabled
    plugin_codev_enabled: bool = False
    # The plugin's site settings (discourse_plugin/config/settings.yml)
    codev_managers_group: str = "animateurs"
    codev_experts_group: str = "experts"
    codev_approve_tag_prefix: str = "approuver-"
    codev_needs_category: int | None = None  # a category id; None: any category
    faults: Faults = field(default_factory=Faults)
