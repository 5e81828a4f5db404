"""A Discourse user's JSON (GET /u/{username}.json) read into a PersonSnapshot (pure: no I/O).

Only the keys listed here are read; `email` and everything else the JSON holds is never copied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sync_service.services.ports.forum import PersonSnapshot

# UserAnonymizer renames to "anon" + up to 8 digits (the sandbox: 8 hex digits) and clears the
# name and the profile; no webhook says so, so the shape is how it is recognised.
_ANON_USERNAME = re.compile(r"^anon[0-9a-f]{1,8}$", re.IGNORECASE)


def name_key(name: str) -> str:
    """A user field name reduced for comparison (Unicode form, case, spaces)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().casefold()


def field_values(value: Any, field_type: str | None = None) -> tuple[str, ...]:
    """One user field value as a tuple: null -> (), text -> (text,), array -> its texts.

    A multiselect with one value comes back as a plain string and with several as an array
    (HasCustomFields); a confirm field as "true", true or null ("false" is stored as null).
    """
    if value is None or value is False:
        return ()
    if value is True:
        return ("true",)
    if isinstance(value, list):
        items = [v for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)]
        return tuple(s for s in (str(v).strip() for v in items) if s)
    if isinstance(value, str | int | float):
        text = str(value).strip()
        if not text or (field_type == "confirm" and text.lower() == "false"):
            return ()
        return (text,)
    return ()


def profile_from_fields(
    user_fields: Mapping[str, Any], site_fields: Mapping[str, tuple[str, str]], wanted: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """codev key -> values, from `user_fields` ({"<id>": value}) through the field NAMES.

    `site_fields`: "<id>" -> (name, field_type) as the site lists them; `wanted`: codev key ->
    field name from the settings. Every wanted key is present, () when unset or unknown.
    """
    by_name = {name_key(name): (fid, ftype) for fid, (name, ftype) in site_fields.items()}
    profile: dict[str, tuple[str, ...]] = {}
    for key, name in wanted.items():
        found = by_name.get(name_key(name))
        profile[key] = field_values(user_fields.get(found[0]), found[1]) if found else ()
    return profile


def looks_anonymized(user: Mapping[str, Any]) -> bool:
    """Whether the user JSON has the shape UserAnonymizer leaves: anon username, no name, no bio."""
    username = str(user.get("username") or "")
    name = str(user.get("name") or "").strip()
    return (bool(_ANON_USERNAME.match(username)) and name in ("", username)
            and not str(user.get("bio_raw") or "").strip())


def is_suspended(user: Mapping[str, Any], now: datetime | None = None) -> bool:
    """Whether `suspended_till` lies in the future."""
    until = parse_time(user.get("suspended_till"))
    return until is not None and until > (now or datetime.now(UTC))


def group_names(user: Mapping[str, Any]) -> tuple[str, ...]:
    """The names of the user's groups as the JSON lists them, sorted, without duplicates."""
    groups = user.get("groups")
    if not isinstance(groups, list):
        return ()
    names = {str(g["name"]) for g in groups if isinstance(g, dict) and g.get("name")}
    return tuple(sorted(names))


def person_from_json(
    user: Mapping[str, Any], site_fields: Mapping[str, tuple[str, str]], wanted: Mapping[str, str],
    now: datetime | None = None,
) -> PersonSnapshot:
    """The PersonSnapshot of one `user` object of GET /u/{username}.json."""
    raw_fields = user.get("user_fields")
    fields: Mapping[str, Any] = raw_fields if isinstance(raw_fields, dict) else {}
    anonymized = looks_anonymized(user)
    return PersonSnapshot(
        user_id=int(user["id"]),
        username=str(user["username"]),
        name=None if anonymized else (str(user.get("name") or "").strip() or None),
        bio=None if anonymized else (str(user.get("bio_raw") or "").strip() or None),
        profile=profile_from_fields({} if anonymized else fields, site_fields, wanted),
        groups=group_names(user),
        active=not is_suspended(user, now),
        anonymized=anonymized,
    )


def parse_time(value: Any) -> datetime | None:
    """Discourse's ISO 8601 timestamps ("2026-11-29T01:30:53.123Z"); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
