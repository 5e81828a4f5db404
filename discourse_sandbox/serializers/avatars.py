"""The small user shapes every serializer nests: avatar templates and BasicUserSerializer."""

from __future__ import annotations

import hashlib
from typing import Any

from discourse_sandbox.core.records import SYSTEM_USER_ID, User

_LETTER_COLORS = ("8e7dd6", "b19c9b", "e47774", "ba9cbf", "dfb087", "5f8052", "a87137", "f1bc3d")


def avatar_template(user: User) -> str:
    """A letter avatar, as Discourse serves for users without an uploaded picture."""
    if user.id == SYSTEM_USER_ID:
        return "/images/discourse-logo-sketch-small.png"
    letter = (user.username[:1] or "x").lower()
    color = _LETTER_COLORS[int(hashlib.md5(user.username.encode()).hexdigest(), 16) % 8]
    return f"/letter_avatar_proxy/v4/letter/{letter}/{color}/{{size}}.png"


def basic_user_json(user: User) -> dict[str, Any]:
    """BasicUserSerializer: {id, username, name, avatar_template}."""
    return {"id": user.id, "username": user.username, "name": user.name,
            "avatar_template": avatar_template(user)}


def avatar_or_default(user: User | None) -> str:
    """The user's avatar, or Discourse's default image when there is no user."""
    return "/images/avatar.png" if user is None else avatar_template(user)


def basic_user(user: User | None) -> dict[str, Any]:
    """BasicUserSerializer: id, username, name, avatar_template (all null without a user)."""
    if user is None:
        return {"id": None, "username": None, "name": None, "avatar_template": avatar_or_default(None)}
    return {"id": user.id, "username": user.username, "name": user.name,
            "avatar_template": avatar_or_default(user)}
