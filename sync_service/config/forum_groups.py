"""The groups of config/forum.yaml: named groups with their alias levels, one group per engaged commune."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sync_service.config.reader import Reader
from sync_service.config.settings import Settings
from sync_service.domain.needs import Commune
from sync_service.domain.provisioning import GroupSpec

MAX_GROUP_NAME_LENGTH = 20  # Discourse's max_username_length default, which group names follow
GROUP_NAME = re.compile(r"[a-z0-9_][a-z0-9_.-]*[a-z0-9_]")
ALIAS_LEVELS = (0, 1, 2, 3, 4, 99)  # Group::ALIAS_LEVELS; all but 0 let an admin (codev) message
GROUP_LEVELS = ("messageable_level", "mentionable_level")
ELIDED = tuple("AEIOUYHÂÉÈÎÔ")  # "Commune d'Anzi", "Commune de Tanalt"
# A commune's group is messaged by codev (an admin: the plan import's review message, introductions for
# its imported needs); 3: its members, moderators and admins, not everyone.
COMMUNE_MESSAGEABLE_LEVEL = 3


def group_specs(r: Reader, doc: Mapping[str, Any], settings: Settings,
                communes: Mapping[str, Commune]) -> tuple[GroupSpec, ...]:
    """The named groups of forum.yaml and one group per engaged commune, checked against the settings."""
    groups: list[GroupSpec] = []
    for i, entry in enumerate(r.items(doc.get("groups"), "groups")):
        where = f"groups[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"name", "full_name", *GROUP_LEVELS})
        levels = {key: alias_level(r, entry, key, where) for key in GROUP_LEVELS}
        groups.append(GroupSpec(group_name(r, entry.get("name"), f"{where}.name"),
                                r.text(entry, "full_name", where), **levels))
    groups += [group for _slug, group in commune_group_specs(r, doc, settings, communes)]
    names = [g.name for g in groups]
    managers = next((g for g in groups if g.name == settings.forum.community_managers_group), None)
    if managers is not None and managers.messageable_level in (None, 0):
        # Every introduction PM names this group: at 0 ("nobody", the default) Discourse refuses it.
        raise r.fail(f"groups[{names.index(managers.name)}].messageable_level", managers.messageable_level,
                     f"1, 2, 3, 4 or 99: codev (an admin) names {managers.name!r} (settings "
                     "forum.community_managers_group) in every introduction")
    for needed, key in ((settings.forum.experts_group, "experts_group"),
                        (settings.forum.community_managers_group, "community_managers_group")):
        if needed not in names:
            raise r.fail("groups", names, f"a group named {needed!r} (settings forum.{key})")
    if len(set(names)) != len(names):
        raise r.fail("groups", names, "distinct group names")
    return tuple(groups)


def commune_group_specs(r: Reader, doc: Mapping[str, Any], settings: Settings,
                        communes: Mapping[str, Commune]) -> list[tuple[str, GroupSpec]]:
    """(commune slug, its group) for each engaged commune."""
    prefix = settings.forum.commune_group_prefix
    found = []
    for i, entry in enumerate(r.items(doc.get("communes"), "communes")):
        where = f"communes[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"slug", "group", "full_name"})
        slug = r.text(entry, "slug", where)
        commune = communes.get(slug)
        if commune is None:
            raise r.fail(f"{where}.slug", slug, f"a slug of {settings.forum.communes_file}")
        name = group_name(r, entry.get("group", prefix + slug), f"{where}.group")
        if not name.startswith(prefix):
            raise r.fail(f"{where}.group", name, f"a name starting with {prefix!r} "
                                                 "(settings forum.commune_group_prefix)")
        article = "d'" if commune.name.startswith(ELIDED) else "de "
        full_name = entry.get("full_name") or f"Commune {article}{commune.name} — جماعة {commune.name_ar}"
        found.append((slug, GroupSpec(name, str(full_name), messageable_level=COMMUNE_MESSAGEABLE_LEVEL)))
    return found


def alias_level(r: Reader, entry: Mapping[str, Any], key: str, where: str) -> int | None:
    value = entry.get(key)
    if value is not None and (isinstance(value, bool) or value not in ALIAS_LEVELS):
        raise r.fail(f"{where}.{key}", value, "0 (nobody), 1 (admins), 2 (+ moderators), 3 (+ members), "
                                              "4 (owners, moderators and admins) or 99 (everyone)")
    return value if isinstance(value, int) else None


def group_name(r: Reader, value: object, key: str) -> str:
    if (not isinstance(value, str) or not 3 <= len(value) <= MAX_GROUP_NAME_LENGTH
            or not GROUP_NAME.fullmatch(value)):
        raise r.fail(key, value, f"a group name of 3 to {MAX_GROUP_NAME_LENGTH} lowercase letters, "
                                 "digits, dashes, dots or underscores")
    return value
