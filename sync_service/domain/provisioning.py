"""The forum structure codev needs, and what must change in a forum to reach it (pure, no I/O).

Rules: codev creates what is missing and updates the attributes it manages; it never deletes
anything and never removes an option, a tag, an event or a form from a list (someone may rely on
it), except category permissions, which are set exactly so that a staff-only category stays so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

# Discourse's web hook event types as its database names them (db/fixtures/007_web_hook_event_types.rb;
# the X-Discourse-Event header and the admin API use these names): name -> id.
WEB_HOOK_EVENT_TYPES: dict[str, int] = {
    "topic_created": 101, "topic_revised": 102, "topic_edited": 103, "topic_destroyed": 104,
    "topic_recovered": 105, "post_created": 201, "post_edited": 202, "post_destroyed": 203,
    "post_recovered": 204, "user_logged_in": 301, "user_logged_out": 302, "user_confirmed_email": 303,
    "user_created": 304, "user_approved": 305, "user_updated": 306, "user_destroyed": 307,
    "user_suspended": 308, "user_unsuspended": 309, "group_created": 401, "group_updated": 402,
    "group_destroyed": 403, "category_created": 501, "category_updated": 502, "category_destroyed": 503,
    "tag_created": 601, "tag_updated": 602, "tag_destroyed": 603,
    "reviewable_created": 901, "reviewable_updated": 902, "notification_created": 1001,
    "accepted_solution": 1101, "unaccepted_solution": 1102, "assigned": 1201, "unassigned": 1202,
    "user_badge_granted": 1301, "user_badge_revoked": 1302,
    "user_added_to_group": 1401, "user_removed_from_group": 1402, "post_liked": 1501,
    "user_promoted": 1601, "topic_upvote": 1701, "topic_unvote": 1702,
    "chat_message_created": 1801, "chat_message_edited": 1802, "chat_message_trashed": 1803,
    "chat_message_restored": 1804,
}
# The codev plugin's own event types (discourse_plugin/lib/codev/offer_events.rb; GET /codev/status.json lists
# them): "Je peux aider" pressed and withdrawn.
OFFER_EVENTS: dict[str, int] = {"codev_offer_created": 90101, "codev_offer_withdrawn": 90102}
# The names of WebHookEventType::TYPES where the database's differ (older sandboxes, older notes).
OLD_EVENT_NAMES = {"group_user_added": "user_added_to_group", "group_user_removed": "user_removed_from_group"}

Kind = Literal["group", "user_field", "tag_group", "form_template", "category", "webhook"]
# Creation order: a category names groups (permissions) and form templates.
KIND_ORDER: tuple[Kind, ...] = ("group", "user_field", "tag_group", "form_template", "category", "webhook")
KIND_WORDS: Mapping[Kind, str] = {
    "group": "group", "user_field": "user field", "tag_group": "tag group",
    "form_template": "form template", "category": "category", "webhook": "webhook",
}


@dataclass(frozen=True)
class GroupSpec:
    """A group codev needs (members are not provisioned); a level left None is not managed."""

    name: str
    full_name: str
    # Group::ALIAS_LEVELS: 0 nobody, 1 admins, 2 mods and admins, 3 members, mods and admins,
    # 4 owners, mods and admins, 99 everyone: who may send the group a PM, or @mention it.
    messageable_level: int | None = None
    mentionable_level: int | None = None


@dataclass(frozen=True)
class UserFieldSpec:
    """A profile field; `options` only for dropdown and multiselect."""

    name: str
    field_type: str
    description: str
    options: tuple[str, ...] = ()
    editable: bool = True
    show_on_profile: bool = False
    show_on_user_card: bool = False
    searchable: bool = False


@dataclass(frozen=True)
class TagGroupSpec:
    """A tag group and its tags."""

    name: str
    tags: tuple[str, ...]
    one_per_topic: bool = False


@dataclass(frozen=True)
class FormTemplateSpec:
    """A category form; `fields` is the template's parsed YAML (a list of field mappings)."""

    name: str
    fields: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class CategorySpec:
    """A top-level category, found by its slug."""

    slug: str
    name: str
    color: str
    permissions: Mapping[str, int]
    form_templates: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebhookSpec:
    """The webhook that feeds codev, found by its payload URL."""

    payload_url: str
    secret: str
    events: tuple[str, ...]
    active: bool = True


