"""The contract harness itself must reject what the spec forbids, or the contract tests prove nothing."""

from __future__ import annotations

import json

import pytest
import requests

from tests.sandbox.contract.openapi import assert_conforms, response_schema


def _response(body: object, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def test_harness_rejects_a_reply_missing_required_keys() -> None:
    with pytest.raises(AssertionError, match="breaks the spec"):
        assert_conforms(_response({"user": {}}), "/u/{username}.json", "get")


def test_harness_rejects_an_undocumented_status() -> None:
    with pytest.raises(AssertionError, match="documented"):
        assert_conforms(_response({}, 418), "/latest.json", "get")


def test_harness_rejects_the_wrong_content_type() -> None:
    response = _response({"tags": [], "extras": {"categories": []}})
    response.headers["Content-Type"] = "application/json"

    with pytest.raises(AssertionError, match="Content-Type"):
        assert_conforms(response, "/tags.json", "get")


def test_vendored_spec_has_the_response_schemas_we_check() -> None:
    schema = response_schema("/posts.json", "post", 200)

    assert "topic_id" in schema["properties"]
