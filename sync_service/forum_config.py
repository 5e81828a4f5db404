"""Load config/forum.yaml into the ForumStructure that `codev provision` brings the forum to."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sync_service.adapters.discourse.admin import WEB_HOOK_EVENT_IDS, render_form_template
from sync_service.config import ConfigError, Settings
from sync_service.domain.matching.taxonomy import Taxonomy
from sync_service.domain.provisioning import (
    CategorySpec,
    FormTemplateSpec,
    ForumStructure,
    GroupSpec,
    TagGroupSpec,
    UserFieldSpec,
    WebhookSpec,
)
from sync_service.matching_config import load_taxonomy

DEFAULT_FORUM = Path("config/forum.yaml")
DEFAULT_TAXONOMY = Path("config/taxonomy.yaml")
SECTIONS = {"lists", "provinces", "communes", "groups", "user_fields", "tag_groups", "form_templates",
            "categories", "webhook"}
TAG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_TAG_LENGTH = 20        # Discourse's max_tag_length default
MAX_GROUP_NAME_LENGTH = 20  # Discourse's max_username_length default, which group names follow
GROUP_NAME = re.compile(r"[a-z0-9_][a-z0-9_.-]*[a-z0-9_]")
MAX_TEMPLATE_LENGTH = 2000  # FormTemplate's length validation
FIELD_TYPES = ("text", "confirm", "dropdown", "multiselect")
FORM_TYPES = ("checkbox", "dropdown", "input", "multi-select", "textarea", "upload")
PERMISSION_LEVELS = (1, 2, 3)
ALIAS_LEVELS = (0, 1, 2, 3, 4, 99)  # Group::ALIAS_LEVELS; all but 0 let an admin (codev) message
GROUP_LEVELS = ("messageable_level", "mentionable_level")
STAFF_GROUPS = {"staff", "admins", "moderators"}
FLAGS = ("editable", "show_on_profile", "show_on_user_card", "searchable")
ELIDED = tuple("AEIOUYHÂÉÈÎÔ")  # "Commune d'Anzi", "Commune de Tanalt"


class _Reader:
    """Typed access to one YAML document, every error naming file, key, found and expected."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, found: object, expected: str) -> ConfigError:
        return ConfigError(self.source, key, found, expected)

    def mapping(self, value: object, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, value, "a mapping")
        return value

    def items(self, value: object, key: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, value, "a non-empty list")
        return value

    def text(self, entry: Mapping[str, Any], key: str, where: str) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", value, "a non-empty text")
        return value.strip()

    def texts(self, value: object, key: str) -> tuple[str, ...]:
        items = self.items(value, key)
        if not all(isinstance(v, str) and v.strip() for v in items):
            raise self.fail(key, value, "a list of non-empty texts")
        return tuple(dict.fromkeys(v.strip() for v in items))

    def flag(self, entry: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        value = entry.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", value, "true or false")
        return value

    def known_keys(self, entry: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        for key in entry:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", key, f"one of {', '.join(sorted(allowed))}")

    def tag(self, value: object, key: str) -> str:
        if not isinstance(value, str) or len(value) > MAX_TAG_LENGTH or not TAG.fullmatch(value):
            raise self.fail(key, value, f"a tag: lowercase letters, digits and dashes, "
                                        f"at most {MAX_TAG_LENGTH} characters")
        return value


def load_forum_structure(
    settings: Settings, path: str | Path = DEFAULT_FORUM, *, taxonomy_path: str | Path = DEFAULT_TAXONOMY,
    webhook_url: str | None = None,
) -> ForumStructure:
    """Read and check forum.yaml against the settings, the taxonomy and the communes file."""
    r = _Reader(str(path))
    doc = r.mapping(_read(r, Path(path)), "(top level)")
    r.known_keys(doc, "(top level)", SECTIONS)
    communes = _communes_file(settings)
    provinces = _provinces(r, doc.get("provinces"), communes)
    taxonomy = load_taxonomy(taxonomy_path)
    structure = ForumStructure(
        groups=_groups(r, doc, settings, communes),
        user_fields=_user_fields(r, doc.get("user_fields"), settings, taxonomy, provinces),
        tag_groups=_tag_groups(r, doc.get("tag_groups"), taxonomy, provinces),
        form_templates=_form_templates(r, doc.get("form_templates"), settings),
        webhook=_webhook(r, doc.get("webhook"), settings, webhook_url),
        categories=(),
    )
    categories = _categories(r, doc.get("categories"), structure, settings)
    return ForumStructure(structure.groups, structure.user_fields, structure.tag_groups,
                          structure.form_templates, categories, structure.webhook)


def _read(r: _Reader, path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise r.fail("(file)", type(exc).__name__, "a readable YAML file") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise r.fail(where, getattr(exc, "problem", str(exc)), "valid YAML") from exc


def _communes_file(settings: Settings) -> dict[str, dict[str, str]]:
    path = Path(settings.forum.communes_file)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return {row["slug"]: row for row in csv.DictReader(handle)}
    except (OSError, KeyError) as exc:
        raise ConfigError(str(path), "(file)", type(exc).__name__,
                          "the HCP communes CSV with slug and province_code columns") from exc


def _provinces(r: _Reader, value: object, communes: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Province name -> tag; every province of the communes file must be there."""
    result: dict[str, str] = {}
    codes = set()
    for i, entry in enumerate(r.items(value, "provinces")):
        where = f"provinces[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"code", "name", "tag"})
        code = r.text(entry, "code", where)
        codes.add(code)
        result[r.text(entry, "name", where)] = r.tag(entry.get("tag"), f"{where}.tag")
    missing = sorted({row["province_code"] for row in communes.values()} - codes)
    if missing:
        raise r.fail("provinces", f"no entry for {', '.join(missing)}",
                     "every province_code of the communes file")
    return result


def _groups(r: _Reader, doc: Mapping[str, Any], settings: Settings,
            communes: Mapping[str, Mapping[str, str]]) -> tuple[GroupSpec, ...]:
    groups: list[GroupSpec] = []
    for i, entry in enumerate(r.items(doc.get("groups"), "groups")):
        where = f"groups[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"name", "full_name", *GROUP_LEVELS})
        levels = {key: _alias_level(r, entry, key, where) for key in GROUP_LEVELS}
        groups.append(GroupSpec(_group_name(r, entry.get("name"), f"{where}.name"),
                                r.text(entry, "full_name", where), **levels))
    groups += [group for _slug, group in _commune_groups(r, doc, settings, communes)]
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


def _commune_groups(r: _Reader, doc: Mapping[str, Any], settings: Settings,
                    communes: Mapping[str, Mapping[str, str]]) -> list[tuple[str, GroupSpec]]:
    """(commune slug, its group) for each engaged commune."""
    prefix = settings.forum.commune_group_prefix
    found = []
    for i, entry in enumerate(r.items(doc.get("communes"), "communes")):
        where = f"communes[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"slug", "group", "full_name"})
        slug = r.text(entry, "slug", where)
        row = communes.get(slug)
        if row is None:
            raise r.fail(f"{where}.slug", slug, f"a slug of {settings.forum.communes_file}")
        name = _group_name(r, entry.get("group", prefix + slug), f"{where}.group")
        if not name.startswith(prefix):
            raise r.fail(f"{where}.group", name, f"a name starting with {prefix!r} "
                                                 "(settings forum.commune_group_prefix)")
        article = "d'" if row["name_fr"].startswith(ELIDED) else "de "
        full_name = entry.get("full_name") or f"Commune {article}{row['name_fr']} — جماعة {row['name_ar']}"
        found.append((slug, GroupSpec(name, str(full_name))))
    return found


def commune_groups(settings: Settings, path: str | Path = DEFAULT_FORUM) -> dict[str, str]:
    """Group name -> commune slug (config/communes.csv) of every engaged commune of forum.yaml."""
    r = _Reader(str(path))
    doc = r.mapping(_read(r, Path(path)), "(top level)")
    return {group.name: slug for slug, group in _commune_groups(r, doc, settings, _communes_file(settings))}


def _alias_level(r: _Reader, entry: Mapping[str, Any], key: str, where: str) -> int | None:
    value = entry.get(key)
    if value is not None and (isinstance(value, bool) or value not in ALIAS_LEVELS):
        raise r.fail(f"{where}.{key}", value, "0 (nobody), 1 (admins), 2 (+ moderators), 3 (+ members), "
                                              "4 (owners, moderators and admins) or 99 (everyone)")
    return value if isinstance(value, int) else None


def _group_name(r: _Reader, value: object, key: str) -> str:
    if (not isinstance(value, str) or not 3 <= len(value) <= MAX_GROUP_NAME_LENGTH
            or not GROUP_NAME.fullmatch(value)):
        raise r.fail(key, value, f"a group name of 3 to {MAX_GROUP_NAME_LENGTH} lowercase letters, "
                                 "digits, dashes, dots or underscores")
    return value


def _user_fields(r: _Reader, value: object, settings: Settings, taxonomy: Taxonomy,
                 provinces: Mapping[str, str]) -> tuple[UserFieldSpec, ...]:
    names = settings.forum.user_fields
    fields: list[UserFieldSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(r.items(value, "user_fields")):
        where = f"user_fields[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"key", "field_type", "description", "options", "options_from",
                                    "extra_options", *FLAGS})
        key = r.text(entry, "key", where)
        if key not in names:
            raise r.fail(f"{where}.key", key, f"a key of settings forum.user_fields ({', '.join(names)})")
        seen.add(key)
        field_type = r.text(entry, "field_type", where)
        if field_type not in FIELD_TYPES:
            raise r.fail(f"{where}.field_type", field_type, f"one of {', '.join(FIELD_TYPES)}")
        options = _options(r, entry, where, taxonomy, provinces)
        if (field_type in ("dropdown", "multiselect")) != bool(options):
            raise r.fail(f"{where}.options", list(options), "options for dropdown and multiselect only")
        fields.append(UserFieldSpec(
            names[key], field_type, " ".join(r.text(entry, "description", where).split()), options,
            **{flag: r.flag(entry, flag, where, default=flag == "editable") for flag in FLAGS}))
    missing = [k for k in names if k not in seen]
    if missing:
        raise r.fail("user_fields", f"no entry for {', '.join(missing)}",
                     "one field for each key of settings forum.user_fields")
    return tuple(fields)


def _options(r: _Reader, entry: Mapping[str, Any], where: str, taxonomy: Taxonomy,
             provinces: Mapping[str, str]) -> tuple[str, ...]:
    source = entry.get("options_from")
    if source is None:
        return r.texts(entry["options"], f"{where}.options") if "options" in entry else ()
    if source == "skills":
        labels = [c.label("fr") for c in taxonomy.skills.values()]
        options = tuple(label[:1].upper() + label[1:] for label in labels)
    elif source == "provinces":
        options = tuple(provinces)
    else:
        raise r.fail(f"{where}.options_from", source, "skills or provinces")
    extra = r.texts(entry["extra_options"], f"{where}.extra_options") if "extra_options" in entry else ()
    return tuple(dict.fromkeys(options + extra))


def _tag_groups(r: _Reader, value: object, taxonomy: Taxonomy,
                provinces: Mapping[str, str]) -> tuple[TagGroupSpec, ...]:
    tables = {"sectors": taxonomy.sectors, "kinds": taxonomy.kinds}
    groups = []
    for i, entry in enumerate(r.items(value, "tag_groups")):
        where = f"tag_groups[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"name", "tags", "taxonomy", "provinces", "one_per_topic"})
        if r.flag(entry, "provinces", where):
            tags = tuple(provinces.values())
        elif "taxonomy" in entry:
            table = tables.get(str(entry["taxonomy"]))
            if table is None:
                raise r.fail(f"{where}.taxonomy", entry["taxonomy"], f"one of {', '.join(tables)}")
            mapping = r.mapping(entry.get("tags"), f"{where}.tags")
            for cid in mapping:
                if cid not in table:
                    raise r.fail(f"{where}.tags.{cid}", cid, f"an id of the taxonomy's {entry['taxonomy']}")
            tags = tuple(r.tag(t, f"{where}.tags.{cid}") for cid, t in mapping.items())
        else:
            tags = tuple(r.tag(t, f"{where}.tags[{j}]") for j, t in
                         enumerate(r.items(entry.get("tags"), f"{where}.tags")))
        groups.append(TagGroupSpec(r.text(entry, "name", where), tuple(dict.fromkeys(tags)),
                                   r.flag(entry, "one_per_topic", where)))
    return tuple(groups)


def _form_templates(r: _Reader, value: object, settings: Settings) -> tuple[FormTemplateSpec, ...]:
    labels = {fid: headings[0] for fid, headings in settings.forum.need_form_fields.items()}
    templates = []
    for i, entry in enumerate(r.items(value, "form_templates")):
        where = f"form_templates[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"name", "fields"})
        fields = []
        for j, spec in enumerate(r.items(entry.get("fields"), f"{where}.fields")):
            fields.append(_form_field(r, r.mapping(spec, f"{where}.fields[{j}]"), f"{where}.fields[{j}]",
                                      labels))
        ids = [f["id"] for f in fields]
        missing = [fid for fid in labels if fid not in ids]
        if missing:
            raise r.fail(f"{where}.fields", ids, f"a field for each of {', '.join(labels)} "
                                                 "(settings forum.need_form_fields)")
        template = FormTemplateSpec(r.text(entry, "name", where), tuple(fields))
        size = len(render_form_template(template))
        if size > MAX_TEMPLATE_LENGTH:
            raise r.fail(f"{where}.fields", f"{size} characters of YAML",
                         f"at most {MAX_TEMPLATE_LENGTH} (Discourse's limit): shorten descriptions")
        templates.append(template)
    return tuple(templates)


def _form_field(r: _Reader, spec: Mapping[str, Any], where: str, labels: Mapping[str, str]) -> dict[str, Any]:
    r.known_keys(spec, where, {"id", "type", "choices", "description", "placeholder", "none_label",
                               "required"})
    fid = r.text(spec, "id", where)
    if fid not in labels:
        raise r.fail(f"{where}.id", fid, f"one of {', '.join(labels)} (settings forum.need_form_fields)")
    kind = r.text(spec, "type", where)
    if kind not in FORM_TYPES:
        raise r.fail(f"{where}.type", kind, f"one of {', '.join(FORM_TYPES)}")
    help_text = r.mapping(spec.get("description"), f"{where}.description")
    attributes = {"label": labels[fid], "description": " — ".join(
        (r.text(help_text, "ar", f"{where}.description"), r.text(help_text, "en", f"{where}.description")))}
    for key in ("placeholder", "none_label"):
        if key in spec:
            attributes[key] = r.text(spec, key, where)
    field: dict[str, Any] = {"type": kind, "id": fid}
    if kind in ("dropdown", "multi-select"):
        field["choices"] = list(r.texts(spec.get("choices"), f"{where}.choices"))
    field["attributes"] = attributes
    if r.flag(spec, "required", where):
        field["validations"] = {"required": True}
    return field


def _categories(r: _Reader, value: object, structure: ForumStructure,
                settings: Settings) -> tuple[CategorySpec, ...]:
    templates = {t.name for t in structure.form_templates}
    groups = {g.name for g in structure.groups} | {"everyone", "staff", "admins", "moderators",
                                                   "trust_level_0", "trust_level_1", "trust_level_2",
                                                   "trust_level_3", "trust_level_4"}
    categories = []
    for i, entry in enumerate(r.items(value, "categories")):
        where = f"categories[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"name", "slug", "color", "permissions", "form_templates"})
        color = r.text(entry, "color", where)
        if not re.fullmatch(r"[0-9A-Fa-f]{6}", color):
            raise r.fail(f"{where}.color", color, "six hexadecimal digits, e.g. 0E76BD")
        permissions = r.mapping(entry.get("permissions"), f"{where}.permissions")
        for group, level in permissions.items():
            if group not in groups:
                raise r.fail(f"{where}.permissions.{group}", group, "a group of this file or a Discourse "
                                                                   "automatic group (everyone, staff, ...)")
            if level not in PERMISSION_LEVELS:
                raise r.fail(f"{where}.permissions.{group}", level, "1 (create), 2 (reply) or 3 (see)")
        forms = (r.texts(entry["form_templates"], f"{where}.form_templates")
                 if "form_templates" in entry else ())
        for form in forms:
            if form not in templates:
                raise r.fail(f"{where}.form_templates", form, "a form template of this file")
        categories.append(CategorySpec(r.text(entry, "slug", where), r.text(entry, "name", where),
                                       color.upper(), dict(permissions), forms))
    slugs = {c.slug: c for c in categories}
    for key in ("needs_category", "review_category", "introductions_category"):
        slug = getattr(settings.forum, key)
        if slug not in slugs:
            raise r.fail("categories", sorted(slugs), f"a category with slug {slug!r} (settings forum.{key})")
    _check_review(r, slugs[settings.forum.review_category], settings)
    return tuple(categories)


def _check_review(r: _Reader, review: CategorySpec, settings: Settings) -> None:
    """The review category: the managers answer there, and nobody else may see codev's suggestions."""
    managers, groups = settings.forum.community_managers_group, set(review.permissions)
    if (groups - STAFF_GROUPS - {managers} or not groups & STAFF_GROUPS
            or review.permissions.get(managers) not in (1, 2)):
        raise r.fail(f"categories[slug={review.slug}].permissions", dict(review.permissions),
                     f"the review category {review.slug!r} open to staff and {managers!r} only "
                     f"(settings forum.community_managers_group, 1 or 2: they answer there), "
                     f"e.g. {{staff: 1, {managers}: 1}}")


def _webhook(r: _Reader, value: object, settings: Settings, webhook_url: str | None) -> WebhookSpec:
    entry = r.mapping(value, "webhook")
    r.known_keys(entry, "webhook", {"payload_url", "events"})
    url = webhook_url or r.text(entry, "payload_url", "webhook")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        source = "--webhook-url" if webhook_url else "webhook.payload_url"
        raise ConfigError(r.source, source, url, "an http:// or https:// URL")
    if not settings.webhook_secrets:
        raise ConfigError("environment", "CODEV_WEBHOOK_SECRETS", "nothing",
                          "at least one secret: the webhook is signed with the first")
    events = r.texts(entry.get("events"), "webhook.events")
    for event in events:
        if event not in WEB_HOOK_EVENT_IDS:
            raise r.fail("webhook.events", event, f"one of {', '.join(WEB_HOOK_EVENT_IDS)}")
    return WebhookSpec(url, settings.webhook_secrets[0], events)
