"""Tags as TagsController serves them: lists, search, info, renaming, deleting and CSV upload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from discourse_sandbox.core.errors import fail, invalid_access, not_found
from discourse_sandbox.core.events import TagEvent
from discourse_sandbox.core.guardian import can_see_category, hidden_tag_names
from discourse_sandbox.core.queries import tag_topic_counts
from discourse_sandbox.core.records import Category, Tag, TagGroup, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site
from discourse_sandbox.models.tag_names import clean_tag_name, delete_tag, find_or_create_tag, rename_tag

LIST_LIMIT = 51  # TagsController::LIST_LIMIT


@dataclass
class TagIndex:
    """GET /tags: the tags, and the tags each visible restricted category allows (by category id)."""

    tags: list[Tag]
    categories: list[tuple[int, list[Tag]]]


@dataclass
class TagSearch:
    """GET /tags/filter/search: the tags found, the cleaned term, and whether the term is hidden."""

    tags: list[Tag]
    term: str
    forbidden: bool


@dataclass
class TagInfo:
    """GET /tag/{name}/info: the tag, its tag groups' names and the categories it is restricted to."""

    tag: Tag
    tag_group_names: list[str]
    categories: list[Category] = field(default_factory=list)


def tag_categories(state: State, tag: Tag, user: User | None) -> list[Category]:
    """Categories a tag is restricted to (directly or through a tag group), that the user sees."""
    groups = {g.name for g in state.tag_groups.values() if tag.name in g.tag_names}
    return [c for c in sorted(state.categories.values(), key=lambda c: c.id)
            if (tag.name in c.allowed_tags or groups & set(c.allowed_tag_groups))
            and can_see_category(state, c, user)]


def _tag(state: State, name: str) -> Tag:
    """fetch_tag by name (Tag.find_by_name is case-insensitive), or 404."""
    tag = state.tags.get(name) or next(
        (t for t in state.tags.values() if t.name.lower() == name.lower()), None)
    if tag is None:
        not_found()
    return tag


class TagGroupNamer(Protocol):
    """What the tags area asks of the tag groups area: a group by name, created when missing."""

    def named(self, name: str) -> TagGroup | None:
        """The tag group of this name, created when missing (None if it cannot be)."""
        ...


class Tags:
    """TagsController over the site's tags (its routes are a 404 while tagging is off)."""

    def __init__(self, site: Site, tag_groups: TagGroupNamer) -> None:
        self.site = site
        self.tag_groups = tag_groups

    def names_with_id(self, tag_id: int) -> list[str]:
        """The name of the tag with this id, as a list (empty when there is none)."""
        with self.site.state.transaction() as state:
            return [t.name for t in state.tags.values() if t.id == tag_id]

    def index(self, viewer: User | None) -> TagIndex:
        """Admins see every tag, others the visible tags used on topics; by id."""
        with self.site.state.transaction() as state:
            hidden = hidden_tag_names(state, viewer)
            tags = sorted((t for t in state.tags.values() if t.name not in hidden), key=lambda t: t.id)
            if viewer is None or not viewer.admin:
                tags = [t for t in tags if tag_topic_counts(state, t.name, viewer)[0] > 0]
            categories = []
            for category in sorted(state.categories.values(), key=lambda c: c.id):
                if category.allowed_tags and can_see_category(state, category, viewer):
                    own = [state.tags[n] for n in category.allowed_tags
                           if n in state.tags and n not in hidden]
                    categories.append((category.id, own))
            return TagIndex(tags, categories)

    def page(self, viewer: User, page: int, needle: str, only: set[str],
             exclude: set[str]) -> tuple[list[Tag], int]:
        """GET /tags/list: (LIST_LIMIT tags of page `page` by name, how many matched)."""
        with self.site.state.transaction() as state:
            hidden = hidden_tag_names(state, viewer)
            tags = [t for t in state.tags.values() if viewer.staff or t.name not in hidden]
            if needle:
                tags = [t for t in tags if needle in t.name.lower()]
            if only:
                tags = [t for t in tags if t.name.lower() in only]
            if exclude:
                tags = [t for t in tags if t.name.lower() not in exclude]
            tags.sort(key=lambda t: t.name.lower())
            return tags[page * LIST_LIMIT:(page + 1) * LIST_LIMIT], len(tags)

    def search(self, viewer: User | None, q: str, limit: int) -> TagSearch:
        """Visible tags holding the cleaned term, the exact match first, then the most used."""
        with self.site.state.transaction() as state:
            hidden = hidden_tag_names(state, viewer)
            tags = [t for t in state.tags.values() if t.name not in hidden]
            term = clean_tag_name(q, self.site.settings.max_tag_length)
            counts = {t.name: tag_topic_counts(state, t.name, viewer)[0] for t in tags}
            if term:
                tags = [t for t in tags if term in t.name]
                tags.sort(key=lambda t: (t.name != term, -counts[t.name], t.name))
            else:
                tags.sort(key=lambda t: (-counts[t.name], t.name))
            return TagSearch(tags[:limit], term, bool(term) and term in hidden)

    def info(self, name: str, viewer: User | None) -> TagInfo:
        """DetailedTagSerializer's facts; 404 for a tag the viewer may not see."""
        with self.site.state.transaction() as state:
            if name in hidden_tag_names(state, viewer):
                not_found()
            tag = _tag(state, name)
            groups = sorted(gr.name for gr in state.tag_groups.values() if tag.name in gr.tag_names)
            return TagInfo(tag, groups, tag_categories(state, tag, viewer))

    def update(self, name: str, viewer: User, new: dict[str, Any]) -> Tag:
        """tag[name] renames (cleaned), tag[description]; tag[id] is refused; staff only; tag_updated."""
        with self.site.state.transaction() as state:
            tag = _tag(state, name)
            if new.get("id") not in (None, ""):
                fail(422, "Updating a tag name by `id` attribute is unsupported. "
                          "Use the `name` attribute instead.")
            if not viewer.staff:  # edit_tags_allowed_groups: staff by default
                invalid_access()
            if new.get("name") not in (None, ""):
                cleaned = clean_tag_name(str(new["name"]), self.site.settings.max_tag_length)
                errors = ["Name can't be blank"] if not cleaned else rename_tag(state, tag, cleaned)
                if errors:
                    fail(422, errors)
            if new.get("description") not in (None, ""):
                if len(str(new["description"])) > 1000:
                    fail(422, ["Description is too long (maximum is 1000 characters)"])
                tag.description = str(new["description"])
            self.site.events.emit(TagEvent("tag_updated", tag))
            return tag

    def destroy(self, name: str, viewer: User) -> None:
        """The tag leaves every topic; tag_destroyed (with the counts the deleting user sees)."""
        with self.site.state.transaction() as state:
            tag = _tag(state, name)
            self.site.events.emit(TagEvent("tag_destroyed", tag, viewer))
            delete_tag(state, tag)

    def upload(self, rows: list[list[str]]) -> None:
        """`tag_name[,tag_group_name]` rows: tags and groups created as needed; tag_created each."""
        max_length = self.site.settings.max_tag_length
        with self.site.state.transaction() as state:
            before = set(state.tags)
            for row in (r for r in rows if r):
                tag = find_or_create_tag(state, row[0], max_length)
                if tag is None or len(row) < 2 or not row[1]:
                    continue
                group = self.tag_groups.named(row[1])
                if group is not None and tag.name not in group.tag_names:
                    group.tag_names = [*group.tag_names, tag.name]
            for name in sorted(set(state.tags) - before):
                self.site.events.emit(TagEvent("tag_created", state.tags[name]))
