"""The contract (discourse_plugin/contract/codev.schema.json, JSON Schema 2020-12): a valid schema, and
every example payload is valid (or, under invalid/, refused) against the $def its file name gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.plugin import tooling

CONTRACT = tooling.PLUGIN / "contract"
SCHEMA: dict[str, Any] = json.loads((CONTRACT / "codev.schema.json").read_text())
VALID = sorted((CONTRACT / "examples").glob("*.json"))
INVALID = sorted((CONTRACT / "examples" / "invalid").glob("*.json"))


def validator_for(example: Path) -> jsonschema.protocols.Validator:
    name = example.name.split("__")[0]
    assert name in SCHEMA["$defs"], f"{example.name}: no $def named {name}"
    schema = SCHEMA if name == "topic_state" else {**SCHEMA, "$ref": f"#/$defs/{name}"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("example", VALID, ids=lambda p: p.name)
def test_example_is_valid(example: Path) -> None:
    validator_for(example).validate(json.loads(example.read_text()))


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.name)
def test_invalid_example_is_refused(example: Path) -> None:
    assert list(validator_for(example).iter_errors(json.loads(example.read_text())))


def test_every_shape_has_an_example() -> None:
    covered = {p.name.split("__")[0] for p in VALID}
    shapes = {"topic_state", "update_response", "expert_profile", "topic_view_need",
              "topic_view_introduction", "topic_list_item", "user_card_expert", "approve_request",
              "offers_list", "offer_webhook", "plugin_status"}
    assert shapes <= covered, shapes - covered


def test_statuses_match_the_front_end() -> None:
    front = (tooling.PLUGIN / "assets/javascripts/discourse/lib/codev-text.js").read_text()
    for status in SCHEMA["$defs"]["need_status"]["enum"]:
        assert f'"{status}"' in front
