"""The sandbox's groups and memberships, over HTTP and through pydiscourse."""

from __future__ import annotations

from typing import Any

import pytest
from pydiscourse.exceptions import DiscourseClientError

from discourse_sandbox import Sandbox
from discourse_sandbox.seed import SeedError, load_seed_data
from tests.conftest import SandboxClient

SEED: dict[str, Any] = {
    "groups": [{"name": "experts", "full_name": "Experts de la diaspora"},
               {"name": "secret-team", "visibility_level": 3}],
    "users": [
        {"username": "fatima", "groups": ["experts"], "owner_of": ["experts"]},
        {"username": "ahmed", "groups": ["experts"]},
        {"username": "karim"},
        {"username": "salma"},
    ],
}


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    load_seed_data(sandbox, SEED)
    return sandbox


def _group_id(sandbox: Sandbox, name: str) -> int:
    group = sandbox.state.group_by_name(name)
    assert group is not None
    return group.id


def test_create_group_with_members_and_owners(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.post("/admin/groups.json", data={
        "group[name]": "communes", "group[full_name]": "Communes rurales",
        "group[usernames]": "karim,salma", "group[owner_usernames]": "karim",
    })

    group = response.json()["basic_group"]
    assert group["name"] == "communes" and group["full_name"] == "Communes rurales"
    assert group["user_count"] == 2
    assert group["id"] >= 41
    assert seeded.state.groups[group["id"]].owner_ids == [seeded.state.user_by_username("karim").id]  # type: ignore[union-attr]


def test_duplicate_or_badly_named_group_is_422(seeded: Sandbox, api: SandboxClient) -> None:
    duplicate = api.post("/admin/groups.json", data={"group[name]": "Experts"})
    bad = api.post("/admin/groups.json", data={"group[name]": "a b"})

    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == ["Name has already been taken"]
    assert bad.status_code == 422


def test_levels_are_created_updated_and_listed_as_discourse_does(seeded: Sandbox, api: SandboxClient) -> None:
    created = api.post("/admin/groups.json", data={
        "group[name]": "animateurs", "group[messageable_level]": "2", "group[mentionable_level]": "3",
    }).json()["basic_group"]
    updated = api.put(f"/groups/{created['id']}.json", json={"group": {"messageable_level": 99}})

    listed = {g["name"]: g for g in api.get("/groups.json").json()["groups"]}["animateurs"]
    assert (created["messageable_level"], created["mentionable_level"]) == (2, 3)
    assert updated.json() == {"success": "OK"}
    assert (listed["messageable_level"], listed["mentionable_level"]) == (99, 3)


def test_a_level_outside_the_alias_levels_is_422(seeded: Sandbox, api: SandboxClient) -> None:
    created = api.post("/admin/groups.json", json={"group": {"name": "equipe", "messageable_level": 5}})
    updated = api.put(f"/groups/{_group_id(seeded, 'experts')}.json",
                      json={"group": {"mentionable_level": "all"}})

    assert created.status_code == 422
    assert created.json()["errors"] == ["Messageable level is not included in the list"]
    assert updated.status_code == 422
    assert updated.json()["errors"] == ["Mentionable level is not included in the list"]
    assert seeded.state.group_by_name("equipe") is None


def test_messageable_says_whether_the_viewer_may_write_to_the_group(seeded: Sandbox,
                                                                    api: SandboxClient) -> None:
    """GroupShowSerializer#messageable: Group.messageable(user); at 0 not even an admin may."""
    group_id = _group_id(seeded, "experts")

    closed = api.get("/groups/experts.json").json()["group"]["messageable"]
    api.put(f"/groups/{group_id}.json", json={"group": {"messageable_level": 3}})
    as_admin = api.get("/groups/experts.json").json()["group"]["messageable"]
    as_member = api.as_user("ahmed").get("/groups/experts.json").json()["group"]["messageable"]
    as_other = api.as_user("karim").get("/groups/experts.json").json()["group"]["messageable"]

    assert (closed, as_admin, as_member, as_other) == (False, True, True, False)


def test_show_group_by_name_and_by_id(seeded: Sandbox, api: SandboxClient) -> None:
    by_name = api.get("/groups/experts.json").json()
    by_id = api.get(f"/groups/by-id/{_group_id(seeded, 'experts')}.json").json()

    assert by_name["group"]["full_name"] == "Experts de la diaspora"
    assert by_id["group"]["id"] == by_name["group"]["id"]
    assert "experts" in by_name["extras"]["visible_group_names"]


def test_staff_only_group_is_hidden_from_others(seeded: Sandbox, api: SandboxClient) -> None:
    assert api.as_user("karim").get("/groups/secret-team.json").status_code == 404
    assert api.get("/groups/secret-team.json").status_code == 200


def test_group_list_hides_automatic_groups_from_non_staff(seeded: Sandbox, api: SandboxClient) -> None:
    as_staff = [g["name"] for g in api.get("/groups.json").json()["groups"]]
    as_user = [g["name"] for g in api.as_user("karim").get("/groups.json").json()["groups"]]

    assert "trust_level_0" in as_staff and "experts" in as_staff
    assert as_user == ["experts", "moderators"]


def test_add_members_then_page_through_them(seeded: Sandbox, api: SandboxClient) -> None:
    group_id = _group_id(seeded, "experts")

    added = api.put(f"/groups/{group_id}/members.json", data={"usernames": "karim,salma"}).json()
    page = api.get("/groups/experts/members.json", params={"limit": 2, "offset": 2}).json()

    assert added == {"success": "OK", "usernames": ["karim", "salma"], "emails": []}
    # owners first, then username descending, as Discourse orders them
    assert [m["username"] for m in page["members"]] == ["karim", "ahmed"]
    assert [o["username"] for o in page["owners"]] == ["fatima"]
    assert page["meta"] == {"total": 4, "limit": 2, "offset": 2}


def test_adding_only_existing_members_is_422(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.put(f"/groups/{_group_id(seeded, 'experts')}/members.json", data={"usernames": "ahmed"})

    assert response.status_code == 422
    assert response.json()["errors"] == ["'ahmed' is already a member of this group."]


def test_adding_a_mix_of_new_and_existing_members_adds_the_new(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.put(f"/groups/{_group_id(seeded, 'experts')}/members.json",
                       data={"usernames": "ahmed,karim"})

    assert response.json()["usernames"] == ["ahmed", "karim"]
    assert api.get("/groups/experts/members.json").json()["meta"]["total"] == 3


def test_remove_members_reports_skipped_names(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.delete(f"/admin/groups/{_group_id(seeded, 'experts')}/members.json",
                          data={"usernames": "ahmed,karim"})

    assert response.json() == {"success": "OK", "usernames": ["ahmed"], "skipped_usernames": ["karim"]}


def test_group_owner_may_manage_members_but_others_may_not(seeded: Sandbox, api: SandboxClient) -> None:
    group_id = _group_id(seeded, "experts")

    by_owner = api.as_user("fatima").put(f"/groups/{group_id}/members.json", data={"usernames": "karim"})
    by_member = api.as_user("ahmed").put(f"/groups/{group_id}/members.json", data={"usernames": "salma"})

    assert by_owner.status_code == 200
    assert by_member.status_code == 403


def test_automatic_groups_cannot_be_edited(seeded: Sandbox, api: SandboxClient) -> None:
    assert api.put("/groups/10/members.json", data={"usernames": "karim"}).status_code == 403
    assert api.as_user("karim").put("/groups/10.json", data={"group[bio_raw]": "x"}).status_code == 403
    api.put("/groups/10.json", data={"group[full_name]": "x", "group[bio_raw]": "TL0"})
    assert seeded.state.groups[10].full_name == "" and seeded.state.groups[10].bio_raw == "TL0"
    assert api.delete("/admin/groups/10.json").status_code == 422


def test_update_and_delete_a_group(seeded: Sandbox, api: SandboxClient) -> None:
    group_id = _group_id(seeded, "experts")

    updated = api.put(f"/groups/{group_id}.json", data={"group[full_name]": "Experts MRE"}).json()
    deleted = api.delete(f"/admin/groups/{group_id}.json").json()

    assert updated == {"success": "OK"} and deleted == {"success": "OK"}
    assert group_id not in seeded.state.groups


def test_admin_adds_a_user_to_a_group_by_id(seeded: Sandbox, discourse_client: Any) -> None:
    karim = seeded.state.user_by_username("karim")
    assert karim is not None

    discourse_client.add_user_to_group(_group_id(seeded, "experts"), karim.id)

    assert karim.id in seeded.state.groups[_group_id(seeded, "experts")].user_ids


def test_pydiscourse_group_calls(seeded: Sandbox, discourse_client: Any) -> None:
    group_id = _group_id(seeded, "experts")

    names = [g["name"] for g in discourse_client.groups()]
    group = discourse_client.group("experts")
    discourse_client.add_group_members(group_id, ["karim", "salma"])
    members = discourse_client.group_members("experts")

    assert "experts" in names
    assert group["group"]["id"] == group_id
    assert sorted(m["username"] for m in members) == ["ahmed", "fatima", "karim", "salma"]


def test_pydiscourse_add_existing_member_raises(seeded: Sandbox, discourse_client: Any) -> None:
    with pytest.raises(DiscourseClientError):
        discourse_client.add_group_members(_group_id(seeded, "experts"), ["ahmed"])


def test_seed_rejects_unknown_group_of_a_user(sandbox: Sandbox) -> None:
    with pytest.raises(SeedError, match=r"users\[0\] \(karim\).*'groups'.*nope"):
        load_seed_data(sandbox, {"users": [{"username": "karim", "groups": ["nope"]}]})
