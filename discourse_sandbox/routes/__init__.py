"""Blueprints, one module per area of Discourse's API; each module exposes `bp`."""

from __future__ import annotations

from flask import Blueprint, Flask

from discourse_sandbox.routes import (
    admin_groups,
    admin_users,
    categories,
    codev,
    directory,
    form_templates,
    groups,
    invites,
    lists,
    posts,
    search,
    sso,
    tag_groups,
    tags,
    topics,
    user_fields,
    users,
    web_hooks,
)

# In registration order (after the control API's): where two rules weigh the same, the first
# registered answers.
BLUEPRINTS: tuple[Blueprint, ...] = (
    invites.bp,
    users.bp,
    directory.bp,
    admin_users.bp,
    user_fields.bp,
    groups.bp,
    admin_groups.bp,
    sso.bp,
    categories.bp,
    tags.bp,
    tag_groups.bp,
    form_templates.bp,
    posts.bp,
    topics.bp,
    lists.bp,
    search.bp,
    web_hooks.bp,
    codev.bp,
)


def register_all(app: Flask) -> None:
    """Register every area's blueprint on the app."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
