"""Routes: form templates (Admin::FormTemplatesController and the public FormTemplatesController)."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from discourse_sandbox.core.errors import fail, invalid_access, invalid_parameters
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.core.records import FormTemplate
from discourse_sandbox.forms import form_template_errors
from discourse_sandbox.guards import found, require_admin
from discourse_sandbox.serializers.form_templates import form_template_json

bp = Blueprint("form_templates", __name__)

ADMIN = "/admin/customize/form-templates"


@bp.before_request
def _ensure_form_templates_enabled() -> None:
    """Site setting experimental_form_templates (on unless SandboxSettings says otherwise): 403."""
    if not g.sandbox.settings.experimental_form_templates and (
        (g.user is not None and g.user.admin) or not request.path.startswith("/admin/")
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
    state = g.sandbox.state
    with state.transaction():
        templates = [form_template_json(t) for t in sorted(state.form_templates.values(),
                                                           key=lambda t: t.id)]
    return json_reply({"form_templates": templates})


@bp.post(ADMIN)
def admin_create() -> Response:
    """POST with top-level name and template; FormTemplate.create! → 422 record_invalid."""
    require_admin()
    name, template = _required("name"), _required("template")
    state = g.sandbox.state
    with state.transaction():
        errors = form_template_errors(state, name, template)
        if errors:
            fail(422, errors, "record_invalid")
        created = FormTemplate(id=state.next_id("form_templates"), name=name, template=template)
        state.form_templates[created.id] = created
        body = {"form_template": form_template_json(created)}
    return json_reply(body)


@bp.get(f"{ADMIN}/preview")
def admin_preview() -> Response:
    """GET …/preview?name=&template=(&id=): validates without saving."""
    require_admin()
    name, template = _required("name"), _required("template")
    raw_id = params().get("id")
    state = g.sandbox.state
    with state.transaction():
        existing = found(state.form_templates.get(as_int(raw_id, "id"))) if raw_id not in (None, "") else None
        errors = form_template_errors(state, name, template, existing.id if existing else None)
        if errors:
            fail(422, errors, "record_invalid")
        preview = FormTemplate(id=existing.id if existing else 0, name=name, template=template)
        body = {"form_template": {**form_template_json(preview),
                                  "id": existing.id if existing else None}}
    return json_reply(body)


@bp.get(f"{ADMIN}/<int:template_id>")
def admin_show(template_id: int) -> Response:
    """GET /admin/customize/form-templates/{id}."""
    require_admin()
    state = g.sandbox.state
    with state.transaction():
        body = {"form_template": form_template_json(found(state.form_templates.get(template_id)))}
    return json_reply(body)


@bp.put(f"{ADMIN}/<int:template_id>")
def admin_update(template_id: int) -> Response:
    """PUT with name and template (update! with both, so a missing one is a blank error)."""
    require_admin()
    data = params()
    state = g.sandbox.state
    with state.transaction():
        template = found(state.form_templates.get(template_id))
        name, text = data.get("name"), data.get("template")
        errors = form_template_errors(state, name, text, template.id)
        if errors:
            fail(422, errors, "record_invalid")
        template.name, template.template = str(name), str(text)
        body = {"form_template": form_template_json(template)}
    return json_reply(body)


@bp.delete(f"{ADMIN}/<int:template_id>")
def admin_destroy(template_id: int) -> Response:
    """DELETE: the template leaves the categories using it (category_form_templates)."""
    require_admin()
    state = g.sandbox.state
    with state.transaction():
        template = found(state.form_templates.get(template_id))
        del state.form_templates[template.id]
        for category in state.categories.values():
            category.form_template_ids = [i for i in category.form_template_ids if i != template.id]
    return json_reply({"success": "OK"})


@bp.get("/form-templates")
def public_index() -> Response:
    """GET /form-templates: every template (the composer loads them)."""
    state = g.sandbox.state
    with state.transaction():
        templates = [form_template_json(t) for t in sorted(state.form_templates.values(),
                                                           key=lambda t: t.id)]
    return json_reply({"form_templates": templates})


@bp.get("/form-templates/<int:template_id>")
def public_show(template_id: int) -> Response:
    """GET /form-templates/{id}."""
    state = g.sandbox.state
    with state.transaction():
        body = {"form_template": form_template_json(found(state.form_templates.get(template_id)))}
    return json_reply(body)
