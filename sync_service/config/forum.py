"""config/forum.yaml into the ForumStructure that `codev provision` brings the forum to, checked against
the settings, the taxonomy and the communes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sync_service.config.errors import ConfigError
from sync_service.config.forum_groups import commune_group_specs, group_specs
from sync_service.config.reader import Reader, read_yaml
from sync_service.config.settings import Settings
from sync_service.domain.matching.taxonomy import Taxonomy
from sync_service.domain.needs import Commune
from sync_service.domain.provisioning import (
    OLD_EVENT_NAMES,
    WEB_HOOK_EVENT_TYPES,
    CategorySpec,
    FormTemplateSpec,
    ForumStructure,
    TagGroupSpec,
    UserFieldSpec,
    WebhookSpec,
)

SECTIONS = {"lists", "provinces", "communes", "groups", "user_fields", "tag_groups", "form_templates",
            "categories", "webhook"}
MAX_TEMPLATE_LENGTH = 2000  # FormTemplate's length validation
FIELD_TYPES = ("text", "confirm", "dropdown", "multiselect")
FORM_TYPES = ("checkbox", "dropdown", "input", "multi-select", "textarea", "upload")
PERMISSION_LEVELS = (1, 2, 3)
STAFF_GROUPS = {"staff", "admins", "moderators"}
FLAGS = ("editable", "show_on_profile", "show_on_user_card", "searchable")


def load_forum_structure(settings: Settings, path: Path, taxonomy: Taxonomy, communes: Mapping[str, Commune],
                         *, webhook_url: str | None = None, require_secret: bool = True) -> ForumStructure:
    """Read and check forum.yaml; `require_secret`: the webhook's secret must be set (provisioning)."""
    r = Reader(str(path))
    doc = r.mapping(read_yaml(path), "(top level)")
    r.known_keys(doc, "(top level)", SECTIONS)
    provinces = _provinces(r, doc.get("provinces"), communes)
    structure = ForumStructure(
        groups=group_specs(r, doc, settings, communes),
        user_fields=_user_fields(r, doc.get("user_fields"), settings, taxonomy, provinces),
        tag_groups=_tag_groups(r, doc.get("tag_groups"), taxonomy, provinces, settings),
        form_templates=_form_templates(r, doc.get("form_templates"), settings),
        webhook=_webhook(r, doc.get("webhook"), settings, webhook_url, require_secret),
        categories=(),
    )
    categories = _categories(r, doc.get("categories"), structure, settings)
    return ForumStructure(structure.groups, structure.user_fields, structure.tag_groups,
                          structure.form_templates, categories, structure.webhook)


def commune_groups(settings: Settings, path: Path, communes: Mapping[str, Commune]) -> dict[str, str]:
    """Group name -> commune slug (config/communes.csv) of every engaged commune of forum.yaml."""
    r = Reader(str(path))
    doc = r.mapping(read_yaml(path), "(top level)")
    return {group.name: slug for slug, group in commune_group_specs(r, doc, settings, communes)}


def render_form_template(spec: FormTemplateSpec) -> str:
    """The template's YAML text, compact (flow style for lists and attributes, as people write it)."""
    return yaml.safe_dump([dict(f) for f in spec.fields], allow_unicode=True, sort_keys=False,
                          width=1000, default_flow_style=None)


def _provinces(r: Reader, value: object, communes: Mapping[str, Commune]) -> dict[str, str]:
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
    missing = sorted({c.province_code for c in communes.values()} - codes)
    if missing:
        raise r.fail("provinces", f"no entry for {', '.join(missing)}",
                     "every province_code of the communes file")
    return result


