"""`codev provision` against the sandbox: everything asked exists, a second run writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.seed.users import seed_users
from sync_service.adapters.discourse.admin import DiscourseAdmin
from sync_service.adapters.discourse.client import HttpPolicy, Transport
from sync_service.config import Settings, load_settings
from sync_service.domain.provisioning import ForumStructure
from sync_service.entrypoints.cli import cli
from sync_service.services.provision import ProvisionResult, provision
from tests import paths
from tests.configured import configured
from tests.conftest import ADMIN_API_KEY, SandboxClient, listing_loopback, start_sandbox

SECRET = "provision-secret-0123456789"
SAMPLE = str(paths.SAMPLE_COMMUNITY)
HOOK_URL = "http://127.0.0.1:8000/webhooks/discourse"


class RecordingSession(requests.Session):
    """A real session that notes every request's method and path (the request log)."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, str]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.log.append((str(method), str(url)))
        return super().request(method, url, *args, **kwargs)

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [(m, u) for m, u in self.log if m != "GET"]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings({"CODEV_WEBHOOK_SECRETS": SECRET}, None)


@pytest.fixture(scope="module")
def desired(settings: Settings) -> ForumStructure:
    return configured(settings).forum_structure()


def _run(sandbox: Sandbox, desired: ForumStructure, dry_run: bool = False,
         api_key: str = ADMIN_API_KEY, username: str = "system") -> tuple[ProvisionResult, RecordingSession]:
    session = RecordingSession()
    transport = Transport(sandbox.base_url, api_key, username, HttpPolicy(requests_per_minute=0),
                          session=session)
    return provision(DiscourseAdmin(transport), desired, dry_run=dry_run), session


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """An empty forum whose operator listed codev's host (127.0.0.1) in allowed_internal_hosts."""
    sandbox = start_sandbox(listing_loopback())
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sample() -> Iterator[Sandbox]:
    sandbox = start_sandbox(listing_loopback(), seed=SAMPLE)
    yield sandbox
    sandbox.stop()


def test_empty_forum_gets_everything_as_asked(sandbox: Sandbox, api: SandboxClient,
                                              desired: ForumStructure) -> None:
    result, _ = _run(sandbox, desired)

    assert result.refused is None and len(result.applied) == len(result.planned) > 30
    fields = {f["name"]: f for f in api.get("/admin/config/user_fields.json").json()["user_fields"]}
    assert fields["Compétences"]["field_type"] == "multiselect"
    assert "Hydraulique" in fields["Compétences"]["options"]
    assert fields["Consentement à la mise en relation"]["field_type"] == "confirm"
    groups = {g["name"]: g for g in api.get("/groups.json").json()["groups"]}
    assert groups["commune-skoura"]["full_name"].startswith("Commune de Skoura Ahl El Oust")
    tag_groups = {g["name"]: g for g in api.get("/tag_groups.json").json()["tag_groups"]}
    assert {t["name"] for t in tag_groups["Provinces"]["tags"]} >= {"tiznit", "sidi-ifni"}
    assert tag_groups["Types d'aide"]["one_per_topic"] is True
    [form] = api.get("/admin/customize/form-templates.json").json()["form_templates"]
    needs = api.get("/c/besoins/show.json").json()["category"]
    assert needs["form_template_ids"] == [form["id"]]
    review = api.get("/c/revue-des-suggestions/show.json").json()["category"]
    assert sorted(p["group_name"] for p in review["group_permissions"]) == ["animateurs", "staff"]
    assert (groups["animateurs"]["messageable_level"], groups["animateurs"]["mentionable_level"]) == (99, 3)
    assert groups["experts"]["messageable_level"] == 0  # not managed: Discourse's default stays
    [hook] = api.get("/admin/api/web_hooks.json").json()["web_hooks"]
    assert hook["payload_url"] == HOOK_URL and hook["active"] is True and hook["secret"] == SECRET
    events = {e["name"] for e in hook["web_hook_event_types"]}
    assert {"topic_created", "post_edited", "user_destroyed"} <= events


