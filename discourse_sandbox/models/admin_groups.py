"""The admin group API: Admin::GroupsController (create, destroy, owners) and UsersController#add_group."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.errors import fail, found, not_found, record_invalid
from discourse_sandbox.core.events import GroupEvent
from discourse_sandbox.core.params import as_int
from discourse_sandbox.core.queries import find_users_by_names
from discourse_sandbox.core.records import Group, User
from discourse_sandbox.models.group_rules import AUTOMATIC_REFUSED, create_group, managed_group
from discourse_sandbox.models.site import Site


class AdminGroups:
    """Admin::GroupsController over the site's groups; automatic groups are refused (422)."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def create(self, data: dict[str, Any]) -> Group:
        """A custom group with its members and owners; 422 record_invalid; group_created."""
        with self.site.state.transaction() as state:
            group, errors = create_group(state, data, self.site.clock.now())
            if group is None:
                record_invalid(errors)
            self.site.events.emit(GroupEvent("group_created", group))
            return group

    def destroy(self, group_id: int) -> None:
        """Delete a custom group; group_destroyed."""
        with self.site.state.transaction() as state:
            group = found(state.groups.get(group_id))
            if group.automatic:
                fail(422, AUTOMATIC_REFUSED)  # groups.errors.can_not_modify_automatic
            self.site.events.emit(GroupEvent("group_destroyed", group))
            del state.groups[group_id]

    def add_owners(self, group_id: int, viewer: User | None, usernames: list[str]) -> list[User]:
        """Make the named users owners (and members); unknown names are ignored."""
        with self.site.state.transaction() as state:
            group = managed_group(state, group_id, viewer)
            if group.automatic:
                fail(422, AUTOMATIC_REFUSED)
            users, _unknown = find_users_by_names(state, usernames)
            for user in users:
                if user.id not in group.user_ids:
                    group.user_ids.append(user.id)
                if user.id not in group.owner_ids:
                    group.owner_ids.append(user.id)
            return users

    def remove_owners(self, group_id: int, viewer: User | None, user_id: Any, usernames: list[str]) -> None:
        """Remove owners by user_id (or usernames); they stay members."""
        with self.site.state.transaction() as state:
            group = managed_group(state, group_id, viewer)
            ids = [as_int(user_id, "user_id")] if user_id else []
            ids += [u.id for u in find_users_by_names(state, usernames)[0]]
            for uid in ids:
                if uid in group.owner_ids:
                    group.owner_ids.remove(uid)

    def add_user(self, user_id: int, group_id: int) -> None:
        """Admin::UsersController#add_group: put a user in a custom group."""
        with self.site.state.transaction() as state:
            user = state.users.get(user_id)
            group = state.groups.get(group_id)
            if user is None or group is None:
                not_found()
            if group.automatic:
                fail(422, AUTOMATIC_REFUSED)
            if user.id not in group.user_ids:
                group.user_ids.append(user.id)