Spec = GroupSpec | UserFieldSpec | TagGroupSpec | FormTemplateSpec | CategorySpec | WebhookSpec
S = TypeVar("S", GroupSpec, UserFieldSpec, TagGroupSpec, FormTemplateSpec, CategorySpec, WebhookSpec)


@dataclass(frozen=True)
class ForumStructure:
    """Everything `codev provision` makes sure exists."""

    groups: tuple[GroupSpec, ...] = ()
    user_fields: tuple[UserFieldSpec, ...] = ()
    tag_groups: tuple[TagGroupSpec, ...] = ()
    form_templates: tuple[FormTemplateSpec, ...] = ()
    categories: tuple[CategorySpec, ...] = ()
    webhook: WebhookSpec | None = None


@dataclass(frozen=True)
class Existing(Generic[S]):
    """Something the forum already has, with its forum id."""

    id: int
    spec: S


@dataclass(frozen=True)
class ForumState:
    """What the forum has now, read as specs (category form templates by name)."""

    groups: tuple[Existing[GroupSpec], ...] = ()
    user_fields: tuple[Existing[UserFieldSpec], ...] = ()
    tag_groups: tuple[Existing[TagGroupSpec], ...] = ()
    form_templates: tuple[Existing[FormTemplateSpec], ...] = ()
    categories: tuple[Existing[CategorySpec], ...] = ()
    webhooks: tuple[Existing[WebhookSpec], ...] = ()


@dataclass(frozen=True)
class Action:
    """One write: create `spec`, or update the thing `target_id` to `spec` (already merged)."""

    verb: Literal["create", "update"]
    kind: Kind
    spec: Spec
    target_id: int | None = None
    changes: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """The thing's name as a person reads it."""
        if isinstance(self.spec, WebhookSpec):
            return self.spec.payload_url
        return self.spec.name

    def describe(self) -> str:
        """"create category Besoins des communes", "update user field Compétences: options +3"."""
        text = f"{self.verb} {KIND_WORDS[self.kind]} {self.label}"
        return f"{text}: {', '.join(self.changes)}" if self.changes else text


def plan(desired: ForumStructure, current: ForumState) -> list[Action]:
    """The writes that bring `current` to `desired`, in an order the forum accepts; [] when none."""
    actions: list[Action] = []
    actions += _plan_kind("group", desired.groups, current.groups, _name_key, _group_changes)
    actions += _plan_kind("user_field", desired.user_fields, current.user_fields, _name_key,
                          _user_field_changes)
    actions += _plan_kind("tag_group", desired.tag_groups, current.tag_groups, _name_key,
                          _tag_group_changes)
    actions += _plan_kind("form_template", desired.form_templates, current.form_templates, _name_key,
                          _form_template_changes)
    actions += _plan_kind("category", desired.categories, current.categories,
                          lambda s: s.slug.lower(), _category_changes)
    if desired.webhook is not None:
        actions += _plan_kind("webhook", (desired.webhook,), current.webhooks,
                              lambda s: s.payload_url.strip(), _webhook_changes)
    return actions


def _name_key(spec: Any) -> str:
    return str(spec.name).strip().lower()


def _plan_kind(kind: Kind, wanted: Sequence[S], present: Sequence[Existing[S]], key: Any,
               compare: Any) -> list[Action]:
    by_key: dict[str, Existing[S]] = {}
    for item in present:
        by_key.setdefault(key(item.spec), item)  # the oldest wins when names repeat
    actions = []
    for spec in wanted:
        found = by_key.get(key(spec))
        if found is None:
            actions.append(Action("create", kind, spec))
            continue
        merged, changes = compare(spec, found.spec)
        if changes:
            actions.append(Action("update", kind, merged, found.id, tuple(changes)))
    return actions


