"""Volunteers (services/offers.py and the review topic), on the fakes: "Je peux aider" in the codev
plugin is read from the plugin's offers under the need's lock and shown in the review topic."""

from __future__ import annotations

import json

import jsonschema

from sync_service.services import offers
from sync_service.services.forget import forget_person
from sync_service.services.ports.forum import OfferSnapshot
from tests import paths
from tests.service.unit.brokerage_world import FATIMA, HASSAN, LAHCEN, NEED, T0, USERNAMES, World, day


def offer(user_id: int, at: int = 1, withdrawn: int | None = None) -> OfferSnapshot:
    return OfferSnapshot(user_id, USERNAMES[user_id], day(at), day(withdrawn) if withdrawn else None)


def read(world: World, at: int = 2) -> str:
    with world.uow() as uow:
        outcome = offers.read_offers(uow, world.forum, NEED, day(at))
        assert uow.locked == [("need", NEED)]  # read under the need's lock, as every fetch that writes
        uow.commit()
    return outcome


def volunteering() -> World:
    """A need ranked Lahcen, Fatima, Hassan, two shown at a time; the plugin installed."""
    world = World().with_rules(review_candidates=2)
    world.add_need()
    for user_id in (LAHCEN, FATIMA, HASSAN):
        world.add_expert(user_id)
    world.rank(NEED, LAHCEN, FATIMA, HASSAN)
    world.forum.plugin_offers = {}
    return world


def test_without_the_plugin_offers_are_ignored() -> None:
    world = volunteering()
    world.forum.plugin_offers = None

    assert read(world) == "ignored"


def test_codev_holds_the_offers_not_withdrawn_and_a_second_read_changes_nothing() -> None:
    world = volunteering()
    world.forum.plugin_offers = {NEED: [offer(FATIMA), offer(HASSAN, 1, withdrawn=2)]}

    assert read(world) == "updated"
    assert read(world) == "unchanged"
    assert [v.username for v in world.uow().offers.of_need(NEED)] == [USERNAMES[FATIMA]]


def test_a_withdrawal_removes_the_volunteer() -> None:
    world = volunteering()
    world.forum.plugin_offers = {NEED: [offer(FATIMA)]}
    read(world)
    world.forum.plugin_offers = {NEED: [offer(FATIMA, 1, withdrawn=3)]}

    assert read(world, 4) == "updated"
    assert world.uow().offers.of_need(NEED) == []


def test_a_candidate_who_offered_is_marked_and_a_volunteer_outside_the_ranking_is_listed() -> None:
    world = volunteering()
    world.forum.plugin_offers = {NEED: [offer(FATIMA), offer(HASSAN)]}
    read(world)

    world.refresh()
    world.send()
    raw = world.review_topic().first.raw

    fatima, hassan = USERNAMES[FATIMA], USERNAMES[HASSAN].replace("_", "\\_")
    assert raw.index("lahcen") < raw.index("fatima") < raw.index("membre s'est proposé")
    assert "S'est proposé·e" in raw.split(f"/u/{fatima}")[1].split("####")[0]  # under Fatima
    assert "S'est proposé·e" not in raw.split("/u/lahcen.oubaha")[1].split("####")[0]
    volunteer = raw.split("membre s'est proposé")[1]
    assert f"/u/{USERNAMES[HASSAN]}" in volunteer and f"compétences de {hassan}" in volunteer
    assert f"approuver {USERNAMES[HASSAN]}" in volunteer  # approved by name, as any consenting expert


def test_a_volunteer_who_is_no_consenting_expert_is_not_shown() -> None:
    world = volunteering()
    world.forum.plugin_offers = {NEED: [offer(HASSAN)]}
    read(world)
    with world.uow() as uow:
        forget_person(uow, HASSAN, USERNAMES[HASSAN], T0, gone=False)
        uow.commit()

    world.refresh()
    world.send()

    assert "proposé" not in world.review_topic().first.raw
    assert world.uow().offers.of_need(NEED) == []  # forgetting a person forgets their offers


# --- the state pushed to the plugin ----------------------------------------------------------------

SCHEMA = json.loads((paths.ROOT / "discourse_plugin/contract/codev.schema.json").read_text())
NEED_STATE = jsonschema.Draft202012Validator({**SCHEMA, "$ref": "#/$defs/need_state"},
                                             format_checker=jsonschema.FormatChecker())


def pushed(world: World) -> list[str]:
    return world.keys("put_topic_state")


def test_with_the_plugin_the_needs_state_is_pushed_as_the_contract_says_once_per_version() -> None:
    world = volunteering().with_rules(plugin=True)
    world.forum.plugin_states = {}
    world.forum.plugin_offers = {NEED: [offer(FATIMA), offer(HASSAN)]}
    read(world)

    world.refresh()
    world.send()
    world.refresh()  # the review topic is on the forum now: its id is part of the state
    world.send()
    sent = pushed(world)
    world.refresh()  # nothing changed: the same version is not sent again
    world.send()

    assert pushed(world) == sent and len(sent) == 2
    state = world.forum.plugin_states[NEED]
    NEED_STATE.validate(state)
    assert sent[-1] == f"state:{NEED}:{state['version']}"
    assert state["status"] == "open" and state["review_topic_id"] == world.review_topic().topic_id
    assert [(c["rank"], c["username"], c["volunteered"], c["state"]) for c in state["candidates"]] == [
        (1, USERNAMES[LAHCEN], False, "proposed"), (2, USERNAMES[FATIMA], True, "proposed")]
    assert [(v["username"], v["candidate_rank"]) for v in state["volunteers"]] == [
        (USERNAMES[FATIMA], 2), (USERNAMES[HASSAN], None)]


def test_an_approval_changes_the_pushed_state() -> None:
    world = volunteering().with_rules(plugin=True)
    world.forum.plugin_states = {}
    world.refresh()
    world.send()
    world.forum.post(world.review_topic().topic_id, "nadia.animatrice", "approuver lahcen.oubaha, merci")
    assert world.read(world.review_topic().topic_id) == "approved"
    world.refresh(at=day(1))
    world.send(day(1))  # the PM goes, then the state says she was asked
    world.refresh(at=day(1))
    world.send(day(1))

    state = world.forum.plugin_states[NEED]
    NEED_STATE.validate(state)
    assert state["status"] == "matched"
    assert {c["username"]: c["state"] for c in state["candidates"]}[USERNAMES[LAHCEN]] == "asked"


def test_without_the_plugin_no_state_is_pushed() -> None:
    world = volunteering()
    world.refresh()
    world.send()

    assert pushed(world) == []
