"""User fields: building them from admin params, storing users' values, and their admin API."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.errors import fail, not_found
from discourse_sandbox.core.params import as_bool
from discourse_sandbox.core.records import User, UserField
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

FIELD_TYPES = ("text", "confirm", "dropdown", "multiselect")
REQUIREMENTS = ("optional", "for_all_users", "on_signup", "for_existing_users")
MAX_FIELD_LENGTH = 2048  # UserField.max_length


def build_user_field(
    state: State, data: dict[str, Any], field: UserField | None = None
) -> tuple[UserField | None, list[str]]:
    """Create (or update, when `field` is given) a user field from admin params; (field, errors)."""
    merged = dict(field.__dict__) if field is not None else {
        "name": "", "field_type": "", "description": "", "requirement": "optional",
        "editable": False, "show_on_profile": False, "show_on_user_card": False,
        "searchable": False, "options": [],
        "position": max((f.position for f in state.user_fields.values()), default=0) + 1,
    }
    for key in ("name", "field_type", "description", "requirement"):
        if key in data and data[key] is not None:
            merged[key] = str(data[key]).strip()
    for key in ("editable", "show_on_profile", "show_on_user_card", "searchable"):
        if key in data:
            merged[key] = as_bool(data[key])
    if data.get("position") not in (None, ""):
        merged["position"] = int(str(data["position"]))
    if "options" in data:
        options = data["options"]
        values = options.values() if isinstance(options, dict) else options or []
        merged["options"] = [str(v).strip() for v in values if str(v).strip()]
    errors = []
    if merged["field_type"] not in FIELD_TYPES:
        errors.append("Field type is not included in the list")
    if merged["requirement"] not in REQUIREMENTS:
        errors.append("Requirement is not included in the list")
    if not merged["description"]:
        errors.append("Description can't be blank")
    if not merged["name"] and merged["field_type"] != "confirm":
        errors.append("Name can't be blank")
    if errors:
        return None, errors
    if merged["field_type"] not in ("dropdown", "multiselect"):
        merged["options"] = []
    merged["id"] = field.id if field is not None else state.next_id("user_fields")
    return UserField(**merged), []


def clean_field_value(field: UserField, value: Any) -> Any:
    """UsersController's cleaning: "false" is nil, options filtered, text cut at 2048 chars."""
    if value is None or value == "false" or value == "":
        return None
    if field.field_type == "multiselect":
        values = value if isinstance(value, list) else [value]
        kept = [str(v) for v in values if str(v) in field.options]
        return kept or None
    if isinstance(value, list):
        value = value[-1] if value else None
        if value is None:
            return None
    if field.field_type == "dropdown":
        return str(value) if str(value) in field.options else None
    return str(value)[:MAX_FIELD_LENGTH]


def apply_field_values(
    state: State, user: User, raw: Any, acting: User | None, clean: bool = True
) -> tuple[bool, str | None]:
    """Store `user_fields[<id>]` params; non-staff only touch editable fields. (changed, error)."""
    if not isinstance(raw, dict):
        return False, None
    changed = False
    staff = acting is not None and acting.staff
    for field in sorted(state.user_fields.values(), key=lambda f: f.id):
        if str(field.id) not in raw or (not staff and not field.editable):
            continue
        given = raw[str(field.id)]
        if isinstance(given, dict):  # a JSON or Rails hash of values {"0": "a", "1": "b"}
            given = list(given.values())
        value = clean_field_value(field, given) if clean else _stored(given)
        if value is None and field.requirement != "optional":
            return changed, "You have not completed all the required user fields"
        if value is None:
            changed = changed or field.id in user.user_fields
            user.user_fields.pop(field.id, None)
        else:
            changed = changed or user.user_fields.get(field.id) != value
            user.user_fields[field.id] = value
    return changed, None


def _stored(value: Any) -> Any:
    """A value as a custom field row holds it: text (booleans as "true"/"false"), cut at 2048."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return [_stored(v) for v in value if _stored(v) is not None] or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)[:MAX_FIELD_LENGTH]


class UserFields:
    """Admin::UserFieldsController over the site's user fields."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def all(self) -> list[UserField]:
        """Every field, by position then id."""
        with self.site.state.transaction() as state:
            return sorted(state.user_fields.values(), key=lambda f: (f.position, f.id))

    def create(self, data: dict[str, Any]) -> UserField:
        """A new field from user_field[...]; 422 with the model's messages (no error_type)."""
        with self.site.state.transaction() as state:
            field, errors = build_user_field(state, data)
            if field is None:
                fail(422, errors)
            state.user_fields[field.id] = field
            return field

    def update(self, field_id: int, data: dict[str, Any]) -> UserField:
        """Change the given attributes; 404 for an unknown field, 422 when invalid."""
        with self.site.state.transaction() as state:
            current = state.user_fields.get(field_id)
            if current is None:
                not_found()
            field, errors = build_user_field(state, data, current)
            if field is None:
                fail(422, errors)
            state.user_fields[field.id] = field
            return field

    def store_values(self, user: User, raw: Any, acting: User | None, clean: bool = True) -> str | None:
        """Store `user_fields[<id>]` params as `acting` may; the error when a required one is left empty."""
        with self.site.state.transaction() as state:
            _changed, error = apply_field_values(state, user, raw, acting, clean)
            return error

    def destroy(self, field_id: int) -> None:
        """Delete the field and every user's value for it (an unknown id is not an error)."""
        with self.site.state.transaction() as state:
            if state.user_fields.pop(field_id, None) is not None:
                for user in state.users.values():
                    user.user_fields.pop(field_id, None)
