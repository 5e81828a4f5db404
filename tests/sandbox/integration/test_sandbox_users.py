"""The sandbox's users, user fields and admin user API, over HTTP and through pydiscourse."""

from __future__ import annotations

from typing import Any

import pytest
from pydiscourse.exceptions import DiscourseClientError

from discourse_sandbox import Sandbox
from discourse_sandbox.core.records import Post
from discourse_sandbox.seed import SeedError, load_seed_data
from tests.conftest import SandboxClient

SEED: dict[str, Any] = {
    "user_fields": [
        {"name": "Ville", "field_type": "text", "show_on_profile": True},
        {"name": "Téléphone", "field_type": "text", "editable": False},
        {"name": "Compétences", "field_type": "multiselect", "options": ["AEP rurale", "SIG", "Solaire"],
         "searchable": True, "show_on_user_card": True},
        {"name": "Région", "field_type": "dropdown", "options": ["Souss-Massa", "Drâa-Tafilalet"]},
    ],
    "groups": [{"name": "experts", "full_name": "Experts de la diaspora"}],
    "users": [
        {"username": "fatima.benali", "name": "Fatima Benali", "email": "fatima@example.org",
         "bio": "Hydraulicienne à Lyon.", "groups": ["experts"],
         "fields": {"Ville": "Lyon", "Téléphone": "+33 6 00", "Compétences": ["SIG"]}},
        {"username": "ahmed.tiznit", "name": "Ahmed", "email": "ahmed@example.org",
         "fields": {"Compétences": ["AEP rurale", "Solaire"]}},
        {"username": "modo", "email": "modo@example.org", "moderator": True},
    ],
}
VILLE, PHONE, SKILLS, REGION = "1", "2", "3", "4"


