"""Categories, tags and tag groups: permissions, tag names, and the seed sections for them."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from discourse_sandbox.core.records import Tag, User
from discourse_sandbox.core.state import State

if TYPE_CHECKING:
    pass


# DiscourseTagging::TAGS_FILTER_REGEXP: characters a tag name may not hold.
_TAG_FORBIDDEN = re.compile(r"[/?#\[\]@!$&'()*+,;=.%\\`^\s|{}\"<>]+")


# --- permissions -----------------------------------------------------------------------------


# --- tags ------------------------------------------------------------------------------------

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


# --- seed ------------------------------------------------------------------------------------