def test_the_need_form_carries_french_labels_and_both_descriptions(sandbox: Sandbox, api: SandboxClient,
                                                                  desired: ForumStructure) -> None:
    import yaml

    _run(sandbox, desired)

    [form] = api.get("/admin/customize/form-templates.json").json()["form_templates"]
    fields = yaml.safe_load(form["template"])
    assert [f["id"] for f in fields] == ["secteur", "type_aide", "competences", "langues", "mode",
                                         "echeance", "description"]
    assert fields[0]["attributes"]["label"] == "Secteur"
    assert fields[0]["attributes"]["description"] == "القطاع المعني بالمشروع — The sector of the project"


def test_second_run_writes_nothing(sandbox: Sandbox, desired: ForumStructure) -> None:
    _run(sandbox, desired)

    result, session = _run(sandbox, desired)

    assert result.nothing_to_change and session.writes == []


INTRODUCTION = {"archetype": "private_message", "title": "Mise en relation : eau potable à Anzi",
                "raw": "Bonjour, l'équipe d'animation vous met en relation pour le besoin d'Anzi."}


def test_after_provisioning_an_introduction_reaches_the_managers_group(
        sandbox: Sandbox, api: SandboxClient, desired: ForumStructure) -> None:
    _run(sandbox, desired)
    seed_users(sandbox, [{"username": "fatima.expert", "groups": ["experts"], "trust_level": 1},
                         {"username": "ahmed.anzi", "groups": ["commune-anzi"], "trust_level": 1},
                         {"username": "nadia.animatrice", "groups": ["animateurs"], "trust_level": 2}])

    sent = api.post("/posts.json", json={
        **INTRODUCTION, "target_recipients": "fatima.expert,ahmed.anzi,animateurs"})

    assert sent.status_code == 200, sent.text
    topic_id = sent.json()["topic_id"]
    for reader in ("nadia.animatrice", "fatima.expert", "ahmed.anzi"):
        inbox = api.as_user(reader).get(f"/topics/private-messages/{reader}.json").json()
        assert topic_id in [t["id"] for t in inbox["topic_list"]["topics"]], reader
    review = "/c/revue-des-suggestions/show.json"
    assert api.as_user("nadia.animatrice").get(review).status_code == 200
    assert api.as_user("fatima.expert").get(review).status_code in (403, 404)
    again, session = _run(sandbox, desired)
    assert again.nothing_to_change and session.writes == []


def test_before_provisioning_a_group_nobody_may_message_is_refused(sandbox: Sandbox,
                                                                   api: SandboxClient) -> None:
    """Why provisioning sets the level: Discourse's default (0, nobody) refuses codev's PM."""
    seed_users(sandbox, [{"username": "fatima.expert", "trust_level": 1}])
    api.post("/admin/groups.json", json={"group": {"name": "animateurs"}})

    sent = api.post("/posts.json", json={**INTRODUCTION, "target_recipients": "fatima.expert,animateurs"})

    assert sent.status_code == 422 and "could not be found" in sent.text


def test_provisioning_opens_an_existing_managers_group_once(sandbox: Sandbox, api: SandboxClient,
                                                            desired: ForumStructure) -> None:
    api.post("/admin/groups.json", json={"group": {"name": "animateurs",
                                                   "full_name": "Équipe d'animation — فريق التنشيط"}})

    first, _ = _run(sandbox, desired)
    again, session = _run(sandbox, desired)

    assert "update group animateurs: messageable level 0 -> 99, mentionable level 0 -> 3" in [
        a.describe() for a in first.applied]
    assert sandbox.state.group_by_name("animateurs").messageable_level == 99  # type: ignore[union-attr]
    assert again.nothing_to_change and session.writes == []


def test_dry_run_writes_nothing_and_lists_the_changes(sandbox: Sandbox, api: SandboxClient,
                                                      desired: ForumStructure) -> None:
    result, session = _run(sandbox, desired, dry_run=True)

    assert session.writes == []
    assert "create category Besoins des communes" in [a.describe() for a in result.planned]
    assert api.get("/admin/api/web_hooks.json").json()["web_hooks"] == []


