"""Guardian: who may see and do what, read from the state.

Models and serializers both ask it, as Discourse's controllers and serializers ask its Guardian.
"""

from __future__ import annotations

from discourse_sandbox.core.queries import category_topics, member_ids
from discourse_sandbox.core.records import Category, Group, TagGroup, Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State

# CategoryGroup.permission_types.
FULL, CREATE_POST, READONLY = 1, 2, 3
# Group.visibility_levels.
PUBLIC, LOGGED_ON_USERS, MEMBERS, STAFF, OWNERS = 0, 1, 2, 3, 4


# --- categories ------------------------------------------------------------------------------

def category_permission(state: State, category: Category, user: User | None) -> int | None:
    """The strongest permission type (1 full, 2 create_post, 3 readonly) a user has, or None."""
    if user is not None and user.admin:
        return FULL  # Category.scoped_to_permissions: admins get every category
    permissions = category.permissions or {"everyone": FULL}  # no category_groups rows: public
    names = {"everyone"}
    if user is not None:
        names |= {state.groups[gid].name.lower() for gid in state.group_ids_of(user.id)
                  if gid in state.groups}
    levels = [level for group, level in permissions.items() if group.lower() in names]
    return min(levels) if levels else None


def can_see_category(state: State, category: Category, user: User | None) -> bool:
    """Guardian#can_see_category?: some group of the user (or everyone) has any permission."""
    return category_permission(state, category, user) is not None


def can_create_in_category(state: State, category: Category, user: User | None) -> bool:
    """Guardian#can_create_topic_on_category?: a signed-in user with full permission."""
    return user is not None and category_permission(state, category, user) == FULL


def can_reply_in_category(state: State, category: Category, user: User | None) -> bool:
    """Guardian#can_create_post_in_category?: full or create_post permission."""
    level = category_permission(state, category, user)
    return user is not None and level is not None and level <= CREATE_POST


def can_edit_category(user: User | None) -> bool:
    """Guardian#can_edit_category?: admins (moderators_manage_categories is off by default)."""
    return user is not None and user.admin


def can_delete_category(state: State, category: Category, user: User | None) -> bool:
    """Guardian#can_delete_category?: an editor, no topics besides its About topic, no children."""
    return can_edit_category(user) and not category_topics(state, category) and not any(
        c.parent_category_id == category.id for c in state.categories.values())


# --- topics ----------------------------------------------------------------------------------

def is_participant(state: State, topic: Topic, user: User | None) -> bool:
    """A PM's allowed user, or a member of one of its allowed groups."""
    if user is None:
        return False
    if user.id in topic.allowed_user_ids:
        return True
    return bool(set(topic.allowed_group_ids) & set(state.group_ids_of(user.id)))


def can_see_topic(state: State, topic: Topic, user: User | None) -> bool:
    """Guardian#can_see_topic?: deleted and unlisted for staff, PMs for participants, else the category."""
    staff = bool(user and user.staff)
    if topic.deleted_at is not None and not staff:
        return False
    if topic.archetype == "private_message":
        return bool(user and user.admin) or is_participant(state, topic, user)
    category = state.categories.get(topic.category_id) if topic.category_id is not None else None
    return category is None or can_see_category(state, category, user)


def can_reply_to_topic(state: State, topic: Topic, user: User) -> bool:
    """Guardian#can_create_post_on_topic?: open (staff excepted), not archived, category allows it."""
    if topic.deleted_at is not None or not can_see_topic(state, topic, user):
        return False
    if (topic.closed or topic.archived) and not user.staff:
        return False
    if topic.archived:
        return False
    if topic.archetype == "private_message":
        return True
    category = state.categories.get(topic.category_id) if topic.category_id is not None else None
    return category is None or can_reply_in_category(state, category, user)


def listable(topic: Topic, user: User | None) -> bool:
    """In topic lists: regular, not deleted, visible unless the viewer is staff."""
    if topic.archetype == "private_message" or topic.deleted_at is not None:
        return False
    return topic.visible or bool(user and user.staff)


# --- users -----------------------------------------------------------------------------------

def can_edit_user(viewer: User | None, user: User) -> bool:
    """Guardian#can_edit_user?: oneself, admins, and moderators for non-admins."""
    if viewer is None:
        return False
    if viewer.id == user.id or viewer.admin:
        return True
    return viewer.moderator and not user.admin


def allowed_field_ids(state: State, user: User, viewer: User | None) -> list[int]:
    """Guardian#allowed_user_field_ids: staff and the user see all; others the public ones."""
    fields = sorted(state.user_fields.values(), key=lambda f: f.id)
    if viewer is not None and (viewer.staff or viewer.id == user.id):
        return [f.id for f in fields]
    return [f.id for f in fields if f.show_on_profile or f.show_on_user_card]


