"""Load a YAML seed into a sandbox.

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

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

# Section -> "module:function" taking (sandbox, section_value). Order matters.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("settings", "discourse_sandbox.control:seed_settings"),
    ("user_fields", "discourse_sandbox.users:seed_user_fields"),
    ("groups", "discourse_sandbox.users:seed_groups"),
    ("users", "discourse_sandbox.users:seed_users"),
    ("api_keys", "discourse_sandbox.users:seed_api_keys"),
    ("sso_secrets", "discourse_sandbox.sso:seed_sso_secrets"),
    ("form_templates", "discourse_sandbox.taxonomy:seed_form_templates"),
    ("tag_groups", "discourse_sandbox.taxonomy:seed_tag_groups"),
    ("categories", "discourse_sandbox.taxonomy:seed_categories"),
    ("topics", "discourse_sandbox.topic_seed:seed_topics"),
    ("web_hooks", "discourse_sandbox.web_hook_model:seed_web_hooks"),
)


class SeedError(ValueError):
    """The seed file is wrong; the message names the file, the entry and the key."""


def load_seed(sandbox: Sandbox, path: Path) -> None:
    """Apply every section of the file, in dependency order."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: cannot read the seed: {exc}") from exc
    load_seed_data(sandbox, data, str(path))


def load_seed_data(sandbox: Sandbox, data: dict[str, Any], source: str = "seed") -> None:
    """Apply an already parsed seed."""
    known = {name for name, _ in SECTIONS}
    unknown = set(data) - known
    if unknown:
        raise SeedError(f"{source}: unknown section(s) {sorted(unknown)}; expected {sorted(known)}")
    for name, target in SECTIONS:
        if name in data and data[name] is not None:
            try:
                _resolve(target)(sandbox, data[name])
            except SeedError:
                raise
            except (KeyError, ValueError, TypeError) as exc:
                raise SeedError(f"{source}: section {name}: {exc}") from exc


def _resolve(target: str) -> Callable[[Sandbox, Any], None]:
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]
