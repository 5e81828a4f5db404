"""Tag names: DiscourseTagging's cleaning, tags a poster may create, renaming and deleting tags."""

from __future__ import annotations

import re
import unicodedata

from discourse_sandbox.core.records import Tag, User
from discourse_sandbox.core.state import State

# DiscourseTagging::TAGS_FILTER_REGEXP: characters a tag name may not hold.
_TAG_FORBIDDEN = re.compile(r"[/?#\[\]@!$&'()*+,;=.%\\`^\s|{}\"<>]+")


def clean_tag_name(name: str, max_length: int | None = None) -> str:
    """DiscourseTagging.clean_tag: lowercase (force_lowercase_tags), spaces to dashes, no punctuation
    Discourse forbids in tags, dashes squeezed and trimmed, cut to max_tag_length when given."""
    name = re.sub(r"\s+", "-", unicodedata.normalize("NFC", name).lower().strip())
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] in "LMNP")  # [[:word:][:punct:]]
    name = _TAG_FORBIDDEN.sub("", name)
    name = re.sub(r"-+", "-", name).strip("-")
    return name[:max_length] if max_length is not None else name


def ensure_tags(state: State, names: list[str], user: User | None, max_length: int = 20) -> list[str]:
    """Tags for a topic: existing ones, plus new ones when the poster may create tags.

    create_tag_allowed_groups defaults to admins, staff and trust_level_3.
    """
    result: list[str] = []
    for raw in names:
        name = clean_tag_name(raw, max_length)
        if not name or name in result:
            continue
        if name not in state.tags:
            if user is None or not (user.staff or user.trust_level >= 3):
                continue  # Discourse silently drops tags the poster may not create
            state.tags[name] = Tag(id=state.next_id("tags"), name=name)
        result.append(name)
    return result


def find_or_create_tag(state: State, raw: str, max_length: int) -> Tag | None:
    """Tag.find_by_name || Tag.create for a cleaned name (None when nothing is left of it)."""
    name = clean_tag_name(raw, max_length)
    if not name:
        return None
    tag = state.tags.get(name)
    if tag is None:
        tag = Tag(id=state.next_id("tags"), name=name)
        state.tags[name] = tag
    return tag


def rename_tag(state: State, tag: Tag, new_name: str) -> list[str]:
    """Rename a tag everywhere its name is used as a key (topics, tag groups, categories)."""
    if new_name == tag.name:
        return []
    if new_name in state.tags or any(n.lower() == new_name.lower() for n in state.tags):
        return ["Name has already been taken"]
    old = tag.name
    del state.tags[old]
    tag.name = new_name
    state.tags[new_name] = tag
    _replace_tag_name(state, old, new_name)
    return []


def delete_tag(state: State, tag: Tag) -> None:
    """Tag#destroy: the tag leaves every topic, tag group and category."""
    del state.tags[tag.name]
    _replace_tag_name(state, tag.name, None)


def _replace_tag_name(state: State, old: str, new: str | None) -> None:
    def swap(names: list[str]) -> list[str]:
        if new is None:
            return [n for n in names if n != old]
        return [new if n == old else n for n in names]

    for topic in state.topics.values():
        topic.tags = swap(topic.tags)
    for group in state.tag_groups.values():
        group.tag_names = swap(group.tag_names)
        group.parent_tag_name = swap(group.parent_tag_name)
    for category in state.categories.values():
        category.allowed_tags = swap(category.allowed_tags)
    for hook in state.web_hooks.values():
        hook.tag_names = swap(hook.tag_names)