# --- groups ----------------------------------------------------------------------------------

def can_see_group(state: State, group: Group, viewer: User | None) -> bool:
    """Guardian#can_see_group? after Group.visible_groups."""
    level = group.visibility_level
    if level == PUBLIC or (viewer is not None and viewer.admin):
        return True
    if viewer is None:
        return False
    if level == LOGGED_ON_USERS or viewer.staff:
        return True
    if level == MEMBERS:
        return viewer.id in member_ids(state, group) or viewer.id in group.owner_ids
    return level == OWNERS and viewer.id in group.owner_ids


def can_see_members(state: State, group: Group, viewer: User | None) -> bool:
    """Guardian#can_see_group_members?, by members_visibility_level."""
    level = group.members_visibility_level
    if level == PUBLIC or (viewer is not None and viewer.staff):
        return True
    if viewer is None:
        return False
    if level == LOGGED_ON_USERS:
        return True
    if level == MEMBERS:
        return viewer.id in member_ids(state, group) or viewer.id in group.owner_ids
    return viewer.id in group.owner_ids


def can_manage_group(group: Group, viewer: User | None) -> bool:
    """Guardian#can_edit_group? for custom groups: admins, moderators or an owner."""
    if viewer is None or group.automatic:
        return False
    return viewer.staff or viewer.id in group.owner_ids


def alias_allows(level: int, group: Group, user: User) -> bool:
    """Group.messageable / Group.mentionable for one group: Group.alias_levels(user), members, owners."""
    if level == 99 or (user.admin and level in (1, 2, 3, 4)) or (user.staff and level in (2, 3, 4)):
        return True
    return (level == 3 and user.id in group.user_ids) or (level == 4 and user.id in group.owner_ids)


# --- tags ------------------------------------------------------------------------------------

def tag_group_visible(state: State, group: TagGroup, user: User | None) -> bool:
    """TagGroup.visible: staff, or a group of the user (or everyone) has a permission."""
    if user is not None and user.staff:
        return True
    names = {"everyone"}
    if user is not None:
        names |= {state.groups[g].name for g in state.group_ids_of(user.id) if g in state.groups}
    return any(name in names for name in group.permissions)


def hidden_tag_names(state: State, user: User | None) -> set[str]:
    """DiscourseTagging.hidden_tag_names: tags of tag groups the user cannot see."""
    if user is not None and user.staff:
        return set()
    hidden: set[str] = set()
    for group in state.tag_groups.values():
        if not tag_group_visible(state, group, user):
            hidden |= set(group.tag_names) | set(group.parent_tag_name)
    return hidden


# --- the discourse-codev plugin (discourse_plugin/lib/codev/guardian_extension.rb) --------------

CODEV_OFFERABLE_STATUSES = ("open", "matched")


def _codev_group_member(state: State, user: User, name: str) -> bool:
    """A member of the group the setting names (automatic groups included, as GroupUser has them)."""
    group = state.group_by_name(name) if name else None
    return group is not None and group.id in state.group_ids_of(user.id)


def codev_manager(state: State, settings: SandboxSettings, user: User | None) -> bool:
    """Staff, or a member of codev_managers_group."""
    return user is not None and (user.staff
                                 or _codev_group_member(state, user, settings.codev_managers_group))


def codev_expert(state: State, settings: SandboxSettings, user: User | None) -> bool:
    """A member of codev_experts_group."""
    return user is not None and _codev_group_member(state, user, settings.codev_experts_group)


def codev_kind(state: State, topic: Topic) -> str | None:
    """need, introduction, or None when the service pushed nothing for the topic."""
    stored = state.codev_topic_states.get(topic.id)
    return stored.kind if stored else None


def can_see_codev_candidates(state: State, settings: SandboxSettings, topic: Topic,
                             user: User | None) -> bool:
    """A manager who can see the topic."""
    return codev_manager(state, settings, user) and can_see_topic(state, topic, user)


def can_offer_codev_help(state: State, settings: SandboxSettings, topic: Topic,
                         user: User | None) -> bool:
    """An expert who can see the need, while it is open or matched."""
    stored = state.codev_topic_states.get(topic.id)
    return (codev_expert(state, settings, user) and can_see_topic(state, topic, user)
            and stored is not None and stored.kind == "need" and stored.status in CODEV_OFFERABLE_STATUSES)


def can_answer_codev_introduction(state: State, topic: Topic, user: User | None) -> bool:
    """The introduction's expert, while the answer is awaited, if they may reply."""
    stored = state.codev_topic_states.get(topic.id)
    if user is None or stored is None or stored.kind != "introduction":
        return False
    return (stored.data.get("state") == "awaiting"
            and str(stored.data.get("expert_username", "")).lower() == user.username.lower()
            and can_reply_to_topic(state, topic, user))
