"""Routes: the discourse-codev plugin's endpoints under /codev (discourse_plugin/config/routes.rb).

Every route is a 404 while plugin_codev_enabled is off (the plugin absent, or requires_plugin with
the plugin disabled); then ensure_staff (403 invalid_access, anonymous included) or ensure_logged_in.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from discourse_sandbox.core.errors import invalid_access, not_found
from discourse_sandbox.core.http import json_reply
from discourse_sandbox.core.records import User
from discourse_sandbox.models.codev import Update
from discourse_sandbox.routes.guards import current_backend, current_user, require_login
from discourse_sandbox.serializers.codev import offer_json, offers_list_json, status_json

bp = Blueprint("codev", __name__)

def _plugin() -> None:
    """requires_plugin: 404 unless the plugin is installed and enabled."""
    if not current_backend().settings.plugin_codev_enabled:
        not_found()


def _staff() -> User:
    """requires_plugin, then ApplicationController#ensure_staff."""
    _plugin()
    user = current_user()
    if user is None or not user.staff:
        invalid_access()
    return user


def _logged_in() -> User:
    """requires_plugin, then ensure_logged_in (403 not_logged_in)."""
    _plugin()
    return require_login()


def _update(answer: Update) -> Response:
    """$defs/update_response."""
    return json_reply({"id": answer.id, "version": answer.version, "changed": answer.changed})


@bp.get("/codev/status")
def status() -> Response:
    """StatusController#show ($defs/plugin_status)."""
    _staff()
    return json_reply(status_json())


@bp.get("/codev/topics/<int:topic_id>")
def show_topic_state(topic_id: int) -> Response:
    """TopicsController#show: the stored topic_state."""
    _staff()
    return json_reply(current_backend().codev.topic_state(topic_id))


@bp.put("/codev/topics/<int:topic_id>")
def update_topic_state(topic_id: int) -> Response:
    """TopicsController#update: a topic_state → update_response; 422 with the schema's errors."""
    _staff()
    return _update(current_backend().codev.put_topic_state(topic_id, request.get_data()))


@bp.delete("/codev/topics/<int:topic_id>")
def destroy_topic_state(topic_id: int) -> Response:
    """TopicsController#destroy."""
    _staff()
    current_backend().codev.forget_topic_state(topic_id)
    return json_reply({"success": "OK"})


@bp.post("/codev/topics/<int:topic_id>/approve")
def approve(topic_id: int) -> Response:
    """TopicsController#approve: approve_request → {review_topic_id, tag}."""
    user = _logged_in()
    approved = current_backend().codev.approve(topic_id, user, request.get_data())
    return json_reply({"review_topic_id": approved.review_topic_id, "tag": approved.tag})


@bp.get("/codev/topics/<int:topic_id>/offers")
def offers(topic_id: int) -> Response:
    """OffersController#index ($defs/offers_list)."""
    _staff()
    backend = current_backend()
    with backend.transaction() as state:
        return json_reply(offers_list_json(state, topic_id, backend.codev.offers(topic_id)))


@bp.post("/codev/topics/<int:topic_id>/offer")
def offer(topic_id: int) -> Response:
    """OffersController#create: {offer, changed}."""
    user = _logged_in()
    backend = current_backend()
    with backend.transaction() as state:
        made, changed = backend.codev.offer(topic_id, user)
        return json_reply({"offer": offer_json(state, made), "changed": changed})


@bp.delete("/codev/topics/<int:topic_id>/offer")
def withdraw(topic_id: int) -> Response:
    """OffersController#destroy: {offer, changed}."""
    user = _logged_in()
    backend = current_backend()
    with backend.transaction() as state:
        made, changed = backend.codev.withdraw(topic_id, user)
        return json_reply({"offer": offer_json(state, made), "changed": changed})


@bp.put("/codev/users/<username>")
def update_profile(username: str) -> Response:
    """ExpertsController#update: an expert_profile → update_response."""
    _staff()
    return _update(current_backend().codev.put_profile(username, request.get_data()))


@bp.delete("/codev/users/<username>")
def destroy_profile(username: str) -> Response:
    """ExpertsController#destroy."""
    _staff()
    current_backend().codev.forget_profile(username)
    return json_reply({"success": "OK"})