def _union(current: Sequence[str], wanted: Sequence[str]) -> tuple[tuple[str, ...], int]:
    """Current items in their order, then the wanted ones missing; (list, how many added)."""
    seen = set(current)
    added = [w for w in dict.fromkeys(wanted) if w not in seen]
    return tuple(current) + tuple(added), len(added)


def _flags(wanted: Any, have: Any, names: Sequence[str]) -> list[str]:
    return [f"{n} {'on' if getattr(wanted, n) else 'off'}" for n in names
            if getattr(wanted, n) != getattr(have, n)]


def _group_changes(wanted: GroupSpec, have: GroupSpec) -> tuple[GroupSpec, list[str]]:
    changes = ["full name"] if wanted.full_name != have.full_name else []
    for attribute in ("messageable_level", "mentionable_level"):
        level, current = getattr(wanted, attribute), getattr(have, attribute)
        if level is not None and level != current:
            changes.append(f"{attribute.replace('_', ' ')} {current} -> {level}")
    return replace(wanted, name=have.name), changes


def _user_field_changes(wanted: UserFieldSpec, have: UserFieldSpec) -> tuple[UserFieldSpec, list[str]]:
    changes = []
    if wanted.field_type != have.field_type:
        changes.append(f"type {have.field_type} -> {wanted.field_type}")
    if wanted.description != have.description:
        changes.append("description")
    changes += _flags(wanted, have, ("editable", "show_on_profile", "show_on_user_card", "searchable"))
    options, added = _union(have.options, wanted.options) if wanted.options else ((), 0)
    if added:
        changes.append(f"options +{added}")
    return replace(wanted, name=have.name, options=options), changes


def _tag_group_changes(wanted: TagGroupSpec, have: TagGroupSpec) -> tuple[TagGroupSpec, list[str]]:
    tags, added = _union(have.tags, wanted.tags)
    changes = [f"tags +{added}"] if added else []
    changes += _flags(wanted, have, ("one_per_topic",))
    return replace(wanted, name=have.name, tags=tags), changes


def _form_template_changes(
    wanted: FormTemplateSpec, have: FormTemplateSpec
) -> tuple[FormTemplateSpec, list[str]]:
    if [dict(f) for f in wanted.fields] == [dict(f) for f in have.fields]:
        return wanted, []
    have_ids = [str(f.get("id")) for f in have.fields]
    wanted_ids = [str(f.get("id")) for f in wanted.fields]
    new = [i for i in wanted_ids if i not in have_ids]
    detail = f"fields +{len(new)}" if new else "fields changed"
    return replace(wanted, name=have.name), [detail]


def _category_changes(wanted: CategorySpec, have: CategorySpec) -> tuple[CategorySpec, list[str]]:
    changes = []
    if wanted.name != have.name:
        changes.append(f"name {have.name!r} -> {wanted.name!r}")
    if wanted.color.upper() != have.color.upper():
        changes.append("colour")
    if dict(wanted.permissions) != dict(have.permissions):
        levels = ", ".join(f"{group}: {level}" for group, level in sorted(wanted.permissions.items()))
        changes.append(f"permissions {levels}")
    forms, added = _union(have.form_templates, wanted.form_templates)
    if added:
        changes.append(f"form templates +{added}")
    return replace(wanted, slug=have.slug, form_templates=forms), changes


def _webhook_changes(wanted: WebhookSpec, have: WebhookSpec) -> tuple[WebhookSpec, list[str]]:
    events, added = _union(have.events, wanted.events)
    changes = [f"events +{added}"] if added else []
    if wanted.secret != have.secret:
        changes.append("secret")
    changes += _flags(wanted, have, ("active",))
    return replace(wanted, payload_url=have.payload_url, events=events), changes
