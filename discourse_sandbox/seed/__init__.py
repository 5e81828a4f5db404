"""Load a YAML seed into a sandbox: one importer a section, in the order of SECTIONS.

Format (every section optional; names refer to earlier sections):

    settings:            # any SandboxSettings field, e.g. max_admin_api_reqs_per_minute: 0
      tags_format: objects
    api_keys:
      - {key: "sandbox-admin-api-key", user: null}   # null: "All users" key (Api-Username picks)
      - {key: "key-of-fatima-123456", user: fatima}  # single-user key
    sso_secrets: {"127.0.0.1": "a-sso-secret-of-16+"}  # return_sso_url host -> secret
    user_fields:
      - {name: Compétences, field_type: multiselect, options: [...], editable: true,
         show_on_profile: true, show_on_user_card: false, searchable: true, description: "..."}
    groups:
      - {name: experts, full_name: "Experts de la diaspora", visibility_level: 0}
      - {name: animateurs, messageable_level: 99, mentionable_level: 3}  # Group::ALIAS_LEVELS
    users:
      - username: fatima.benali
        name: Fatima Benali
        email: fatima@example.org
        admin: false
        moderator: false
        trust_level: 1
        bio: "..."
        location: "Lyon, France"
        groups: [experts]
        owner_of: []
        fields: {Compétences: [AEP rurale, SIG], Langues: [fr, ar, ber]}  # by field name
    form_templates:
      - {name: "Besoin de la commune", template: "<YAML text of the fields>"}
    tag_groups:
      - {name: Secteurs, tags: [eau-potable, assainissement], one_per_topic: false}
    categories:
      - {name: Besoins des communes, slug: besoins, color: "0E76BD",
         permissions: {everyone: 1}, form_templates: ["Besoin de la commune"], description: "..."}
    topics:
      - title: "..."
        category: besoins          # slug; omit for uncategorised
        user: ahmed.tiznit
        tags: [eau-potable]
        created_at: "2026-10-02T09:00:00Z"
        closed: false
        raw: "..."                 # either raw,
        form: {sector: Eau potable, description: "..."}  # or form values by field id, written
                                   # as the composer does (### label|id, per form_headings)
        archetype: private_message # optional, with recipients: [user, group]
        replies: [{user: fatima.benali, raw: "..."}]
    web_hooks:
      - {payload_url: "http://127.0.0.1:8000/webhooks/discourse", secret: "...",
         events: [topic_created, post_created], active: true}

Loading does not emit webhooks: it is the forum's state before the story starts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from discourse_sandbox.seed.groups import seed_groups, seed_user_fields
from discourse_sandbox.seed.settings import seed_settings
from discourse_sandbox.seed.sso import seed_sso_secrets
from discourse_sandbox.seed.target import SeedTarget
from discourse_sandbox.seed.taxonomy import seed_categories, seed_form_templates, seed_tag_groups
from discourse_sandbox.seed.topics import seed_topics
from discourse_sandbox.seed.users import seed_api_keys, seed_users
from discourse_sandbox.seed.web_hooks import seed_web_hooks

Importer = Callable[[SeedTarget, Any], None]

# Section -> importer taking (sandbox, section value). Order matters: names refer to earlier sections.
SECTIONS: dict[str, Importer] = {
    "settings": seed_settings,
    "user_fields": seed_user_fields,
    "groups": seed_groups,
    "users": seed_users,
    "api_keys": seed_api_keys,
    "sso_secrets": seed_sso_secrets,
    "form_templates": seed_form_templates,
    "tag_groups": seed_tag_groups,
    "categories": seed_categories,
    "topics": seed_topics,
    "web_hooks": seed_web_hooks,
}


class SeedError(ValueError):
    """The seed file is wrong; the message names the file, the entry and the key."""


def load_seed(target: SeedTarget, path: Path) -> None:
    """Apply every section of the file, in dependency order."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: cannot read the seed: {exc}") from exc
    load_seed_data(target, data, str(path))


def load_seed_data(target: SeedTarget, data: dict[str, Any], source: str = "seed") -> None:
    """Apply an already parsed seed."""
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise SeedError(f"{source}: unknown section(s) {sorted(unknown)}; expected {sorted(SECTIONS)}")
    for name, importer in SECTIONS.items():
        if name in data and data[name] is not None:
            try:
                importer(target, data[name])
            except SeedError:
                raise
            except (KeyError, ValueError, TypeError) as exc:
                raise SeedError(f"{source}: section {name}: {exc}") from exc
