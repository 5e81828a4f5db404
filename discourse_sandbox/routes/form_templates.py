"""Routes: form templates (Admin::FormTemplatesController and the public FormTemplatesController)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from discourse_sandbox.core.errors import invalid_access, invalid_parameters
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.routes.guards import current_backend, current_user, require_admin
from discourse_sandbox.serializers.form_templates import form_template_json

bp = Blueprint("form_templates", __name__)

ADMIN = "/admin/customize/form-templates"


@bp.before_request
def _ensure_form_templates_enabled() -> None:
    """Site setting experimental_form_templates (on unless SandboxSettings says otherwise): 403."""
    user = current_user()
    if not current_backend().settings.experimental_form_templates and (
        (user is not None and user.admin) or not request.path.startswith("/admin/")
    ):
        invalid_access()


def _required(name: str) -> str:
    """params.require: a missing or empty value is a 400."""
    value = params().get(name)
    if value in (None, "") or isinstance(value, (dict, list)):
        invalid_parameters(name)
    return str(value)


@bp.get(ADMIN)
def admin_index() -> Response:
    """GET /admin/customize/form-templates: every template, by id."""
    require_admin()
    backend = current_backend()
    with backend.transaction():
        return json_reply({"form_templates": [form_template_json(t) for t in backend.form_templates.all()]})


@bp.post(ADMIN)
def admin_create() -> Response:
    """POST with top-level name and template; FormTemplate.create! → 422 record_invalid."""
    require_admin()
    name, template = _required("name"), _required("template")
    backend = current_backend()
    with backend.transaction():
        created = backend.form_templates.create(name, template)
        return json_reply({"form_template": form_template_json(created)})


@bp.get(f"{ADMIN}/preview")
def admin_preview() -> Response:
    """GET …/preview?name=&template=(&id=): validates without saving."""
    require_admin()
    name, template = _required("name"), _required("template")
    raw_id = params().get("id")
    template_id = as_int(raw_id, "id") if raw_id not in (None, "") else None
    backend = current_backend()
    with backend.transaction():
        preview = backend.form_templates.preview(name, template, template_id)
        return json_reply({"form_template": {**form_template_json(preview), "id": preview.id or None}})


@bp.get(f"{ADMIN}/<int:template_id>")
def admin_show(template_id: int) -> Response:
    """GET /admin/customize/form-templates/{id}."""
    require_admin()
    backend = current_backend()
    with backend.transaction():
        return json_reply({"form_template": form_template_json(backend.form_templates.get(template_id))})


@bp.put(f"{ADMIN}/<int:template_id>")
def admin_update(template_id: int) -> Response:
    """PUT with name and template (update! with both, so a missing one is a blank error)."""
    require_admin()
    data = params()
    backend = current_backend()
    with backend.transaction():
        updated = backend.form_templates.update(template_id, data.get("name"), data.get("template"))
        return json_reply({"form_template": form_template_json(updated)})


@bp.delete(f"{ADMIN}/<int:template_id>")
def admin_destroy(template_id: int) -> Response:
    """DELETE: the template leaves the categories using it (category_form_templates)."""
    require_admin()
    current_backend().form_templates.destroy(template_id)
    return json_reply({"success": "OK"})


@bp.get("/form-templates")
def public_index() -> Response:
    """GET /form-templates: every template (the composer loads them)."""
    backend = current_backend()
    with backend.transaction():
        return json_reply({"form_templates": [form_template_json(t) for t in backend.form_templates.all()]})


@bp.get("/form-templates/<int:template_id>")
def public_show(template_id: int) -> Response:
    """GET /form-templates/{id}."""
    backend = current_backend()
    with backend.transaction():
        return json_reply({"form_template": form_template_json(backend.form_templates.get(template_id))})
