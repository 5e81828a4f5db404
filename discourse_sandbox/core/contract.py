"""The codev plugin's contract (discourse_plugin/contract/codev.schema.json), checked with jsonschema.

The plugin's lib/codev/contract.rb validates request bodies against the same file; the sandbox reads
it through discourse_sandbox/plugin, a link to the plugin's folder in a checkout (the wheel carries the
contract and plugin.rb), so both always agree on the shapes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from discourse_sandbox.core.errors import fail

PLUGIN_PATH = Path(__file__).parents[1] / "plugin"
SCHEMA_PATH = PLUGIN_PATH / "contract" / "codev.schema.json"


@cache
def schema() -> dict[str, Any]:
    """The contract, read once."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def contract_version() -> str:
    """Codev::Contract::VERSION, the const of $defs/contract_version."""
    return str(schema()["$defs"]["contract_version"]["const"])


@cache
def plugin_version() -> str:
    """The `# version:` line of discourse_plugin/plugin.rb (the plugin's metadata)."""
    found = re.search(r"^# version: *(\S+)", (PLUGIN_PATH / "plugin.rb").read_text(encoding="utf-8"), re.M)
    return found.group(1) if found else ""


def errors(document: Any, name: str) -> list[str]:
    """The errors of `document` against $defs/`name`, as "pointer: message" strings (empty: valid)."""
    root = {**schema(), "$ref": f"#/$defs/{name}"}
    validator = jsonschema.Draft202012Validator(root)
    found = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def topic_state_errors(document: Any) -> list[str]:
    """A need or an introduction, checked as the shape its kind names (Contract.topic_state_errors)."""
    kind = document.get("kind") if isinstance(document, dict) else None
    if kind in ("need", "introduction"):
        return errors(document, "need_state" if kind == "need" else "introduction")
    return ["/kind: must be need or introduction"]


def parse(raw: bytes, name: str) -> dict[str, Any]:
    """Contract.parse!: the JSON body, or 422 {"errors": [...]} when it is not JSON or not valid."""
    try:
        document = json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(422, [f"body: not JSON ({exc})"])
    found = topic_state_errors(document) if name == "topic_state" else errors(document, name)
    if found:
        fail(422, found)
    result: dict[str, Any] = document
    return result
