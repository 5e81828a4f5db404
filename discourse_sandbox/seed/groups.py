"""Seed sections `user_fields` and `groups` (members come with the users)."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.models.group_rules import create_group
from discourse_sandbox.models.user_fields import build_user_field
from discourse_sandbox.seed.checks import reject_unknown_keys, seed_entries
from discourse_sandbox.seed.target import SeedTarget

_FIELD_SEED_KEYS = {"name", "field_type", "description", "requirement", "editable", "show_on_profile",
                    "show_on_user_card", "searchable", "position", "options"}


def seed_user_fields(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `user_fields`: [{name, field_type, options?, editable?, show_on_profile?, ...}]."""
    with target.state.transaction() as state:
        for where, entry in seed_entries("user_fields", entries, "name"):
            reject_unknown_keys(f"{where} ({entry['name']})", entry, _FIELD_SEED_KEYS)
            if any(f.name == entry["name"] for f in state.user_fields.values()):
                raise ValueError(f"{where}: key 'name': a user field named {entry['name']!r} exists")
            data = {"editable": True, "description": entry["name"], **entry}
            field, errors = build_user_field(state, data)
            if field is None:
                raise ValueError(f"{where} ({entry['name']}): {'; '.join(errors)}")
            state.user_fields[field.id] = field


_GROUP_KEYS = {"name", "full_name", "bio", "bio_raw", "visibility_level", "members_visibility_level",
               "public_admission", "public_exit", "mentionable_level", "messageable_level"}


def seed_groups(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `groups`: [{name, full_name?, visibility_level?, ...}] (members come with users)."""
    with target.state.transaction() as state:
        for where, entry in seed_entries("groups", entries, "name"):
            reject_unknown_keys(f"{where} ({entry['name']})", entry, _GROUP_KEYS)
            data = dict(entry)
            if "bio" in data:
                data["bio_raw"] = data.pop("bio")
            group, errors = create_group(state, data, target.clock.now())
            if group is None:
                raise ValueError(f"{where} ({entry['name']}): key 'name': {'; '.join(errors)}")
