"""Form templates: FormTemplate's validations (FormTemplateYamlValidator) and their admin and public API."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlparse

import yaml

from discourse_sandbox.core.errors import fail, found
from discourse_sandbox.core.records import FormTemplate
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

# FormTemplateYamlValidator's constants.
RESERVED_KEYWORDS = ("title", "body", "category", "category_id", "tags")
ALLOWED_TYPES = ("checkbox", "dropdown", "input", "multi-select", "textarea", "upload")
# Site settings max_form_template_title_length / max_form_template_content_length (defaults).
MAX_NAME_LENGTH = 100
MAX_TEMPLATE_LENGTH = 2000

# config/locales/server.en.yml, form_templates.errors (prefixed by the attribute, "Template").
_ERRORS = {
    "invalid_yaml": "is not a valid YAML string",
    "invalid_type": "contains an invalid template type: {type} (valid types are: {valid_types})",
    "missing_type": "is missing a field type",
    "missing_id": "is missing a field id",
    "duplicate_ids": "has duplicate ids",
    "reserved_id": "has a reserved keyword as id: {id}",
    "unsafe_description": "has an unsafe HTML description",
    "invalid_tag_group": "has invalid tag group: {tag_group_name}",
}


def _template_error(key: str, **values: Any) -> str:
    return "Template " + _ERRORS[key].format(**values)


def _blank(value: Any) -> bool:
    """Rails' blank?: None, False, empty or whitespace-only strings, empty collections."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def _ruby_str(value: Any) -> str:
    """How Ruby interpolates a value into an I18n string (nil → "")."""
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    return str(value)


def validate_template_yaml(state: State, template: str) -> list[str]:
    """FormTemplateYamlValidator: the full error messages for a template's YAML (empty: valid)."""
    try:
        fields = yaml.safe_load(template)
    except yaml.YAMLError:
        return [_template_error("invalid_yaml")]
    if not isinstance(fields, list):
        return [_template_error("invalid_yaml")]
    errors: list[str] = []
    seen_ids: list[Any] = []
    for field in fields:
        # A non-hash entry behaves in Ruby like a hash without keys (String#[] gives nil).
        entry: dict[str, Any] = field if isinstance(field, dict) else {}
        field_type, field_id = entry.get("type"), entry.get("id")
        if _blank(field_type):
            errors.append(_template_error("missing_type"))
        if _blank(field_id):
            errors.append(_template_error("missing_id"))
        if field_type not in ALLOWED_TYPES:
            errors.append(_template_error("invalid_type", type=_ruby_str(field_type),
                                          valid_types=", ".join(ALLOWED_TYPES)))
        if field_id in RESERVED_KEYWORDS:
            errors.append(_template_error("reserved_id", id=field_id))
        if field_id in seen_ids:
            errors.append(_template_error("duplicate_ids"))
        if not _blank(field_id):
            seen_ids.append(field_id)
        attributes = entry.get("attributes")
        description = attributes.get("description") if isinstance(attributes, dict) else None
        if not _blank(description) and not _safe_description(str(description)):
            errors.append(_template_error("unsafe_description"))
        tag_group = entry.get("tag_group")
        if not _blank(tag_group) and not any(g.name == str(tag_group) for g in state.tag_groups.values()):
            errors.append(_template_error("invalid_tag_group", tag_group_name=_ruby_str(tag_group)))
    return errors


class _UnsafeHtml(HTMLParser):
    """Finds what Sanitize (elements: a; attributes: href, target; http/https/mailto) would strip."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.unsafe = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Only <a> with href (http, https, mailto or relative) and target."""
        if tag != "a":
            self.unsafe = True
            return
        for name, value in attrs:
            bad_href = name == "href" and bool(value) and not _allowed_protocol(value or "")
            if name not in ("href", "target") or bad_href:
                self.unsafe = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """As a start tag."""
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Only </a>."""
        if tag != "a":
            self.unsafe = True

    def handle_comment(self, data: str) -> None:
        """Comments are stripped."""
        self.unsafe = True

    def handle_decl(self, decl: str) -> None:
        """Declarations are stripped."""
        self.unsafe = True

    def handle_pi(self, data: str) -> None:
        """Processing instructions are stripped."""
        self.unsafe = True


def _allowed_protocol(href: str) -> bool:
    """Sanitize's protocol check: relative links pass; absolute ones must be http(s) or mailto."""
    if ":" not in href.split("/", 1)[0]:
        return True
    return urlparse(href.strip()).scheme.lower() in ("http", "https", "mailto")


def _safe_description(description: str) -> bool:
    parser = _UnsafeHtml()
    parser.feed(description)
    parser.close()
    return not parser.unsafe


def form_template_errors(
    state: State, name: Any, template: Any, existing_id: int | None = None
) -> list[str]:
    """FormTemplate's validations in Rails' order: name, template, then the YAML validator."""
    errors: list[str] = []
    name_text = "" if name is None else str(name)
    if _blank(name_text):
        errors.append("Name can't be blank")
    elif any(f.name == name_text and f.id != existing_id for f in state.form_templates.values()):
        errors.append("Name has already been taken")
    if len(name_text) > MAX_NAME_LENGTH:
        errors.append(f"Name is too long (maximum is {MAX_NAME_LENGTH} characters)")
    template_text = "" if template is None else str(template)
    if _blank(template_text):
        errors.append("Template can't be blank")
    if len(template_text) > MAX_TEMPLATE_LENGTH:
        errors.append(f"Template is too long (maximum is {MAX_TEMPLATE_LENGTH} characters)")
    if template is not None:
        errors += validate_template_yaml(state, template_text)
    return errors


class FormTemplates:
    """Admin::FormTemplatesController and FormTemplatesController over the site's templates."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def all(self) -> list[FormTemplate]:
        """Every template, by id."""
        with self.site.state.transaction() as state:
            return sorted(state.form_templates.values(), key=lambda t: t.id)

    def get(self, template_id: int) -> FormTemplate:
        """One template, or 404."""
        with self.site.state.transaction() as state:
            return found(state.form_templates.get(template_id))

    def create(self, name: str, template: str) -> FormTemplate:
        """FormTemplate.create!: 422 record_invalid with the model's messages."""
        with self.site.state.transaction() as state:
            errors = form_template_errors(state, name, template)
            if errors:
                fail(422, errors, "record_invalid")
            created = FormTemplate(id=state.next_id("form_templates"), name=name, template=template)
            state.form_templates[created.id] = created
            return created

    def preview(self, name: str, template: str, template_id: int | None) -> FormTemplate:
        """Validate without saving; the unsaved template has the id of the one it would replace, or 0."""
        with self.site.state.transaction() as state:
            existing = found(state.form_templates.get(template_id)) if template_id is not None else None
            errors = form_template_errors(state, name, template, existing.id if existing else None)
            if errors:
                fail(422, errors, "record_invalid")
            return FormTemplate(id=existing.id if existing else 0, name=name, template=template)

    def update(self, template_id: int, name: Any, template: Any) -> FormTemplate:
        """update! with both name and template, so a missing one is a blank error."""
        with self.site.state.transaction() as state:
            record = found(state.form_templates.get(template_id))
            errors = form_template_errors(state, name, template, record.id)
            if errors:
                fail(422, errors, "record_invalid")
            record.name, record.template = str(name), str(template)
            return record

    def destroy(self, template_id: int) -> None:
        """The template leaves the categories using it (category_form_templates)."""
        with self.site.state.transaction() as state:
            record = found(state.form_templates.get(template_id))
            del state.form_templates[record.id]
            for category in state.categories.values():
                category.form_template_ids = [i for i in category.form_template_ids if i != record.id]
