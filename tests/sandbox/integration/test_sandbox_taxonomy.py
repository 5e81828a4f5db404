"""The sandbox's categories, tags, tag groups and form templates answer as Discourse does."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from pydiscourse.exceptions import DiscourseClientError

from discourse_sandbox import Sandbox
from discourse_sandbox.core.records import FIRST_CUSTOM_GROUP_ID, Group, Topic, User, WebHook
from discourse_sandbox.seed import SeedError, load_seed_data
from tests.conftest import SandboxClient, allow_internal_host

NEED_FORM = "- type: input\n  id: sector\n  attributes:\n    label: Secteur\n"


# --- arrange helpers: records put straight into the sandbox's state --------------------------

def _add_user(sandbox: Sandbox, username: str, *, admin: bool = False, moderator: bool = False,
              groups: tuple[str, ...] = ()) -> None:
    with sandbox.state.transaction() as state:
        now = sandbox.clock.now()
        user_id = state.next_id("users")
        state.users[user_id] = User(id=user_id, username=username, name=username,
                                    email=f"{username}@example.org", created_at=now, updated_at=now,
                                    admin=admin, moderator=moderator)
        for name in groups:
            group = state.group_by_name(name)
            if group is None:
                group = Group(id=state.next_id("groups", FIRST_CUSTOM_GROUP_ID), name=name)
                state.groups[group.id] = group
            group.user_ids.append(user_id)


def _add_group(sandbox: Sandbox, name: str) -> None:
    with sandbox.state.transaction() as state:
        group_id = state.next_id("groups", FIRST_CUSTOM_GROUP_ID)
        state.groups[group_id] = Group(id=group_id, name=name)


def _add_topic(sandbox: Sandbox, category_id: int | None, tags: list[str],
               archetype: str = "regular") -> None:
    with sandbox.state.transaction() as state:
        now = sandbox.clock.now()
        topic_id = state.next_id("topics")
        state.topics[topic_id] = Topic(id=topic_id, title=f"Sujet numéro {topic_id}", slug="sujet",
                                       user_id=-1, created_at=now, updated_at=now, bumped_at=now,
                                       category_id=category_id, tags=tags, archetype=archetype)


def _category(api: SandboxClient, name: str, **data: Any) -> dict[str, Any]:
    reply = api.post("/categories.json", data={"name": name, "color": "0E76BD", **data})
    assert reply.status_code == 200, reply.text
    return reply.json()["category"]  # type: ignore[no-any-return]


def _tag_group(api: SandboxClient, name: str, tags: list[str], **data: Any) -> dict[str, Any]:
    reply = api.post("/tag_groups.json", json={"name": name, "tag_names": tags, **data})
    assert reply.status_code == 200, reply.text
    return reply.json()["tag_group"]  # type: ignore[no-any-return]


# --- categories ------------------------------------------------------------------------------

def test_admin_creates_category_with_group_permissions_and_form_templates(
    sandbox: Sandbox, api: SandboxClient
) -> None:
    _add_group(sandbox, "experts")
    template = api.post("/admin/customize/form-templates.json",
                        data={"name": "Besoin", "template": NEED_FORM}).json()["form_template"]

    category = _category(api, "Besoins des communes", **{
        "permissions[experts]": "1", "permissions[everyone]": "3",
        "form_template_ids[]": str(template["id"])})

    assert category["slug"] == "besoins-des-communes"
    assert category["form_template_ids"] == [template["id"]]
    assert category["read_restricted"] is False
    assert [(p["group_name"], p["permission_type"]) for p in category["group_permissions"]] == [
        ("everyone", 3), ("experts", 1)]


def test_duplicate_category_name_is_a_422_with_the_model_error(api: SandboxClient) -> None:
    _category(api, "Besoins")

    reply = api.post("/categories.json", data={"name": "besoins", "color": "FFFFFF"})

    assert reply.status_code == 422
    assert reply.json() == {"errors": ["Category Name has already been taken"]}


def test_slug_already_used_by_a_sibling_is_refused(api: SandboxClient) -> None:
    _category(api, "Besoins", slug="besoins")

    reply = api.post("/categories.json", data={"name": "Autre", "slug": "besoins"})

    assert reply.status_code == 422
    assert reply.json()["errors"] == ["Slug is already in use"]


def test_category_without_an_ascii_slug_is_reached_by_id(api: SandboxClient) -> None:
    category = _category(api, "الماء")

    assert category["slug"] == ""
    assert api.get(f"/c/{category['id']}/show.json").json()["category"]["name"] == "الماء"


def test_only_admins_create_categories(sandbox: Sandbox, api: SandboxClient) -> None:
    _add_user(sandbox, "moderatrice", moderator=True)

    as_moderator = api.as_user("moderatrice").post("/categories.json", data={"name": "X"})
    anonymous = SandboxClient(sandbox.base_url, api_key=None).post(
        "/categories.json", data={"name": "X"}, headers={"Accept": "application/json"})

    assert (as_moderator.status_code, as_moderator.json()["error_type"]) == (403, "invalid_access")
    assert (anonymous.status_code, anonymous.json()["error_type"]) == (403, "not_logged_in")


def test_missing_name_is_a_400(api: SandboxClient) -> None:
    reply = api.post("/categories.json", data={"color": "FFFFFF"})

    assert reply.status_code == 400
    assert reply.json()["error_type"] == "invalid_parameters"


def test_restricted_category_is_hidden_from_non_members(sandbox: Sandbox, api: SandboxClient) -> None:
    _add_user(sandbox, "ahmed")
    _add_user(sandbox, "fatima", groups=("experts",))
    category = _category(api, "Experts", **{"permissions[experts]": "1"})
    _category(api, "Public")

    ahmed, fatima = api.as_user("ahmed"), api.as_user("fatima")
    listed = [c["name"] for c in ahmed.get("/categories.json").json()["category_list"]["categories"]]

    assert listed == ["Uncategorized", "Public"]
    assert ahmed.get(f"/c/{category['id']}/show.json").status_code == 403
    shown = fatima.get(f"/c/{category['id']}/show.json").json()["category"]
    assert shown["read_restricted"] is True
    assert shown["permission"] == 1
    assert "can_edit" not in shown


def test_readonly_members_see_the_category_but_cannot_create_topics(
    sandbox: Sandbox, api: SandboxClient
) -> None:
    _add_user(sandbox, "ahmed")
    category = _category(api, "Annonces", **{"permissions[everyone]": "3"})

    shown = api.as_user("ahmed").get(f"/c/{category['id']}/show.json").json()["category"]

    assert shown["permission"] is None


def test_topic_count_counts_live_regular_topics(sandbox: Sandbox, api: SandboxClient) -> None:
    category = _category(api, "Besoins")
    _add_topic(sandbox, category["id"], [])
    _add_topic(sandbox, category["id"], [])
    _add_topic(sandbox, category["id"], [], archetype="private_message")

    categories = api.get("/categories.json").json()["category_list"]["categories"]
    listed = next(c for c in categories if c["id"] == category["id"])

    assert (listed["topic_count"], listed["topics_week"]) == (2, 2)


def test_subcategories_are_listed_under_their_parent(api: SandboxClient) -> None:
    parent = _category(api, "Besoins")
    child = _category(api, "Eau", parent_category_id=str(parent["id"]))

    top = api.get("/categories.json", params={"include_subcategories": "true"}).json()
    children = api.get("/categories.json", params={"parent_category_id": parent["id"]}).json()

    listed = top["category_list"]["categories"]
    assert [c["slug"] for c in listed] == ["uncategorized", "besoins"]
    assert listed[1]["subcategory_ids"] == [child["id"]]
    assert listed[1]["subcategory_list"][0]["parent_category_id"] == parent["id"]
    assert [c["id"] for c in children["category_list"]["categories"]] == [child["id"]]


def test_uncategorized_is_listed_only_when_uncategorized_topics_are_allowed(
    sandbox: Sandbox, api: SandboxClient
) -> None:
    _category(api, "Besoins")
    sandbox.apply({"allow_uncategorized_topics": False})

    listed = [c["slug"] for c in api.get("/categories.json").json()["category_list"]["categories"]]

    assert listed == ["besoins"]


def test_category_with_topics_cannot_be_deleted(sandbox: Sandbox, api: SandboxClient) -> None:
    category = _category(api, "Besoins")
    _add_topic(sandbox, category["id"], [])

    reply = api.delete(f"/categories/{category['id']}.json")

    assert reply.status_code == 403


def test_pydiscourse_manages_categories(discourse_client: Any) -> None:
    created = discourse_client.create_category("Besoins des communes", "0E76BD")["category"]

    updated = discourse_client.update_category(created["id"], name="Besoins", search_priority=4)
    listed = discourse_client.categories()
    shown = discourse_client.category(created["id"])["category"]
    deleted = discourse_client.delete_category(created["id"])

    assert updated["success"] == "OK"
    assert (updated["category"]["name"], updated["category"]["search_priority"]) == ("Besoins", 4)
    assert [c["slug"] for c in listed] == ["uncategorized", "besoins-des-communes"]
    assert shown["id"] == created["id"]
    assert deleted == {"success": "OK"}
    with pytest.raises(DiscourseClientError):
        discourse_client.category(created["id"])


def test_creating_a_category_delivers_a_category_created_webhook(sandbox: Sandbox,
                                                                 api: SandboxClient) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-Discourse-Event"], json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    allow_internal_host(sandbox, "http://127.0.0.1/")
    with sandbox.state.transaction() as state:
        state.web_hooks[1] = WebHook(id=1, payload_url=f"http://127.0.0.1:{server.server_port}/hook",
                                     active=True, web_hook_event_type_ids=[501])
    try:
        category = _category(api, "Besoins")
        assert sandbox.emitter.flush(timeout=5)
    finally:
        server.shutdown()
        server.server_close()

    assert [(event, body["category"]["id"]) for event, body in received] == [
        ("category_created", category["id"])]


# --- tags ------------------------------------------------------------------------------------

def test_tags_index_shows_used_tags_to_users_and_every_tag_to_admins(
    sandbox: Sandbox, api: SandboxClient
) -> None:
    _add_user(sandbox, "ahmed")
    _tag_group(api, "Secteurs", ["eau-potable", "assainissement"])
    _add_topic(sandbox, None, ["eau-potable"])

    as_admin = api.get("/tags.json").json()
    as_user = api.as_user("ahmed").get("/tags.json").json()

    assert [(t["name"], t["count"]) for t in as_admin["tags"]] == [("eau-potable", 1),
                                                                   ("assainissement", 0)]
    assert [t["text"] for t in as_user["tags"]] == ["eau-potable"]
    assert as_user["extras"] == {"categories": []}


def test_tags_of_a_restricted_tag_group_are_hidden_from_others(
    sandbox: Sandbox, api: SandboxClient
) -> None:
    _add_user(sandbox, "ahmed")
    _add_group(sandbox, "experts")
    _tag_group(api, "Interne", ["confidentiel"], permissions={"experts": 1})
    _add_topic(sandbox, None, ["confidentiel"])

    as_user = api.as_user("ahmed")

    assert as_user.get("/tags.json").json()["tags"] == []
    assert as_user.get("/tag/confidentiel/info.json").status_code == 404


def test_tags_list_pages_by_51_sorted_by_name(api: SandboxClient) -> None:
    _tag_group(api, "Beaucoup", [f"tag-{i:03d}" for i in range(60)])

    first = api.get("/tags/list.json").json()
    second = api.get("/tags/list.json", params={"offset": 1}).json()
    filtered = api.get("/tags/list.json", params={"filter": "05"}).json()

    assert len(first["list_tags"]) == 51
    assert first["meta"] == {"total_rows_list_tags": 60, "load_more_list_tags": "/tags/list.json?offset=1"}
    assert [t["name"] for t in second["list_tags"]] == [f"tag-{i:03d}" for i in range(51, 60)]
    assert [t["name"] for t in filtered["list_tags"]] == ["tag-005"] + [f"tag-{i:03d}" for i in
                                                                      range(50, 60)]


def test_tag_info_names_its_groups_and_unknown_tags_are_404(api: SandboxClient) -> None:
    _tag_group(api, "Secteurs", ["eau-potable"])

    info = api.get("/tag/eau-potable/info.json").json()["tag_info"]

    assert (info["name"], info["tag_group_names"], info["topic_count"]) == (
        "eau-potable", ["Secteurs"], 0)
    assert api.get("/tag/inconnu/info.json").status_code == 404


def test_renaming_a_tag_cleans_the_name_and_follows_it_onto_topics(
    sandbox: Sandbox, api: SandboxClient
) -> None:
    _tag_group(api, "Secteurs", ["sig"])
    _add_topic(sandbox, None, ["sig"])

    reply = api.put("/tag/sig.json", data={"tag[name]": "Système Info", "tag[description]": "Cartes"})

    assert reply.json() == {"tag": {"id": 1, "name": "système-info", "slug": "systeme-info",
                                    "description": "Cartes"}}
    assert next(iter(sandbox.state.topics.values())).tags == ["système-info"]


def test_renaming_by_the_old_id_attribute_is_refused(api: SandboxClient) -> None:
    _tag_group(api, "Secteurs", ["sig"])

    reply = api.put("/tag/sig.json", data={"tag[id]": "autre"})

    assert reply.status_code == 422
    assert "Use the `name` attribute instead." in reply.json()["errors"][0]


def test_deleting_a_tag_removes_it_from_topics(sandbox: Sandbox, api: SandboxClient) -> None:
    _tag_group(api, "Secteurs", ["sig", "eau"])
    _add_topic(sandbox, None, ["sig", "eau"])

    reply = api.delete("/tag/sig.json")

    assert reply.json() == {"success": "OK"}
    assert next(iter(sandbox.state.topics.values())).tags == ["eau"]
    assert "sig" not in sandbox.state.tags


def test_tag_search_puts_the_exact_match_first(sandbox: Sandbox, api: SandboxClient) -> None:
    _tag_group(api, "Secteurs", ["eau-potable", "eau", "eaux-usees"])
    _add_topic(sandbox, None, ["eau-potable"])

    results = api.get("/tags/filter/search.json", params={"q": "Eau"}).json()["results"]

    assert [r["name"] for r in results] == ["eau", "eau-potable", "eaux-usees"]


def test_csv_upload_creates_tags_and_their_groups(api: SandboxClient) -> None:
    csv_text = "Eau potable,Secteurs\nSIG,Secteurs\nurgent\n"

    reply = api.post("/tags/upload.json", files={"file": ("tags.csv", csv_text, "text/csv")})

    assert reply.json() == {"success": "OK"}
    groups = api.get("/tag_groups.json").json()["tag_groups"]
    assert [(gr["name"], [t["name"] for t in gr["tags"]]) for gr in groups] == [
        ("Secteurs", ["eau-potable", "sig"])]
    assert sorted(t["name"] for t in api.get("/tags.json").json()["tags"]) == [
        "eau-potable", "sig", "urgent"]


def test_tag_routes_are_404_while_tagging_is_off(sandbox: Sandbox, api: SandboxClient) -> None:
    sandbox.settings.tagging_enabled = False

    assert api.get("/tags.json").status_code == 404


# --- tag groups ------------------------------------------------------------------------------

def test_pydiscourse_creates_a_tag_group_and_its_tags(discourse_client: Any) -> None:
    group = discourse_client.tag_group("Secteurs", ["Eau potable", "Assainissement"])

    assert [t["name"] for t in group["tags"]] == ["assainissement", "eau-potable"]
    assert group["permissions"] == {"everyone": 1}


def test_tag_group_accepts_nested_params_and_tag_objects(api: SandboxClient) -> None:
    reply = api.post("/tag_groups.json", data={
        "tag_group[name]": "Langues", "tag_group[tags][][name]": ["fr", "ar"],
        "tag_group[one_per_topic]": "true"})

    group = reply.json()["tag_group"]
    assert ([t["name"] for t in group["tags"]], group["one_per_topic"]) == (["ar", "fr"], True)


def test_tag_group_update_replaces_the_tags_it_is_not_given(api: SandboxClient) -> None:
    group = _tag_group(api, "Secteurs", ["eau"], parent_tag_name=["secteur"])

    reply = api.put(f"/tag_groups/{group['id']}.json", data={"name": "Domaines"})

    assert reply.json() == {"success": "OK", "tag_group": {
        "id": group["id"], "name": "Domaines", "tags": [], "parent_tag": [],
        "one_per_topic": False, "permissions": {"everyone": 1}}}


def test_duplicate_tag_group_name_is_a_422(api: SandboxClient) -> None:
    _tag_group(api, "Secteurs", [])

    reply = api.post("/tag_groups.json", json={"name": "secteurs"})

    assert (reply.status_code, reply.json()) == (422, {"errors": ["Name has already been taken"]})


def test_tag_groups_are_staff_only_but_search_is_open(sandbox: Sandbox, api: SandboxClient) -> None:
    _add_user(sandbox, "ahmed")
    _tag_group(api, "Secteurs", ["eau"])
    anonymous = SandboxClient(sandbox.base_url, api_key=None)

    assert api.as_user("ahmed").get("/tag_groups.json").status_code == 403
    found = anonymous.get("/tag_groups/filter/search.json", params={"q": "sec"},
                          headers={"Accept": "application/json"}).json()
    assert found == {"results": [{"name": "Secteurs", "tags": [{"id": 1, "name": "eau"}]}]}


def test_deleting_a_tag_group_keeps_its_tags(api: SandboxClient) -> None:
    group = _tag_group(api, "Secteurs", ["eau"])

    assert api.delete(f"/tag_groups/{group['id']}.json").json() == {"success": "OK"}
    assert api.get(f"/tag_groups/{group['id']}.json").status_code == 404
    assert [t["name"] for t in api.get("/tags.json").json()["tags"]] == ["eau"]


# --- form templates --------------------------------------------------------------------------

def test_admin_manages_form_templates(api: SandboxClient) -> None:
    created = api.post("/admin/customize/form-templates.json",
                       data={"name": "Besoin", "template": NEED_FORM}).json()["form_template"]

    updated = api.put(f"/admin/customize/form-templates/{created['id']}.json",
                      data={"name": "Besoin v2", "template": NEED_FORM}).json()["form_template"]
    listed = api.get("/admin/customize/form-templates.json").json()["form_templates"]
    public = api.get(f"/form-templates/{created['id']}.json").json()["form_template"]
    deleted = api.delete(f"/admin/customize/form-templates/{created['id']}.json").json()

    assert updated == {"id": created["id"], "name": "Besoin v2", "template": NEED_FORM}
    assert listed == [updated] and public == updated
    assert deleted == {"success": "OK"}


def test_invalid_form_template_is_a_422_record_invalid(api: SandboxClient) -> None:
    reply = api.post("/admin/customize/form-templates.json",
                     data={"name": "Besoin", "template": "- type: input\n  id: title\n"})

    assert reply.status_code == 422
    assert reply.json() == {"errors": ["Template has a reserved keyword as id: title"],
                            "error_type": "record_invalid"}


def test_form_template_without_template_is_a_400(api: SandboxClient) -> None:
    reply = api.post("/admin/customize/form-templates.json", data={"name": "Besoin"})

    assert (reply.status_code, reply.json()["errors"]) == (
        400, ["param is missing or the value is empty: template"])


def test_form_template_admin_routes_are_404_for_non_admins(sandbox: Sandbox, api: SandboxClient) -> None:
    _add_user(sandbox, "moderatrice", moderator=True)

    reply = api.as_user("moderatrice").get("/admin/customize/form-templates.json")

    assert reply.status_code == 404


def test_preview_validates_without_saving(api: SandboxClient) -> None:
    good = api.get("/admin/customize/form-templates/preview.json",
                   params={"name": "Essai", "template": NEED_FORM})
    bad = api.get("/admin/customize/form-templates/preview.json",
                  params={"name": "Essai", "template": "- type: input\n  id: a\n- type: input\n  id: a"})

    assert good.status_code == 200
    assert (bad.status_code, bad.json()["errors"]) == (422, ["Template has duplicate ids"])
    assert api.get("/form-templates.json").json() == {"form_templates": []}


def test_deleting_a_form_template_detaches_it_from_categories(api: SandboxClient) -> None:
    template = api.post("/admin/customize/form-templates.json",
                        data={"name": "Besoin", "template": NEED_FORM}).json()["form_template"]
    category = _category(api, "Besoins", **{"form_template_ids[]": str(template["id"])})

    api.delete(f"/admin/customize/form-templates/{template['id']}.json")

    shown = api.get(f"/c/{category['id']}/show.json").json()["category"]
    assert shown["form_template_ids"] == []


# --- seed ------------------------------------------------------------------------------------

def test_seed_builds_templates_tag_groups_and_categories(sandbox: Sandbox, api: SandboxClient) -> None:
    _add_group(sandbox, "experts")

    load_seed_data(sandbox, {
        "form_templates": [{"name": "Besoin de la commune", "template": NEED_FORM}],
        "tag_groups": [{"name": "Secteurs", "tags": ["Eau potable", "Assainissement"]}],
        "categories": [
            {"name": "Besoins des communes", "slug": "besoins", "color": "0E76BD",
             "permissions": {"everyone": 1}, "form_templates": ["Besoin de la commune"]},
            {"name": "Experts", "permissions": {"experts": 1}},
        ],
    })

    shown = api.get("/c/besoins/show.json").json()["category"]
    assert shown["form_template_ids"] == [1]
    assert sorted(sandbox.state.tags) == ["assainissement", "eau-potable"]
    assert sandbox.state.category_by_slug("experts").permissions == {"experts": 1}  # type: ignore[union-attr]


@pytest.mark.parametrize("data, message", [
    ({"categories": [{"name": "B", "form_templates": ["Absent"]}]}, "categories[0]: key 'form_templates'"),
    ({"categories": [{"name": "B", "permissions": {"inconnus": 1}}]}, "categories[0]: key 'permissions'"),
    ({"form_templates": [{"name": "F", "template": "- type: x\n  id: a"}]}, "form_templates[0] (F)"),
])
def test_seed_errors_name_the_entry_and_key(sandbox: Sandbox, data: dict[str, Any], message: str) -> None:
    with pytest.raises(SeedError, match=re.escape(message)):
        load_seed_data(sandbox, data)
