"""Validate sandbox replies against Discourse's official OpenAPI response schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import requests
from jsonschema import Draft202012Validator

SPEC_FILE = Path(__file__).with_name("discourse-openapi.subset.json")


@cache
def spec() -> dict[str, Any]:
    """The vendored excerpt of the spec."""
    return json.loads(SPEC_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def response_schema(path_template: str, method: str, status: int) -> dict[str, Any]:
    """The JSON schema the spec gives for this path, method and status."""
    operations = spec()["paths"].get(path_template)
    if operations is None:
        raise AssertionError(f"{path_template} is not in the vendored spec (vendor_openapi.py PATHS)")
    operation = operations.get(method.lower())
    if operation is None:
        raise AssertionError(f"{method.upper()} {path_template} is not documented")
    responses = operation["responses"]
    documented = responses.get(str(status))
    if documented is None:
        raise AssertionError(
            f"{method.upper()} {path_template} answered {status}, documented: {sorted(responses)}"
        )
    content = documented.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema", {})  # type: ignore[no-any-return]


def assert_conforms(response: requests.Response, path_template: str, method: str) -> Any:
    """Fail with every schema violation listed if the reply does not match the spec; return the body."""
    schema = response_schema(path_template, method, response.status_code)
    assert response.headers.get("Content-Type") == "application/json; charset=utf-8", (
        f"Content-Type {response.headers.get('Content-Type')!r}"
    )
    body = response.json()
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        lines = [f"- at /{'/'.join(map(str, e.path))}: {e.message[:300]}" for e in errors[:25]]
        more = f"\n... and {len(errors) - 25} more" if len(errors) > 25 else ""
        raise AssertionError(
            f"{method.upper()} {path_template} ({response.status_code}) breaks the spec:\n"
            + "\n".join(lines) + more
        )
    return body