class Recorder:
    """Stands in for the sandbox's own emitter extension point: remembers what was emitted."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def __call__(self, event: str, payload: dict[str, Any], **filters: Any) -> None:
        self.events.append((event, payload, filters))

    def names(self) -> list[str]:
        return [event for event, _, _ in self.events]


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    load_seed_data(sandbox, SEED)
    return sandbox


@pytest.fixture
def recorder(seeded: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(seeded.emitter, "emit", rec)
    return rec


def _id(sandbox: Sandbox, username: str) -> int:
    user = sandbox.state.user_by_username(username)
    assert user is not None
    return user.id


# --- profile ---------------------------------------------------------------------------------

def test_profile_lists_every_field_by_string_id_for_staff(seeded: Sandbox, api: SandboxClient) -> None:
    body = api.get("/u/fatima.benali.json").json()

    assert body["user_badges"] == []
    assert body["user"]["user_fields"] == {VILLE: "Lyon", PHONE: "+33 6 00", SKILLS: "SIG", REGION: None}
    assert body["user"]["bio_raw"] == "Hydraulicienne à Lyon."
    assert body["user"]["bio_cooked"].startswith("<p>")


def test_multiselect_with_several_values_comes_back_as_an_array(seeded: Sandbox, api: SandboxClient) -> None:
    fields = api.get("/users/ahmed.tiznit.json").json()["user"]["user_fields"]

    assert fields[SKILLS] == ["AEP rurale", "Solaire"]


def test_other_users_see_only_public_fields(seeded: Sandbox, api: SandboxClient) -> None:
    fields = api.as_user("ahmed.tiznit").get("/u/fatima.benali.json").json()["user"]["user_fields"]

    assert fields == {VILLE: "Lyon", SKILLS: "SIG"}


def test_a_user_sees_all_his_own_fields(seeded: Sandbox, api: SandboxClient) -> None:
    fields = api.as_user("fatima.benali").get("/u/fatima.benali.json").json()["user"]["user_fields"]

    assert set(fields) == {VILLE, PHONE, SKILLS, REGION}


def test_profile_lists_visible_groups(seeded: Sandbox, api: SandboxClient) -> None:
    groups = api.get("/u/fatima.benali.json").json()["user"]["groups"]

    assert "experts" in [g["name"] for g in groups]


def test_unknown_user_is_404(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.get("/u/nobody.json")

    assert response.status_code == 404
    assert response.json()["error_type"] == "not_found"


def test_update_filters_options_and_emits_user_updated(
    seeded: Sandbox, api: SandboxClient, recorder: Recorder
) -> None:
    response = api.put("/u/fatima.benali.json", data={
        "name": "Fatima B.", f"user_fields[{SKILLS}][]": ["SIG", "Inconnu", "Solaire"],
        f"user_fields[{REGION}]": "Paris", f"user_fields[{VILLE}]": "false",
    })

    assert response.status_code == 200
    body = response.json()
    assert body["success"] == "OK"
    assert body["user"]["name"] == "Fatima B."
    assert body["user"]["user_fields"][SKILLS] == ["SIG", "Solaire"]
    assert body["user"]["user_fields"][REGION] is None
    assert body["user"]["user_fields"][VILLE] is None
    assert recorder.names() == ["user_updated"]
    _, payload, filters = recorder.events[0]
    assert payload["email"] == "fatima@example.org"
    assert payload["user_fields"][SKILLS] == ["SIG", "Solaire"]
    assert filters["group_ids"]


def test_update_accepts_json_bodies(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.put("/u/ahmed.tiznit.json", json={"user_fields": {REGION: "Souss-Massa"}})

    assert response.json()["user"]["user_fields"][REGION] == "Souss-Massa"


def test_non_staff_cannot_set_fields_that_are_not_editable(seeded: Sandbox, api: SandboxClient) -> None:
    me = api.as_user("fatima.benali")

    body = me.put("/u/fatima.benali.json", data={f"user_fields[{PHONE}]": "0000",
                                                 f"user_fields[{VILLE}]": "Agadir"}).json()

    assert body["user"]["user_fields"][PHONE] == "+33 6 00"
    assert body["user"]["user_fields"][VILLE] == "Agadir"


def test_users_cannot_edit_someone_else(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.as_user("ahmed.tiznit").put("/u/fatima.benali.json", data={"name": "X"})

    assert response.status_code == 403
    assert response.json()["error_type"] == "invalid_access"


# --- sign-up ---------------------------------------------------------------------------------

def test_create_user_with_fields_emits_user_created(
    seeded: Sandbox, api: SandboxClient, recorder: Recorder
) -> None:
    response = api.post("/users.json", data={
        "name": "Youssef", "email": "youssef@example.org", "password": "long-enough-pw",
        "username": "youssef", "active": "true", "approved": "true",
        f"user_fields[{VILLE}]": "Bruxelles",
    })

    body = response.json()
    assert body["success"] is True and body["active"] is True
    assert body["user_id"] == _id(seeded, "youssef")
    assert recorder.names() == ["user_created"]
    assert recorder.events[0][1]["user_fields"][VILLE] == "Bruxelles"


def test_create_user_stores_json_booleans_as_text(seeded: Sandbox, api: SandboxClient) -> None:
    api.post("/users.json", json={"name": "Z", "email": "z@example.org", "password": "long-enough-pw",
                                  "username": "zineb", "user_fields": {VILLE: True}})

    assert api.get("/u/zineb.json").json()["user"]["user_fields"][VILLE] == "true"


def test_create_user_with_a_taken_username_and_email_fails_like_discourse(
    seeded: Sandbox, api: SandboxClient
) -> None:
    response = api.post("/users.json", data={"name": "F", "email": "FATIMA@example.org",
                                             "password": "long-enough-pw", "username": "Fatima.Benali"})

    body = response.json()
    assert response.status_code == 200
    assert body["success"] is False
    assert body["errors"] == {"username": ["must be unique"], "email": ["has already been taken"]}
    assert body["values"]["username"] == "Fatima.Benali"
    assert body["is_developer"] is False


def test_pydiscourse_create_user_goes_through_the_honeypot(
    seeded: Sandbox, discourse_client: Any
) -> None:
    body = discourse_client.create_user("Karim", "karim", "karim@example.org", "long-enough-pw",
                                        active="true")

    assert body["success"] is True
    assert discourse_client.user("karim")["trust_level"] == 0


def test_pydiscourse_reads_and_updates_a_user(seeded: Sandbox, discourse_client: Any) -> None:
    discourse_client.update_user("ahmed.tiznit", user_fields={SKILLS: ["SIG"]})

    user = discourse_client.user("ahmed.tiznit")
    assert user["user_fields"][SKILLS] == "SIG"


# --- admin -----------------------------------------------------------------------------------

def test_admin_list_is_a_bare_array_without_emails_unless_asked(seeded: Sandbox, api: SandboxClient) -> None:
    plain = api.get("/admin/users/list/active.json").json()
    with_emails = api.get("/admin/users/list/active.json", params={"show_emails": "true"}).json()

    assert isinstance(plain, list)
    assert "email" not in plain[0]
    assert {u["username"]: u.get("email") for u in with_emails}["fatima.benali"] == "fatima@example.org"
    assert "system" in [u["username"] for u in plain]


def test_admin_list_pages_by_100(sandbox: Sandbox, api: SandboxClient) -> None:
    load_seed_data(sandbox, {"users": [{"username": f"user{i:03d}"} for i in range(120)]})

    first = api.get("/admin/users.json", params={"order": "username", "asc": "true"}).json()
    second = api.get("/admin/users.json", params={"order": "username", "asc": "true", "page": 2}).json()

    assert len(first) == 100 and len(second) == 21
    assert first[0]["username"] == "system" and second[-1]["username"] == "user119"


def test_admin_list_flags_filter_staff_and_staged(sandbox: Sandbox, api: SandboxClient) -> None:
    load_seed_data(sandbox, {"users": [{"username": "modo", "moderator": True},
                                       {"username": "ghost", "staged": True}, {"username": "plain"}]})

    staff = {u["username"] for u in api.get("/admin/users/list/staff.json").json()}
    staged = {u["username"] for u in api.get("/admin/users/list/staged.json").json()}

    assert staff == {"system", "modo"}
    assert staged == {"ghost"}


def test_pydiscourse_lists_users_and_finds_by_email(seeded: Sandbox, discourse_client: Any) -> None:
    names = [u["username"] for u in discourse_client.users()]
    staff = [u["username"] for u in discourse_client.list_users("staff")]
    found = discourse_client.user_by_email("ahmed@example.org")

    assert "fatima.benali" in names
    assert sorted(staff) == ["modo", "system"]
    assert [u["username"] for u in found] == ["ahmed.tiznit"]


def test_admin_user_has_external_ids_and_no_user_fields(seeded: Sandbox, discourse_client: Any) -> None:
    body = discourse_client.user_all(_id(seeded, "fatima.benali"))

    assert body["external_ids"] == {}
    assert "user_fields" not in body
    assert body["username"] == "fatima.benali"


def test_admin_routes_are_404_for_non_staff(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.as_user("ahmed.tiznit").get("/admin/users/list/active.json")

    assert response.status_code == 404


def test_anonymize_replaces_identity_and_fires_no_webhook(
    seeded: Sandbox, discourse_client: Any, recorder: Recorder
) -> None:
    user_id = _id(seeded, "fatima.benali")

    body = discourse_client.anonymize(user_id)

    assert body["success"] == "OK" and body["username"].startswith("anon")
    user = seeded.state.users[user_id]
    assert user.anonymized and user.user_fields == {} and user.bio_raw == ""
    assert user.email.endswith("@anonymized.invalid")
    assert user_id not in seeded.state.group_by_name("experts").user_ids  # type: ignore[union-attr]
    assert recorder.events == []


def test_delete_refuses_a_user_with_posts(seeded: Sandbox, api: SandboxClient) -> None:
    user_id = _id(seeded, "ahmed.tiznit")
    now = seeded.clock.now()
    seeded.state.posts[1] = Post(id=1, topic_id=1, post_number=1, user_id=user_id, raw="x",
                                 cooked="<p>x</p>", created_at=now, updated_at=now)

    response = api.delete(f"/admin/users/{user_id}.json")

    assert response.status_code == 403
    assert response.json() == {"deleted": False, "message": (
        "User ahmed.tiznit has 1 post in a public topic or personal message, "
        "so they can't be deleted.")}
    assert user_id in seeded.state.users


def test_delete_with_posts_when_asked_and_emits_user_destroyed(
    seeded: Sandbox, discourse_client: Any, recorder: Recorder
) -> None:
    user_id = _id(seeded, "fatima.benali")
    now = seeded.clock.now()
    seeded.state.posts[1] = Post(id=1, topic_id=1, post_number=2, user_id=user_id, raw="x",
                                 cooked="<p>x</p>", created_at=now, updated_at=now)

    body = discourse_client.delete_user(user_id, delete_posts="true")

    assert body == {"deleted": True}
    assert user_id not in seeded.state.users
    assert recorder.names() == ["user_destroyed"]
    assert recorder.events[0][1]["username"] == "fatima.benali"


def test_admins_cannot_be_deleted(seeded: Sandbox, discourse_client: Any) -> None:
    with pytest.raises(DiscourseClientError):
        discourse_client.delete_user(-1)


def test_suspend_and_unsuspend(seeded: Sandbox, api: SandboxClient) -> None:
    user_id = _id(seeded, "ahmed.tiznit")

    body = api.put(f"/admin/users/{user_id}/suspend.json",
                   data={"suspend_until": "2121-02-22", "reason": "spam"}).json()
    suspended = {u["username"] for u in api.get("/admin/users/list/suspended.json").json()}
    api.put(f"/admin/users/{user_id}/unsuspend.json")

    assert body["suspension"]["suspend_reason"] == "spam"
    assert suspended == {"ahmed.tiznit"}
    assert seeded.state.users[user_id].suspended_till is None


# --- directory -------------------------------------------------------------------------------

def test_directory_returns_fields_as_value_arrays(seeded: Sandbox, api: SandboxClient) -> None:
    body = api.get("/directory_items.json",
                   params={"period": "all", "order": "post_count", "user_field_ids": "1|3"}).json()

    users = {i["user"]["username"]: i["user"]["user_fields"] for i in body["directory_items"]}
    assert users["fatima.benali"] == {VILLE: {"searchable": False, "value": ["Lyon"]},
                                      SKILLS: {"searchable": True, "value": ["SIG"]}}
    assert users["ahmed.tiznit"] == {SKILLS: {"searchable": True, "value": ["AEP rurale", "Solaire"]}}
    assert body["meta"]["total_rows_directory_items"] == 3


def test_directory_hides_private_fields_from_non_staff(seeded: Sandbox, api: SandboxClient) -> None:
    body = api.as_user("ahmed.tiznit").get(
        "/directory_items.json", params={"period": "all", "user_field_ids": "2|3"}).json()

    users = {i["user"]["username"]: i["user"]["user_fields"] for i in body["directory_items"]}
    assert set(users["fatima.benali"]) == {SKILLS}


def test_directory_pages_by_50_from_page_0(sandbox: Sandbox, api: SandboxClient) -> None:
    load_seed_data(sandbox, {"users": [{"username": f"user{i:03d}"} for i in range(60)]})

    first = api.get("/directory_items.json", params={"period": "all"}).json()
    second = api.get("/directory_items.json", params={"period": "all", "page": 1}).json()

    assert len(first["directory_items"]) == 50 and len(second["directory_items"]) == 10
    assert "page=1" in first["meta"]["load_more_directory_items"]


def test_directory_requires_a_period(seeded: Sandbox, api: SandboxClient) -> None:
    assert api.get("/directory_items.json").status_code == 400


# --- user fields admin -----------------------------------------------------------------------

def test_user_field_admin_crud(seeded: Sandbox, api: SandboxClient) -> None:
    created = api.post("/admin/config/user_fields.json", data={
        "user_field[name]": "Langues", "user_field[field_type]": "multiselect",
        "user_field[description]": "Langues parlées", "user_field[editable]": "true",
        "user_field[options][]": ["fr", "ar", "ber"],
    }).json()["user_field"]
    updated = api.put(f"/admin/config/user_fields/{created['id']}.json",
                      data={"user_field[show_on_profile]": "true"}).json()["user_field"]
    listed = api.get("/admin/config/user_fields.json").json()["user_fields"]
    deleted = api.delete(f"/admin/config/user_fields/{created['id']}.json").json()

    assert created["options"] == ["fr", "ar", "ber"] and created["editable"] is True
    assert updated["show_on_profile"] is True
    assert created["id"] in [f["id"] for f in listed]
    assert deleted == {"success": "OK"}
    assert created["id"] not in seeded.state.user_fields


def test_user_field_with_an_unknown_type_is_422(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.post("/admin/config/user_fields.json", data={
        "user_field[name]": "X", "user_field[field_type]": "checkbox", "user_field[description]": "x"})

    assert response.status_code == 422
    assert response.json()["errors"]


def test_user_fields_admin_is_for_admins_only(seeded: Sandbox, api: SandboxClient) -> None:
    assert api.as_user("modo").get("/admin/config/user_fields.json").status_code == 404


# --- seed ------------------------------------------------------------------------------------

def test_seed_names_the_entry_and_key_of_an_unknown_field(sandbox: Sandbox) -> None:
    with pytest.raises(SeedError, match=r"users\[0\] \(xavier\).*'fields'.*Nope"):
        load_seed_data(sandbox, {"users": [{"username": "xavier", "fields": {"Nope": "1"}}]})


def test_directory_unknown_period_is_invalid_access(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.get("/directory_items.json", params={"period": "forever"})

    assert (response.status_code, response.json()["error_type"]) == (403, "invalid_access")


def test_directory_stops_after_ten_pages(seeded: Sandbox, api: SandboxClient) -> None:
    response = api.get("/directory_items.json", params={"period": "all", "page": 11})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        "You supplied invalid parameters to the request: page parameter must not be greater than 10"]


def test_directory_any_asc_value_means_ascending(seeded: Sandbox, api: SandboxClient) -> None:
    load_seed_data(seeded, {"topics": [{"title": "Adduction d'eau potable à Tiznit", "user": "ahmed.tiznit",
                                        "raw": "Le réseau du douar a besoin d'une étude."}]})

    asc = api.get("/directory_items.json", params={"period": "all", "order": "post_count", "asc": "false"})

    counts = [i["post_count"] for i in asc.json()["directory_items"]]
    assert counts == sorted(counts) and counts[-1] == 1


def test_directory_puts_the_viewer_first_on_page_0(sandbox: Sandbox, api: SandboxClient) -> None:
    load_seed_data(sandbox, {"users": [{"username": f"user{i:03d}"} for i in range(60)]})

    body = api.as_user("user059").get("/directory_items.json", params={"period": "all"}).json()

    assert body["directory_items"][0]["user"]["username"] == "user059"
    assert len(body["directory_items"]) == 51


def test_daily_directory_shows_new_users_after_a_refresh(sandbox: Sandbox, api: SandboxClient) -> None:
    sandbox.settings.directory_refresh = "daily"
    load_seed_data(sandbox, {"users": [{"username": "ahmed"}]})
    api.get("/directory_items.json", params={"period": "all"})
    load_seed_data(sandbox, {"users": [{"username": "fatima"}]})

    before = api.get("/directory_items.json", params={"period": "all"}).json()
    api.post("/_sandbox/directory/refresh")
    after = api.get("/directory_items.json", params={"period": "all"}).json()

    assert [i["user"]["username"] for i in before["directory_items"]] == ["ahmed"]
    assert {i["user"]["username"] for i in after["directory_items"]} == {"ahmed", "fatima"}
