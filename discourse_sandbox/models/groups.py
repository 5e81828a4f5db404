"""Groups and their members as GroupsController serves them: lists, search, show, edits, membership."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from discourse_sandbox.core.errors import fail, found, invalid_access, not_found, record_invalid
from discourse_sandbox.core.events import GroupEvent
from discourse_sandbox.core.guardian import can_manage_group, can_see_group, can_see_members
from discourse_sandbox.core.params import as_int
from discourse_sandbox.core.queries import find_users_by_names, member_ids
from discourse_sandbox.core.records import Group, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.group_rules import (
    bad_param,
    group_errors,
    level_errors,
    managed_group,
    update_group,
)
from discourse_sandbox.models.site import Site

GROUPS_PAGE = 36  # GroupsController::PAGE_SIZE
AUTOMATIC_EDITABLE = ("bio_raw", "mentionable_level", "messageable_level")
TYPE_FILTERS: dict[str, Callable[[State, Group, User | None], bool]] = {
    "my": lambda s, grp, u: u is not None and u.id in member_ids(s, grp),
    "owner": lambda s, grp, u: u is not None and u.id in grp.owner_ids,
    "public": lambda s, grp, u: grp.public_admission and not grp.automatic,
    "close": lambda s, grp, u: not grp.public_admission and not grp.automatic,
    "automatic": lambda s, grp, u: grp.automatic,
    "non_automatic": lambda s, grp, u: not grp.automatic,
}


def _listed(state: State, group: Group, viewer: User | None) -> bool:
    # non-staff see no automatic group but "moderators", to de-clutter the page
    staff = viewer is not None and viewer.staff
    return can_see_group(state, group, viewer) and (
        staff or not group.automatic or group.name == "moderators")


@dataclass
class GroupPage:
    """One page of GET /groups and how many groups matched."""

    groups: list[Group]
    total: int


@dataclass
class ShownGroup:
    """GET /groups/{name}: the group and the names of the groups the viewer sees."""

    group: Group
    visible_group_names: list[str]


@dataclass
class Members:
    """GET /groups/{name}/members: the group, one page of members, every owner, the count of members."""

    group: Group
    members: list[User]
    owners: list[User]
    total: int


class Groups:
    """GroupsController over the site's groups."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def index(self, viewer: User | None, term: str, kind: str, page: int) -> GroupPage:
        """Visible groups matching `term` (and the type filter), by name, GROUPS_PAGE a page."""
        with self.site.state.transaction() as state:
            groups = [grp for grp in state.groups.values() if grp.id != 0 and _listed(state, grp, viewer)
                      and (term in grp.name.lower() or term in grp.full_name.lower())
                      and (not kind or TYPE_FILTERS[kind](state, grp, viewer))]
            groups.sort(key=lambda grp: grp.name.lower())
            return GroupPage(groups[page * GROUPS_PAGE:(page + 1) * GROUPS_PAGE], len(groups))

    def search(self, viewer: User | None, term: str) -> list[Group]:
        """GroupsController#search: visible groups matching `term`, by name (automatic ones too)."""
        with self.site.state.transaction() as state:
            return sorted((grp for grp in state.groups.values()
                           if grp.id != 0 and can_see_group(state, grp, viewer)
                           and (term in grp.name.lower() or term in grp.full_name.lower())),
                          key=lambda grp: grp.name.lower())

    def show(self, viewer: User | None, name: str | None = None, group_id: int | None = None) -> ShownGroup:
        """A group by name or id, 404 when the viewer may not see it."""
        with self.site.state.transaction() as state:
            group = state.group_by_name(name) if name is not None else state.groups.get(group_id or 0)
            group = _visible(state, group, viewer)
            names = sorted(grp.name for grp in state.groups.values() if _listed(state, grp, viewer))
            return ShownGroup(group, names)

    def members(self, name: str, viewer: User | None, limit: int, offset: int, ascending: bool) -> Members:
        """ORDER BY NOT owner, username_lower DESC (ASC with asc), `limit` from `offset`."""
        with self.site.state.transaction() as state:
            group = _visible(state, state.group_by_name(name), viewer)
            if not can_see_members(state, group, viewer):
                invalid_access()
            users = [state.users[uid] for uid in member_ids(state, group) if uid in state.users and uid > 0]
            users.sort(key=lambda u: u.username.lower(), reverse=not ascending)
            users.sort(key=lambda u: u.id not in group.owner_ids)
            owners = [u for u in users if u.id in group.owner_ids]
            return Members(group, users[offset:offset + limit], owners, len(users))

    def update(self, group_id: int, viewer: User | None, data: dict[str, Any]) -> None:
        """GroupsController#update; admins may change only some keys of an automatic group."""
        with self.site.state.transaction() as state:
            group = found(state.groups.get(group_id))
            if group.automatic:
                # GroupsController#group_params(automatic: true): admins may change only these
                if viewer is None or not viewer.admin:
                    invalid_access()
                data = {k: v for k, v in data.items() if k in AUTOMATIC_EDITABLE}
            elif not can_manage_group(group, viewer):
                invalid_access()
            if level_errors(data):
                record_invalid(level_errors(data))
            if "name" in data and str(data["name"]) != group.name:
                errors = group_errors(state, str(data["name"]), group.id)
                if errors:
                    record_invalid(errors)
                group.name = str(data["name"])
            update_group(group, data)
            self.site.events.emit(GroupEvent("group_updated", group))

    def add_members(self, group_id: int, viewer: User | None, usernames: list[str]) -> list[User]:
        """GroupsController#add_members: refused (422) only when every user is already a member."""
        with self.site.state.transaction() as state:
            group = managed_group(state, group_id, viewer)
            users, _unknown = find_users_by_names(state, usernames)
            if not users:
                bad_param("usernames or emails must be present")
            already = sorted(u.username for u in users if u.id in group.user_ids)
            if len(already) == len(users):
                message = (f"'{already[0]}' is already a member of this group." if len(already) == 1
                           else "The following users are already members of this group: "
                           + ", ".join(already))
                fail(422, message)
            group.user_ids.extend(u.id for u in users if u.id not in group.user_ids)
            return users

    def remove_members(self, group_id: int, viewer: User | None, usernames: list[str],
                       user_ids: list[str]) -> tuple[list[User], list[str]]:
        """GroupsController#remove_member: (the users removed, the usernames skipped)."""
        with self.site.state.transaction() as state:
            group = managed_group(state, group_id, viewer)
            names = list(usernames)
            for raw_id in user_ids:
                user = state.users.get(as_int(raw_id, "user_ids"))
                names.append(user.username if user else "")
            users, _unknown = find_users_by_names(state, names)  # users_from_params drops unknowns
            if not users:
                bad_param("user_ids or usernames or user_emails must be present")
            removed = [u for u in users if u.id in group.user_ids]
            skipped = [u.username for u in users if u not in removed]
            for user in removed:
                group.user_ids.remove(user.id)
                if user.id in group.owner_ids:
                    group.owner_ids.remove(user.id)
            return removed, skipped


def _visible(state: State, group: Group | None, viewer: User | None) -> Group:
    if group is None or not can_see_group(state, group, viewer):
        not_found()
    return group
