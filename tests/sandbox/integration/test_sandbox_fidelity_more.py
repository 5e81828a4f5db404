"""More review findings: deletion by authors, edit window, search params, auth and admin answers."""

from __future__ import annotations

from typing import Any

from discourse_sandbox import Sandbox
from tests.sandbox.integration.test_sandbox_posts import (
    RAW,
    add_category,
    add_user,
    create_topic,
    record_emits,
)


def test_author_deleting_own_reply_marks_it_and_emits_post_edited(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    first = create_topic(api)
    reply = api.as_user("ahmed").post("/posts.json", data={"topic_id": first["topic_id"],
                                                          "raw": RAW + " Réponse."}).json()
    calls = record_emits(sandbox)

    response = api.as_user("ahmed").delete(f"/posts/{reply['id']}.json")

    post = api.get(f"/posts/{reply['id']}.json").json()
    assert response.status_code == 200
    assert (post["raw"], post["user_deleted"], post["deleted_at"]) == ("(post deleted by author)", True, None)
    assert [c[0] for c in calls] == ["post_edited"]


def test_author_may_delete_own_single_post_topic(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    topic = create_topic(api.as_user("ahmed"))

    response = api.as_user("ahmed").delete(f"/t/{topic['topic_id']}.json")

    view = api.get(f"/t/{topic['topic_id']}.json").json()
    assert response.status_code == 200 and view["closed"] is True
    assert api.get(f"/raw/{topic['topic_id']}").text == "(topic deleted by author)"


def test_author_cannot_edit_after_the_edit_window(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    topic = create_topic(api.as_user("ahmed"))
    sandbox.clock.advance(sandbox.settings.post_edit_time_limit * 60 + 1)

    response = api.as_user("ahmed").put(f"/posts/{topic['id']}.json", data={"post[raw]": RAW + " Modifié."})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        "That post was created too long ago. It can no longer be edited or deleted."]


def test_moving_a_topic_to_an_unknown_or_forbidden_category(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    staff_only = add_category(sandbox, "staff-only", permissions={"staff": 1})
    topic = create_topic(api.as_user("ahmed"))
    path = f"/t/-/{topic['topic_id']}.json"

    unknown = api.put(path, data={"category_id": 999})
    forbidden = api.as_user("ahmed").put(path, data={"category_id": staff_only.id})

    assert (unknown.status_code, unknown.json()["errors"]) == (422, ["Category not found!"])
    assert (forbidden.status_code, forbidden.json()["error_type"]) == (403, "invalid_access")


def test_search_refuses_short_terms_and_pages_past_ten(api: Any) -> None:
    short = api.get("/search.json", params={"q": "ea"})
    far = api.get("/search.json", params={"q": "eau potable", "page": "11"})
    odd = api.get("/search.json", params={"q": "eau potable", "page": "deux"})

    assert short.status_code == 400
    assert short.json()["errors"] == ["You supplied invalid parameters to the request: q"]
    assert far.json()["errors"] == [
        "You supplied invalid parameters to the request: page parameter must not be greater than 10"]
    assert odd.status_code == 400


def test_search_is_rate_limited_per_non_staff_user(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed")
    sandbox.settings.rate_limit_search_user = 2
    ahmed = api.as_user("ahmed")

    answers = [ahmed.get("/search.json", params={"q": "eau potable"}) for _ in range(3)]

    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[2].json() == {"failed": "FAILED", "message": (
        "You’ve performed this action too many times, please try again later.")}


def test_suspended_api_user_gets_plain_invalid_access(api: Any, sandbox: Sandbox) -> None:
    add_user(sandbox, "ahmed", active=False)

    response = api.as_user("ahmed").get("/latest.json")

    assert response.status_code == 403
    assert response.json()["errors"] == ["You are not permitted to view the requested resource."]


def test_automatic_group_delete_message(api: Any) -> None:
    response = api.delete("/admin/groups/10.json")

    assert (response.status_code, response.json()["errors"]) == (
        422, ["You cannot modify an automatic group"])


def test_user_fields_served_under_one_prefix(api: Any, sandbox: Sandbox) -> None:
    assert api.get("/admin/config/user_fields.json").status_code == 200
    assert api.get("/admin/customize/user_fields.json").status_code == 404

    sandbox.settings.user_fields_admin_prefix = "customize"

    assert api.get("/admin/customize/user_fields.json").status_code == 200


def test_user_field_errors_carry_no_error_type(api: Any) -> None:
    response = api.post("/admin/config/user_fields.json", data={"user_field[name]": "Région",
                                                                "user_field[field_type]": "text"})

    assert response.status_code == 422 and "error_type" not in response.json()


def test_provider_switched_off_is_not_found(api: Any, sandbox: Sandbox) -> None:
    sandbox.settings.enable_discourse_connect_provider = False

    assert api.get("/session/sso_provider", params={"sso": "x", "sig": "y"}).status_code == 404


def test_deleting_a_user_with_posts_destroys_them_through_post_destroyer(api: Any, sandbox: Sandbox) -> None:
    ahmed = add_user(sandbox, "ahmed")
    topic = create_topic(api.as_user("ahmed"))
    calls = record_emits(sandbox)

    response = api.delete(f"/admin/users/{ahmed.id}.json", params={"delete_posts": "true"})

    assert response.json() == {"deleted": True}
    assert [c[0] for c in calls] == ["post_destroyed", "topic_destroyed", "user_destroyed"]
    assert calls[1][1]["id"] == topic["topic_id"]


def test_system_user_has_discourse_logo_everywhere(api: Any) -> None:
    topic = create_topic(api)

    post = api.get(f"/posts/{topic['id']}.json").json()
    view = api.get(f"/t/{topic['topic_id']}.json").json()
    user = api.get("/u/system.json").json()["user"]

    logo = "/images/discourse-logo-sketch-small.png"
    assert post["avatar_template"] == logo == user["avatar_template"]
    assert view["details"]["created_by"]["avatar_template"] == logo


def test_sign_up_without_a_required_field(api: Any, sandbox: Sandbox) -> None:
    from discourse_sandbox.core.records import UserField

    with sandbox.state.transaction() as state:
        state.user_fields[1] = UserField(id=1, name="Région", field_type="text", requirement="on_signup")

    response = api.post("/users.json", data={"username": "nadia", "email": "nadia@example.org",
                                             "password": "long-enough-password", "name": "Nadia"})

    assert response.status_code == 200
    assert response.json() == {"success": False,
                               "message": "You have not completed all the required user fields"}
