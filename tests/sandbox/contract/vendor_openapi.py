"""Copy the parts of Discourse's official OpenAPI spec that the sandbox implements into this folder.

Run from the repository root: python tests/sandbox/contract/vendor_openapi.py [path/to/discourse-openapi.json]
The spec is © Civilized Discourse Construction Kit, Inc., MIT licence (see LICENSE-discourse-api-docs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SOURCE = Path("../shared/reference/discourse-openapi.json")
TARGET = Path(__file__).with_name("discourse-openapi.subset.json")

PATHS = (
    "/admin/groups.json", "/admin/groups/{id}.json",
    "/admin/users.json", "/admin/users/list/{flag}.json", "/admin/users/{id}.json",
    "/admin/users/{id}/anonymize.json", "/admin/users/{id}/activate.json",
    "/admin/users/{id}/deactivate.json", "/admin/users/{id}/suspend.json",
    "/c/{id}/show.json", "/c/{slug}/{id}.json", "/categories.json", "/categories/{id}.json",
    "/directory_items.json", "/groups.json", "/groups/by-id/{id}.json", "/groups/{id}.json",
    "/groups/{id}/members.json", "/groups/{name}.json", "/groups/{name}/members.json", "/invites.json",
    "/latest.json", "/posts.json", "/posts/{id}.json", "/posts/{id}/replies.json", "/search.json",
    "/site.json", "/t/-/{id}.json", "/t/external_id/{external_id}.json", "/t/{id}.json",
    "/t/{id}/posts.json", "/t/{id}/status.json", "/tag/{name}.json", "/tag_groups.json",
    "/tag_groups/{id}.json", "/tags.json", "/topics/private-messages-sent/{username}.json",
    "/topics/private-messages/{username}.json", "/u/{username}.json", "/users.json",
)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    spec = json.loads(source.read_text(encoding="utf-8"))
    subset = {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "x-vendored": {
            "from": "discourse/discourse_api_docs openapi.json, commit 6737ac2a (2026-08-20)",
            "licence": "MIT, © Civilized Discourse Construction Kit, Inc.; see LICENSE-discourse-api-docs",
            "change": "only the paths the sandbox implements are kept; nothing else is modified",
        },
        "paths": {p: spec["paths"][p] for p in PATHS if p in spec["paths"]},
    }
    missing = [p for p in PATHS if p not in spec["paths"]]
    if missing:
        print(f"not in the spec: {missing}", file=sys.stderr)
        return 1
    TARGET.write_text(json.dumps(subset, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({len(subset['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
