"""The invite side of the gateway against the sandbox: create_invite sent and found again by its
expiry, uses and groups; the inviter's invites and redemptions read page by page, without e-mail."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from discourse_sandbox import Sandbox
from discourse_sandbox.seed import load_seed_data
from sync_service.adapters.discourse.client import HttpPolicy, Transport
from sync_service.adapters.discourse.invites import DiscourseInvites
from sync_service.adapters.discourse.writer import DiscourseWriter
from sync_service.services.ports.forum import AccessDenied
from tests.conftest import ADMIN_API_KEY, SandboxClient

EXPIRES = datetime(2027, 2, 5, 14, 31, 7, tzinfo=UTC)
PAYLOAD = {"max_redemptions_allowed": 50, "group_names": ["experts"], "expires_at": "2027-02-05T14:31:07Z"}


def _transport(sandbox: Sandbox) -> Transport:
    return Transport(sandbox.base_url, ADMIN_API_KEY, "system", HttpPolicy(requests_per_minute=0))


def test_an_invite_is_created_and_found_again_by_what_codev_asked(sandbox: Sandbox) -> None:
    load_seed_data(sandbox, {"groups": [{"name": "experts"}]})
    writer = DiscourseWriter(_transport(sandbox), "system")

    posted = writer.send("create_invite", PAYLOAD, "campaign:hiver-1")
    found = writer.locate("create_invite", PAYLOAD, "campaign:hiver-1")
    other = writer.locate("create_invite", {**PAYLOAD, "expires_at": "2027-02-05T14:31:08Z"}, "campaign:x")

    assert posted.topic_id is None and posted.post_id is not None
    assert found == posted and other is None
    invite = sandbox.state.invites[posted.post_id]
    assert invite.expires_at == EXPIRES and invite.max_redemptions_allowed == 50 and invite.email is None


def test_the_inviter_s_invites_and_redemptions_are_read_on_every_page(sandbox: Sandbox) -> None:
    load_seed_data(sandbox, {"groups": [{"name": "experts"}]})
    writer = DiscourseWriter(_transport(sandbox), "system")
    ids = [writer.send("create_invite", {**PAYLOAD, "max_redemptions_allowed": n}, f"campaign:{n}").post_id
           for n in range(1, 46)]
    api = SandboxClient(sandbox.base_url)
    api.post("/invites.json", json={"email": "someone@example.org", "skip_email": True})  # an e-mail invite
    key = sandbox.state.invites[ids[0]].invite_key
    SandboxClient(sandbox.base_url, api_key=None).put(f"/invites/show/{key}.json", json={
        "email": "amina@example.org", "username": "amina_t", "password": "a-long-password-1"})
    reader = DiscourseInvites(_transport(sandbox))

    pending = reader.invites("system", "pending")
    redeemed = reader.redemptions("system")

    assert len(pending) == 45  # 44 links with uses left, 1 e-mail invite: 40 + 5 over two pages
    assert ids[0] not in {i.invite_id for i in pending}  # used up (one use)
    assert all(i.link and i.link.startswith(sandbox.base_url + "/invites/") for i in pending)
    [amina] = redeemed
    assert (amina.invite_id, amina.username) == (ids[0], "amina_t")
    assert amina.redeemed_at is not None and abs(amina.redeemed_at - sandbox.clock.now()) < timedelta(hours=1)
    assert all("email" not in {f.name for f in dataclasses.fields(i)} for i in pending)
    assert reader.redemptions("system", since=sandbox.clock.now() + timedelta(minutes=5)) == []


def test_an_api_user_the_forum_does_not_know_is_said_in_one_sentence(sandbox: Sandbox) -> None:
    reader = DiscourseInvites(_transport(sandbox))

    with pytest.raises(AccessDenied, match="no user 'nobody'"):
        reader.redemptions("nobody")
