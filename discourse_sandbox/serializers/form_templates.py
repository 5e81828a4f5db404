"""FormTemplateSerializer and AdminFormTemplateSerializer: id, name, template."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.records import FormTemplate


def form_template_json(form_template: FormTemplate) -> dict[str, Any]:
    """FormTemplateSerializer / AdminFormTemplateSerializer: id, name, template."""
    return {"id": form_template.id, "name": form_template.name, "template": form_template.template}
