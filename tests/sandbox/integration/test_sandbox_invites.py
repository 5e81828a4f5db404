"""The sandbox's invites as Discourse plays them (app/controllers/invites_controller.rb, app/models/
invite.rb, app/controllers/users_controller.rb#invited, lib/invite_redeemer.rb): a multi-use link
invite into a group, redeemed by new users who join the group, used up, expired, and the errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from discourse_sandbox import Sandbox
from discourse_sandbox.seed import load_seed_data
from tests.conftest import SandboxClient


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    load_seed_data(sandbox, {"groups": [{"name": "experts"}], "users": [
        {"username": "karim", "trust_level": 1},
        {"username": "salma", "email": "salma@example.org", "trust_level": 2}]})
    return sandbox


def _invite(api: SandboxClient, **fields: Any) -> dict[str, Any]:
    body = {"max_redemptions_allowed": 2, "group_names": "experts", "skip_email": True, **fields}
    response = api.post("/invites.json", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _redeem(sandbox: Sandbox, key: str, username: str, email: str) -> Any:
    anonymous = SandboxClient(sandbox.base_url, api_key=None)
    return anonymous.put(f"/invites/show/{key}.json", json={
        "username": username, "email": email, "password": "a-long-password-1"})


def test_a_link_invite_adds_each_new_user_to_its_groups_until_used_up(seeded: Sandbox,
                                                                    api: SandboxClient) -> None:
    invite = _invite(api)

    first = _redeem(seeded, invite["invite_key"], "amina_t", "amina@example.org")
    second = _redeem(seeded, invite["invite_key"], "omar_h", "omar@example.org")
    third = _redeem(seeded, invite["invite_key"], "rachid_b", "rachid@example.org")

    assert invite["link"].endswith(f"/invites/{invite['invite_key']}")
    assert (invite["max_redemptions_allowed"], invite["redemption_count"]) == (2, 0)
    assert "email" not in invite and "custom_message" not in invite  # a link invite
    assert [g["name"] for g in invite["groups"]] == ["experts"]
    assert first.status_code == second.status_code == 200 and first.json()["success"] == "OK"
    assert third.status_code == 404 and third.json() == {"success": "FAILED",
                                                         "message": third.json()["message"]}
    group = seeded.state.group_by_name("experts")
    amina = seeded.state.user_by_username("amina_t")
    assert group is not None and amina is not None and amina.id in group.user_ids
    assert not amina.active  # the new user confirms their address before acting


def test_the_inviter_lists_redemptions_with_the_invite_id_and_the_user(seeded: Sandbox,
                                                                      api: SandboxClient) -> None:
    invite = _invite(api)
    _redeem(seeded, invite["invite_key"], "amina_t", "amina@example.org")

    redeemed = api.get("/u/system/invited.json", params={"filter": "redeemed"}).json()
    pending = api.get("/u/system/invited.json", params={"filter": "pending"}).json()

    [row] = redeemed["invites"]
    assert row["id"] == invite["id"] and row["invite_source"] == "link"
    assert row["user"]["username"] == "amina_t" and "email" not in row["user"]
    assert [i["id"] for i in pending["invites"]] == [invite["id"]]
    assert pending["invites"][0]["redemption_count"] == 1
    assert redeemed["counts"] == {"pending": 1, "expired": 0, "redeemed": 1, "total": 1}


def test_an_expired_invite_is_listed_as_expired_and_cannot_be_redeemed(seeded: Sandbox,
                                                                      api: SandboxClient) -> None:
    soon = (seeded.clock.now() + timedelta(hours=1)).isoformat()
    invite = _invite(api, expires_at=soon)
    seeded.clock.advance(2 * 3600)

    refused = _redeem(seeded, invite["invite_key"], "amina_t", "amina@example.org")
    expired = api.get("/u/system/invited.json", params={"filter": "expired"}).json()
    shown = SandboxClient(seeded.base_url, api_key=None).get(f"/invites/{invite['invite_key']}.json")

    assert refused.status_code == 404 and refused.json()["success"] == "FAILED"
    assert [i["id"] for i in expired["invites"]] == [invite["id"]] and expired["invites"][0]["expired"]
    assert shown.headers["Content-Type"].startswith("text/html")  # Discourse's error page


def test_a_redeemable_invite_shows_its_inviter_to_an_anonymous_visitor(seeded: Sandbox,
                                                                      api: SandboxClient) -> None:
    invite = _invite(api)

    shown = SandboxClient(seeded.base_url, api_key=None).get(f"/invites/{invite['invite_key']}.json").json()

    assert shown["invited_by"]["username"] == "system" and shown["is_invite_link"] is True


@pytest.mark.parametrize(("fields", "message"), [
    ({"max_redemptions_allowed": 0}, "Max redemptions allowed must be between 1 and 5000."),
    ({"max_redemptions_allowed": 5001}, "Max redemptions allowed must be between 1 and 5000."),
    ({"email": "salma@example.org", "max_redemptions_allowed": 1},
     "There's no need to invite salma@example.org, they already have an account!"),
])
def test_creating_an_invalid_invite_answers_422_with_rails_message(
        seeded: Sandbox, api: SandboxClient, fields: dict[str, Any], message: str) -> None:
    response = api.post("/invites.json", json={"group_names": "experts", **fields})

    assert response.status_code == 422 and response.json() == {"errors": [message]}


def test_who_may_invite_into_a_group_and_who_may_not(seeded: Sandbox, api: SandboxClient) -> None:
    anonymous = SandboxClient(seeded.base_url, api_key=None).post("/invites.json", json={})
    member = api.as_user("salma").post("/invites.json", json={"group_names": "experts"})
    newcomer = api.as_user("karim").post("/invites.json", json={})
    plain = api.as_user("salma").post("/invites.json", json={"max_redemptions_allowed": 3})

    assert anonymous.status_code == 403 and anonymous.json()["error_type"] == "not_logged_in"
    assert member.status_code == 403 and member.json()["error_type"] == "invalid_access"
    assert newcomer.status_code == 403
    assert plain.status_code == 200 and plain.json()["max_redemptions_allowed"] == 3


def test_redeeming_refuses_a_taken_username_or_address_and_asks_for_the_email(seeded: Sandbox,
                                                                             api: SandboxClient) -> None:
    key = _invite(api)["invite_key"]
    anonymous = SandboxClient(seeded.base_url, api_key=None)

    taken = _redeem(seeded, key, "karim", "karim2@example.org")
    address = _redeem(seeded, key, "salma2", "salma@example.org")
    missing = anonymous.put(f"/invites/show/{key}.json", json={"username": "nadia_x"})
    unknown = _redeem(seeded, "nope", "nadia_x", "nadia@example.org")

    assert taken.status_code == 412 and "Username must be unique" in taken.json()["message"]
    assert address.status_code == 412 and address.json()["success"] == "FAILED"
    assert missing.status_code == 400 and missing.json()["error_type"] == "invalid_parameters"
    assert unknown.status_code == 404
    assert seeded.state.invites[1].redemption_count == 0