def test_sample_community_is_completed_without_duplicates(sample: Sandbox, desired: ForumStructure) -> None:
    api = SandboxClient(sample.base_url)
    before = {f["name"] for f in api.get("/admin/config/user_fields.json").json()["user_fields"]}

    result, _ = _run(sample, desired)
    again, session = _run(sample, desired)

    kinds = {(a.verb, a.kind) for a in result.applied}
    assert ("create", "category") not in kinds and ("create", "group") not in kinds
    # the sample already gives the managers' group its levels and the review category its readers
    assert not [a for a in result.applied if a.kind in ("group", "category")]
    assert ("create", "user_field") not in kinds
    fields = [f["name"] for f in api.get("/admin/config/user_fields.json").json()["user_fields"]]
    assert sorted(fields) == sorted(before)
    categories = [c["slug"] for c in api.get("/categories.json").json()["category_list"]["categories"]]
    assert len(categories) == len(set(categories))
    assert again.nothing_to_change and session.writes == []


def test_a_blocked_webhook_url_is_refused_with_what_to_fix(desired: ForumStructure) -> None:
    sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0, allowed_internal_hosts=[]))
    try:
        result, _ = _run(sandbox, desired)
    finally:
        sandbox.stop()

    assert result.refused is not None
    assert result.refused.what.startswith("create webhook")
    assert "422" in result.refused.reason and "allowed_internal_hosts" in result.refused.fix
    assert [a.kind for a in result.applied][-1] == "category"


def test_a_key_that_is_not_an_admins_is_refused_with_what_to_fix(tmp_path: Path,
                                                                desired: ForumStructure) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "users:\n  - {username: fatima, name: Fatima, email: fatima@example.org}\n"
        "api_keys:\n  - {key: fatima-key-0123456789, user: fatima}\n", encoding="utf-8")
    sandbox = start_sandbox(seed=str(seed))
    try:
        result, session = _run(sandbox, desired, api_key="fatima-key-0123456789", username="fatima")
    finally:
        sandbox.stop()

    assert result.refused is not None and session.writes == []
    assert "global admin key" in result.refused.fix


# --- the command ------------------------------------------------------------------------------

def _codev(sandbox: Sandbox, *args: str, secrets: str = SECRET, config_dir: Path | None = None) -> Result:
    env = {"CODEV_DISCOURSE_URL": sandbox.base_url, "CODEV_DISCOURSE_API_KEY": ADMIN_API_KEY,
           "CODEV_DISCOURSE_API_USERNAME": "system", "CODEV_WEBHOOK_SECRETS": secrets, "CODEV_CONFIG": "",
           "CODEV_CONFIG_DIR": ""}
    where = ["--config-dir", str(config_dir)] if config_dir is not None else []
    return CliRunner().invoke(cli, [*where, "provision", "--rate", "0", *args], env=env)


def test_command_provisions_then_says_nothing_to_change(sandbox: Sandbox) -> None:
    first = _codev(sandbox)
    second = _codev(sandbox)

    assert first.exit_code == 0, first.output
    assert "  create category Revue des suggestions" in first.stdout
    assert second.exit_code == 0 and second.stdout.splitlines()[0].endswith("nothing to change")
    # the welcome topics go through the outbox: without a database they are not queued, and it says so
    assert second.stdout.splitlines()[1].startswith("welcome topics: not queued (the database")


def test_command_dry_run_prints_the_differences(sample: Sandbox) -> None:
    result = _codev(sample, "--dry-run")

    assert result.exit_code == 0
    assert "dry run: nothing written" in result.stdout
    assert "update user field Compétences: options +" in result.stdout
    assert f"create webhook {HOOK_URL}" in result.stdout


def test_command_reports_a_refusal_with_exit_code_1() -> None:
    sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0, allowed_internal_hosts=[]))
    try:
        result = _codev(sandbox)
    finally:
        sandbox.stop()

    assert result.exit_code == 1
    assert "Discourse refused: create webhook" in result.stderr
    assert "allowed_internal_hosts" in result.stderr


def test_command_configuration_error_exits_2(sandbox: Sandbox, tmp_path: Path) -> None:
    bad = tmp_path / "forum.yaml"
    bad.write_text("categories: []\n", encoding="utf-8")

    missing_secret = _codev(sandbox, secrets="")
    bad_file = _codev(sandbox, config_dir=tmp_path)

    assert missing_secret.exit_code == 2 and "CODEV_WEBHOOK_SECRETS" in missing_secret.stderr
    assert bad_file.exit_code == 2 and str(bad) in bad_file.stderr
