"""Provisioning: the pure plan, the use case with a fake forum, and the forum.yaml loader."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from sync_service.config import ConfigError, Settings, load_settings
from sync_service.config.forum import commune_groups, load_forum_structure
from sync_service.domain.provisioning import (
    KIND_ORDER,
    CategorySpec,
    Existing,
    FormTemplateSpec,
    ForumState,
    ForumStructure,
    GroupSpec,
    TagGroupSpec,
    UserFieldSpec,
    WebhookSpec,
    plan,
)
from sync_service.services.provision import provision
from tests import paths
from tests.configured import packaged
from tests.service.unit.fakes import FakeAdmin

SECRET = "webhook-secret-0123456789"
FORUM_FILE = paths.CONFIG / "forum.yaml"

SKILLS = UserFieldSpec("Compétences", "multiselect", "Ce que vous savez faire", ("SIG", "Topographie"),
                       show_on_profile=True)
EXPERTS = GroupSpec("experts", "Experts de la diaspora")
SECTORS = TagGroupSpec("Secteurs", ("eau-potable", "assainissement"))
FORM = FormTemplateSpec("Besoin de la commune", ({"type": "input", "id": "echeance",
                                                  "attributes": {"label": "Échéance"}},))
NEEDS = CategorySpec("besoins", "Besoins des communes", "0E76BD", {"everyone": 1}, ("Besoin de la commune",))
REVIEW = CategorySpec("revue-des-suggestions", "Revue des suggestions", "652D90", {"staff": 1})
HOOK = WebhookSpec("http://127.0.0.1:8000/webhooks/discourse", SECRET, ("topic_created", "post_created"))
DESIRED = ForumStructure((EXPERTS,), (SKILLS,), (SECTORS,), (FORM,), (NEEDS, REVIEW), HOOK)


def _present(structure: ForumStructure = DESIRED) -> ForumState:
    """A forum that holds exactly `structure`."""
    def ids(items: tuple[object, ...], start: int) -> tuple[Existing[object], ...]:
        return tuple(Existing(start + i, item) for i, item in enumerate(items))

    return ForumState(ids(structure.groups, 41), ids(structure.user_fields, 1),  # type: ignore[arg-type]
                      ids(structure.tag_groups, 1), ids(structure.form_templates, 1),  # type: ignore[arg-type]
                      ids(structure.categories, 5), ids((structure.webhook,), 1))  # type: ignore[arg-type]


# --- the plan --------------------------------------------------------------------------------

def test_empty_forum_gets_everything_created_groups_and_forms_before_categories_webhook_last() -> None:
    actions = plan(DESIRED, ForumState())

    assert [a.verb for a in actions] == ["create"] * 7
    kinds = [a.kind for a in actions]
    assert kinds == sorted(kinds, key=KIND_ORDER.index)
    assert kinds[-1] == "webhook"
    assert actions[4].describe() == "create category Besoins des communes"


def test_forum_that_has_everything_needs_no_change() -> None:
    assert plan(DESIRED, _present()) == []


def test_missing_options_are_added_and_the_forums_own_options_kept() -> None:
    have = replace(SKILLS, options=("Topographie", "Option d'un administrateur"))
    current = replace(_present(), user_fields=(Existing(3, have),))

    [action] = plan(DESIRED, current)

    assert action.describe() == "update user field Compétences: options +1"
    assert action.target_id == 3
    assert isinstance(action.spec, UserFieldSpec)
    assert action.spec.options == ("Topographie", "Option d'un administrateur", "SIG")


def test_extra_options_tags_and_events_in_the_forum_are_never_removed() -> None:
    current = replace(
        _present(),
        user_fields=(Existing(1, replace(SKILLS, options=(*SKILLS.options, "Autre"))),),
        tag_groups=(Existing(1, replace(SECTORS, tags=(*SECTORS.tags, "local"))),),
        webhooks=(Existing(1, replace(HOOK, events=(*HOOK.events, "like_created"))),),
    )

    assert plan(DESIRED, current) == []


def test_things_codev_does_not_name_are_left_alone() -> None:
    other_group = Existing(99, GroupSpec("moderation", "Autres"))
    other_category = Existing(9, CategorySpec("general", "General", "FFFFFF", {"everyone": 1}))
    current = replace(_present(), groups=(*_present().groups, other_group),
                      categories=(*_present().categories, other_category))

    assert plan(DESIRED, current) == []


def test_category_permissions_are_set_exactly_so_a_staff_only_category_stays_private() -> None:
    opened = replace(REVIEW, permissions={"everyone": 1, "staff": 1})
    current = replace(_present(), categories=(Existing(5, NEEDS), Existing(6, opened)))

    [action] = plan(DESIRED, current)

    assert action.describe() == "update category Revue des suggestions: permissions staff: 1"
    assert isinstance(action.spec, CategorySpec) and dict(action.spec.permissions) == {"staff": 1}


def test_a_group_that_nobody_may_message_is_opened_to_the_level_asked() -> None:
    wanted = replace(EXPERTS, messageable_level=99, mentionable_level=3)
    have = replace(EXPERTS, messageable_level=0, mentionable_level=0)
    desired = replace(DESIRED, groups=(wanted,))

    [action] = plan(desired, replace(_present(), groups=(Existing(41, have),)))

    assert action.describe() == ("update group experts: messageable level 0 -> 99, "
                                 "mentionable level 0 -> 3")
    assert action.target_id == 41 and action.spec == wanted
    assert plan(desired, replace(_present(), groups=(Existing(41, action.spec),))) == []


def test_a_group_level_left_out_of_the_file_is_not_managed() -> None:
    hand_set = replace(EXPERTS, messageable_level=3, mentionable_level=99)

    assert plan(DESIRED, replace(_present(), groups=(Existing(41, hand_set),))) == []


def test_a_category_is_found_by_slug_and_renamed() -> None:
    renamed = Existing(5, replace(NEEDS, name="Besoins"))
    current = replace(_present(), categories=(renamed, Existing(6, REVIEW)))

    [action] = plan(DESIRED, current)

    assert action.verb == "update" and action.target_id == 5
    assert "name 'Besoins' -> 'Besoins des communes'" in action.describe()


def test_missing_tags_are_added_to_an_existing_tag_group() -> None:
    current = replace(_present(), tag_groups=(Existing(2, replace(SECTORS, tags=("eau-potable",))),))

    [action] = plan(DESIRED, current)

    assert action.describe() == "update tag group Secteurs: tags +1"
    assert isinstance(action.spec, TagGroupSpec) and action.spec.tags == ("eau-potable", "assainissement")


def test_a_changed_webhook_secret_is_updated_without_being_printed() -> None:
    current = replace(_present(), webhooks=(Existing(1, replace(HOOK, secret="an-old-secret-1234")),))

    [action] = plan(DESIRED, current)

    assert action.describe() == f"update webhook {HOOK.payload_url}: secret"
    assert SECRET not in action.describe()


def test_a_webhook_elsewhere_is_not_ours_a_new_one_is_created() -> None:
    current = replace(_present(), webhooks=(Existing(1, replace(HOOK, payload_url="https://x.org/hook")),))

    [action] = plan(DESIRED, current)

    assert (action.verb, action.kind) == ("create", "webhook")


def test_with_the_codev_plugin_the_webhook_is_also_subscribed_to_its_offer_events() -> None:
    forum = FakeAdmin(state=_present())
    assert provision(forum, DESIRED).nothing_to_change  # no plugin: the webhook as forum.yaml says

    forum.plugin = {"codev_offer_created": 90101, "codev_offer_withdrawn": 90102}
    result = provision(forum, DESIRED)

    [action] = result.applied
    assert action.describe() == (f"update webhook {HOOK.payload_url}: "
                                 "events +2")
    assert provision(forum, DESIRED).nothing_to_change  # and it converges


def test_a_form_template_with_other_fields_is_replaced_by_codevs() -> None:
    current = replace(_present(), form_templates=(Existing(4, replace(FORM, fields=())),))

    [action] = plan(DESIRED, current)

    assert action.describe() == "update form template Besoin de la commune: fields +1"
    assert action.target_id == 4


def test_names_are_matched_without_case() -> None:
    current = replace(_present(), groups=(Existing(41, GroupSpec("Experts", EXPERTS.full_name)),))

    [action] = plan(DESIRED, replace(current, groups=()))
    assert action.verb == "create"
    assert plan(DESIRED, current) == []


# --- the use case ----------------------------------------------------------------------------

def test_second_run_writes_nothing_and_says_so() -> None:
    forum = FakeAdmin()
    first = provision(forum, DESIRED)

    second = provision(forum, DESIRED)

    assert len(first.applied) == 7 and first.refused is None
    assert second.nothing_to_change and len(forum.writes) == 7


def test_dry_run_lists_the_changes_and_writes_nothing() -> None:
    forum = FakeAdmin()

    result = provision(forum, DESIRED, dry_run=True)

    assert len(result.planned) == 7 and result.applied == () and forum.writes == []


def test_a_refusal_stops_the_run_and_keeps_what_was_written() -> None:
    forum = FakeAdmin(refuse="category")

    result = provision(forum, DESIRED)

    assert result.refused is not None and result.refused.fix == "fix it"
    assert [a.kind for a in result.applied] == ["group", "user_field", "tag_group", "form_template"]


# --- config/forum.yaml ------------------------------------------------------------------------

def _forum(settings: Settings, path: Path = FORUM_FILE, webhook_url: str | None = None) -> ForumStructure:
    return load_forum_structure(settings, path, packaged().taxonomy, packaged().communes,
                                webhook_url=webhook_url)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings({"CODEV_WEBHOOK_SECRETS": f"{SECRET},an-older-secret-123"}, None)


@pytest.fixture(scope="module")
def structure(settings: Settings) -> ForumStructure:
    return _forum(settings, FORUM_FILE)


def test_shipped_forum_file_names_user_fields_as_the_settings_do(settings: Settings,
                                                                 structure: ForumStructure) -> None:
    assert [f.name for f in structure.user_fields] == list(settings.forum.user_fields.values())
    skills = structure.user_fields[0]
    assert skills.field_type == "multiselect" and "Hydraulique" in skills.options
    assert structure.user_fields[-1].field_type == "confirm"


def test_need_form_labels_are_the_first_headings_of_the_settings(settings: Settings,
                                                                  structure: ForumStructure) -> None:
    [form] = structure.form_templates

    labels = {f["id"]: f["attributes"]["label"] for f in form.fields}
    assert labels == {fid: h[0] for fid, h in settings.forum.need_form_fields.items()}
    assert all(" — " in f["attributes"]["description"] for f in form.fields)


def test_shipped_structure_has_the_categories_groups_and_webhook_codev_relies_on(settings: Settings) -> None:
    structure = _forum(settings, FORUM_FILE, webhook_url="http://codev:8000/webhooks/discourse")

    slugs = {c.slug: c for c in structure.categories}
    assert set(slugs) >= {"besoins", "pratiques", "financements", "mises-en-relation",
                          "revue-des-suggestions"}
    assert dict(slugs["revue-des-suggestions"].permissions) == {"staff": 1, "animateurs": 1}
    managers = next(g for g in structure.groups if g.name == settings.forum.community_managers_group)
    assert (managers.messageable_level, managers.mentionable_level) == (99, 3)
    # codev (an admin) messages a commune's or an organisation's group (the plan import's review message)
    organisations = {"associations", "cooperatives", "gie", "federations"}
    assert all(g.messageable_level == 3 for g in structure.groups
               if g.name.startswith(settings.forum.commune_group_prefix) or g.name in organisations)
    assert next(g for g in structure.groups if g.name == "experts").messageable_level is None
    assert slugs["besoins"].form_templates == ("Besoin de la commune",)
    groups = {g.name for g in structure.groups}
    assert {"experts", "animateurs", "associations", "cooperatives", "gie", "federations",
            "commune-anzi", "commune-skoura"} <= groups
    assert structure.webhook is not None and structure.webhook.secret == SECRET
    assert structure.webhook.payload_url == "http://codev:8000/webhooks/discourse"
    tags = [t for g in structure.tag_groups for t in g.tags]
    assert all(len(t) <= 20 and t == t.lower() for t in tags) and "tiznit" in tags


def test_forum_file_agrees_with_the_sample_community(structure: ForumStructure) -> None:
    text = paths.SAMPLE_COMMUNITY.read_text(encoding="utf-8")
    sample = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    assert {c["slug"]: c["name"] for c in sample["categories"]} == {
        c.slug: c.name for c in structure.categories}
    assert {g["name"] for g in sample["groups"]} == {g.name for g in structure.groups}
    levels = {g.name: (g.messageable_level, g.mentionable_level) for g in structure.groups
              if g.messageable_level is not None}
    assert {g["name"]: (g.get("messageable_level"), g.get("mentionable_level")) for g in sample["groups"]
            if g["name"] in levels} == levels
    assert [dict(c["permissions"]) for c in sample["categories"]] == [
        dict(c.permissions) for c in structure.categories]
    assert {f["name"] for f in sample["user_fields"]} == {f.name for f in structure.user_fields}
    assert {g["name"]: set(g["tags"]) for g in sample["tag_groups"]} == {
        g.name: set(g.tags) for g in structure.tag_groups}


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = FORUM_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "forum.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_bad_tag_names_the_file_the_key_and_what_is_expected(settings: Settings, tmp_path: Path) -> None:
    path = _variant(tmp_path, "tag: tiznit}", "tag: Tiznit-Province-Du-Sud}")

    with pytest.raises(ConfigError) as caught:
        _forum(settings, path)

    assert caught.value.source == str(path) and caught.value.key == "provinces[4].tag"
    assert "at most 20 characters" in caught.value.expected


def test_an_unknown_commune_slug_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = _variant(tmp_path, "{slug: anzi}", "{slug: atlantis}")

    with pytest.raises(ConfigError, match=r"communes\[0\]\.slug: found 'atlantis'"):
        _forum(settings, path)


@pytest.mark.parametrize("permissions", ["{staff: 1, animateurs: 1, everyone: 3}",
                                         "{staff: 1, animateurs: 1, experts: 3}",
                                         "{staff: 1}", "{staff: 1, animateurs: 3}", "{animateurs: 1}"])
def test_a_review_category_not_exactly_for_staff_and_managers_is_refused(
        settings: Settings, tmp_path: Path, permissions: str) -> None:
    path = _variant(tmp_path, "permissions: {staff: 1, animateurs: 1}\n", f"permissions: {permissions}\n")

    with pytest.raises(ConfigError) as caught:
        _forum(settings, path)

    assert caught.value.key == "categories[slug=revue-des-suggestions].permissions"
    assert "open to staff and 'animateurs' only" in caught.value.expected


def test_a_managers_group_codev_may_not_message_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = _variant(tmp_path, "messageable_level: 99,", "messageable_level: 0,")

    with pytest.raises(ConfigError) as caught:
        _forum(settings, path)

    assert (caught.value.source, caught.value.key) == (str(path), "groups[1].messageable_level")
    assert "community_managers_group" in caught.value.expected


def test_an_unknown_group_level_names_the_key_and_the_levels(settings: Settings, tmp_path: Path) -> None:
    path = _variant(tmp_path, "mentionable_level: 3}", "mentionable_level: 5}")

    with pytest.raises(ConfigError) as caught:
        _forum(settings, path)

    assert caught.value.key == "groups[1].mentionable_level" and "99 (everyone)" in caught.value.expected


def test_an_unknown_webhook_event_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = _variant(tmp_path, "events: [topic_created,", "events: [topic_exploded,")

    with pytest.raises(ConfigError, match=r"webhook\.events: found 'topic_exploded'"):
        _forum(settings, path)


def test_without_a_webhook_secret_provisioning_cannot_start() -> None:
    with pytest.raises(ConfigError) as caught:
        _forum(load_settings({}, None), FORUM_FILE)

    assert (caught.value.source, caught.value.key) == ("environment", "CODEV_WEBHOOK_SECRETS")


def test_commune_groups_map_each_group_to_its_commune_slug(settings: Settings) -> None:
    groups = commune_groups(settings, FORUM_FILE, packaged().communes)

    assert groups["commune-anzi"] == "anzi"
    assert groups["commune-skoura"] == "skoura-ahl-el-oust"


def test_a_commune_group_without_the_prefix_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = _variant(tmp_path, "group: commune-skoura,", "group: skoura,")

    with pytest.raises(ConfigError, match="commune_group_prefix"):
        _forum(settings, path)


def test_the_approval_tags_follow_the_prefix_and_the_number_of_candidates(settings: Settings) -> None:
    life = replace(settings.lifecycle, approve_tag_prefix="valider-", review_candidates=3)

    structure = _forum(replace(settings, lifecycle=life), FORUM_FILE)

    assert next(g for g in structure.tag_groups if g.name == "Approbation").tags == (
        "valider-1", "valider-2", "valider-3")


def test_an_approval_tag_group_without_a_prefix_is_refused(settings: Settings) -> None:
    life = replace(settings.lifecycle, approve_tag_prefix="")

    with pytest.raises(ConfigError, match=r"tag_groups\[4\]\.approval: found True, expected false"):
        _forum(replace(settings, lifecycle=life), FORUM_FILE)
