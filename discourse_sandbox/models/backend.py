"""The backend: every area's model over one site, composed into one object the routes call.

Areas are built here in dependency order; an area that needs another receives it from this
constructor, so that areas reach each other through the backend's wiring, never by importing a
module-level singleton.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime

from discourse_sandbox.core.events import Deliveries
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.models.admin_groups import AdminGroups
from discourse_sandbox.models.admin_users import AdminUsers
from discourse_sandbox.models.categories import Categories
from discourse_sandbox.models.codev import Codev
from discourse_sandbox.models.directory import Directory
from discourse_sandbox.models.form_templates import FormTemplates
from discourse_sandbox.models.groups import Groups
from discourse_sandbox.models.invites import Invites
from discourse_sandbox.models.lists import Lists
from discourse_sandbox.models.posts import Posts
from discourse_sandbox.models.search import Search
from discourse_sandbox.models.site import Site
from discourse_sandbox.models.sso import Sso
from discourse_sandbox.models.tag_groups import TagGroups
from discourse_sandbox.models.tags import Tags
from discourse_sandbox.models.topics import Topics
from discourse_sandbox.models.user_fields import UserFields
from discourse_sandbox.models.users import Users
from discourse_sandbox.models.web_hooks import WebHooks


class Backend:
    """One Discourse site's models."""

    def __init__(self, site: Site, deliveries: Deliveries) -> None:
        self.site = site
        self.form_templates = FormTemplates(site)
        self.user_fields = UserFields(site)
        self.users = Users(site, self.user_fields)
        self.admin_users = AdminUsers(site)
        self.sso = Sso(site)
        self.directory = Directory(site)
        self.groups = Groups(site)
        self.admin_groups = AdminGroups(site)
        self.tag_groups = TagGroups(site)
        self.tags = Tags(site, self.tag_groups)
        self.categories = Categories(site)
        self.web_hooks = WebHooks(site, deliveries)
        self.topics = Topics(site)
        self.posts = Posts(site)
        self.search = Search(site)
        self.lists = Lists(site, self.search)
        self.invites = Invites(site, self.users)
        self.codev = Codev(site)  # the discourse-codev plugin, served while plugin_codev_enabled

    def now(self) -> datetime:
        """The site's time (sandbox time), for serializers that show ages and dates."""
        return self.site.clock.now()

    @property
    def settings(self) -> SandboxSettings:
        """The site's switches (routes read the ones that decide whether a route exists)."""
        return self.site.settings

    def transaction(self) -> AbstractContextManager[State]:
        """A transaction on the site's state: routes serialize inside one what the backend returns."""
        return self.site.state.transaction()