def _user_fields(r: Reader, value: object, settings: Settings, taxonomy: Taxonomy,
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


def _options(r: Reader, entry: Mapping[str, Any], where: str, taxonomy: Taxonomy,
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


def _tag_groups(r: Reader, value: object, taxonomy: Taxonomy, provinces: Mapping[str, str],
                settings: Settings) -> tuple[TagGroupSpec, ...]:
    tables = {"sectors": taxonomy.sectors, "kinds": taxonomy.kinds}
    groups = []
    for i, entry in enumerate(r.items(value, "tag_groups")):
        where = f"tag_groups[{i}]"
        entry = r.mapping(entry, where)
        r.known_keys(entry, where, {"name", "tags", "taxonomy", "provinces", "one_per_topic", "approval"})
        if r.flag(entry, "provinces", where):
            tags = tuple(provinces.values())
        elif r.flag(entry, "approval", where):
            tags = _approval_tags(r, settings, f"{where}.approval")
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


def _approval_tags(r: Reader, settings: Settings, where: str) -> tuple[str, ...]:
    """approuver-1 ... approuver-<review_candidates>: created in advance, so that a community manager
    below trust level 3 (who may not create tags) can still put one on a review topic."""
    prefix, count = settings.lifecycle.approve_tag_prefix, settings.lifecycle.review_candidates
    if not prefix:
        raise r.fail(where, True, "false: settings lifecycle.approve_tag_prefix is empty (tags do not "
                                  "approve)")
    return tuple(r.tag(f"{prefix}{rank}", f"{where} (settings lifecycle.approve_tag_prefix)")
                 for rank in range(1, count + 1))


def _form_templates(r: Reader, value: object, settings: Settings) -> tuple[FormTemplateSpec, ...]:
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


def _form_field(r: Reader, spec: Mapping[str, Any], where: str, labels: Mapping[str, str]) -> dict[str, Any]:
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


def _categories(r: Reader, value: object, structure: ForumStructure,
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
    for key in ("needs_category", "review_category", "introductions_category", "practices_category",
                "calls_category"):
        slug = getattr(settings.forum, key)
        if slug not in slugs:
            raise r.fail("categories", sorted(slugs), f"a category with slug {slug!r} (settings forum.{key})")
    if settings.forum.calls_category in (settings.forum.needs_category, settings.forum.review_category):
        raise r.fail("categories", settings.forum.calls_category,
                     "settings forum.calls_category other than the needs and the review categories "
                     "(a call there would be read as a need, or hidden)")
    _check_review(r, slugs[settings.forum.review_category], settings)
    return tuple(categories)


def _check_review(r: Reader, review: CategorySpec, settings: Settings) -> None:
    """The review category: the managers answer there, and nobody else may see codev's suggestions."""
    managers, groups = settings.forum.community_managers_group, set(review.permissions)
    if (groups - STAFF_GROUPS - {managers} or not groups & STAFF_GROUPS
            or review.permissions.get(managers) not in (1, 2)):
        raise r.fail(f"categories[slug={review.slug}].permissions", dict(review.permissions),
                     f"the review category {review.slug!r} open to staff and {managers!r} only "
                     f"(settings forum.community_managers_group, 1 or 2: they answer there), "
                     f"e.g. {{staff: 1, {managers}: 1}}")


def _webhook(r: Reader, value: object, settings: Settings, webhook_url: str | None,
             require_secret: bool) -> WebhookSpec:
    entry = r.mapping(value, "webhook")
    r.known_keys(entry, "webhook", {"payload_url", "events"})
    url = webhook_url or r.text(entry, "payload_url", "webhook")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        source = "--webhook-url" if webhook_url else "webhook.payload_url"
        raise ConfigError(r.source, source, url, "an http:// or https:// URL")
    if require_secret and not settings.webhook_secrets:
        raise ConfigError("environment", "CODEV_WEBHOOK_SECRETS", "nothing",
                          "at least one secret: the webhook is signed with the first")
    events = tuple(OLD_EVENT_NAMES.get(e, e) for e in r.texts(entry.get("events"), "webhook.events"))
    for event in events:
        if event not in WEB_HOOK_EVENT_TYPES:
            raise r.fail("webhook.events", event, f"one of {', '.join(WEB_HOOK_EVENT_TYPES)}")
    return WebhookSpec(url, settings.webhook_secrets[0] if settings.webhook_secrets else "", events)
