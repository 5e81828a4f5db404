"""POST /invites.json against Discourse's official OpenAPI response schema.

The spec documents the answer to an e-mail invite; the sandbox's conforms exactly. For a link invite
(no email), InviteSerializer (app/serializers/invite_serializer.rb) leaves out email, emailed and
custom_message (include_email?, include_emailed?, include_custom_message? need an email) and adds
max_redemptions_allowed and redemption_count (include_*? when the email is blank), which the spec,
written for e-mail invites, forbids: the link invite is checked against the spec's schema with
exactly that difference (docs/sandbox.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from discourse_sandbox import Sandbox
from discourse_sandbox.seed import load_seed_data
from tests.conftest import SandboxClient
from tests.sandbox.contract.openapi import assert_conforms, response_schema

LINK_ONLY = {"max_redemptions_allowed": {"type": "integer"}, "redemption_count": {"type": "integer"}}
EMAIL_ONLY = ("email", "emailed", "custom_message")


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    load_seed_data(sandbox, {"groups": [{"name": "experts"}]})
    return sandbox


def _link_invite_schema() -> dict[str, Any]:
    schema = copy.deepcopy(response_schema("/invites.json", "post", 200))
    schema["required"] = [name for name in schema["required"] if name not in EMAIL_ONLY]
    for name in EMAIL_ONLY:
        del schema["properties"][name]
    schema["properties"].update(LINK_ONLY)
    schema["required"] += list(LINK_ONLY)
    return schema


def test_an_email_invite_conforms(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.post("/invites.json", json={"email": "not-a-user-yet@example.com", "skip_email": True,
                                               "custom_message": "Hello world!", "group_names": "experts"})

    body = assert_conforms(response, "/invites.json", "post")
    assert body["email"] == "not-a-user-yet@example.com"


def test_a_link_invite_conforms_to_the_spec_as_the_serializer_shapes_it(seeded: Sandbox,
                                                                       api: SandboxClient) -> None:
    response = api.post("/invites.json", json={"max_redemptions_allowed": 50, "group_names": "experts",
                                               "expires_at": "2027-03-01T10:00:00Z", "skip_email": True})

    errors = _violations(response, _link_invite_schema())
    assert errors == []
    assert response.json()["expires_at"] == "2027-03-01T10:00:00.000Z"


def _violations(response: requests.Response, schema: dict[str, Any]) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return [f"/{'/'.join(map(str, e.path))}: {e.message}"
            for e in Draft202012Validator(schema).iter_errors(response.json())]
