"""What codev pushes to the codev plugin besides a need's state, on the fakes: the state of each
introduction message (the expert's answer buttons show only while it is awaited) and the expert's
profile on the user card, emptied when the expert is forgotten. Shapes checked against the plugin's
contract (discourse_plugin/contract/codev.schema.json)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema

from sync_service.services import profiles
from sync_service.services.forget import forget_person
from tests import paths
from tests.service.unit.brokerage_world import LAHCEN, MANAGER, NEED, T0, USERNAMES, World, day, introduced

SCHEMA = json.loads((paths.ROOT / "discourse_plugin/contract/codev.schema.json").read_text())


def validate(definition: str, document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{definition}"},
                                    format_checker=jsonschema.FormatChecker()).validate(document)


def with_plugin(world: World) -> World:
    world.with_rules(plugin=True)
    world.forum.plugin_states = {}
    world.forum.plugin_profiles = {}
    return world


def test_the_introduction_message_is_awaiting_then_answered_and_each_state_goes_once() -> None:
    world, pm = introduced()
    with_plugin(world)
    world.refresh(at=day(1))
    world.send(day(1))
    awaiting = world.forum.plugin_states[pm.topic_id]
    validate("introduction", awaiting)
    assert (awaiting["need_topic_id"], awaiting["expert_username"], awaiting["state"]) == (
        NEED, USERNAMES[LAHCEN], "awaiting")

    world.forum.post(pm.topic_id, USERNAMES[LAHCEN], "J'accepte cette mise en relation")
    assert world.read(pm.topic_id, at=day(2)) == "accepted"
    world.refresh(at=day(2))
    world.send(day(2))
    accepted = world.forum.plugin_states[pm.topic_id]
    validate("introduction", accepted)
    assert accepted["state"] == "accepted"

    pushed = world.keys("put_topic_state")
    world.refresh(at=day(3))  # nothing changed: nothing is pushed again
    world.send(day(3))
    assert world.keys("put_topic_state") == pushed
    assert [k for k in pushed if k.startswith(f"state:{pm.topic_id}:")] == [
        f"state:{pm.topic_id}:{awaiting['version']}", f"state:{pm.topic_id}:{accepted['version']}"]


def test_an_introduction_withdrawn_when_the_need_is_served_hides_the_buttons() -> None:
    world, pm = introduced()
    with_plugin(world)
    world.forum.post(world.review_topic().topic_id, MANAGER, "servi, merci à tous")
    assert world.read(world.review_topic().topic_id, day(1)) == "served"
    world.refresh(at=day(1))
    world.send(day(1))

    state = world.forum.plugin_states[pm.topic_id]
    validate("introduction", state)
    assert state["state"] == "withdrawn"


def test_a_profile_goes_to_the_user_card_once_a_version_and_again_when_it_changes() -> None:
    world = with_plugin(World())
    expert = world.add_expert(LAHCEN, languages=("fr", "ber"))
    with world.uow() as uow:
        uow.experts.save(dataclasses.replace(expert, skills=("Hydraulique", "Eau potable"),
                                             availability_hours=10, modes=("remote",)), T0, T0)
        uow.commit()

    assert profiles.push_profiles(world.uow, world.rules, day(1)) == 1
    world.send(day(1))
    card = world.forum.plugin_profiles[USERNAMES[LAHCEN]]
    validate("expert_profile", card)
    assert card["skills"] == ["Hydraulique", "Eau potable"]
    assert [language["fr"] for language in card["languages"]] == ["Français", "Amazighe (tachelhit)"]
    assert card["availability"] == {"fr": "10 h/mois, à distance", "ar": card["availability"]["ar"],
                                    "en": card["availability"]["en"]}
    assert profiles.push_profiles(world.uow, world.rules, day(2)) == 0  # nothing changed

    with world.uow() as uow:
        uow.experts.save(dataclasses.replace(expert, skills=("Irrigation goutte à goutte",)), day(3), day(3))
        uow.commit()
    assert profiles.push_profiles(world.uow, world.rules, day(3)) == 1
    world.send(day(3))
    assert world.forum.plugin_profiles[USERNAMES[LAHCEN]]["skills"] == ["Irrigation goutte à goutte"]
    assert len(world.keys("put_user_profile")) == 2


def test_a_forgotten_expert_leaves_the_user_card_and_the_sent_request_keeps_no_name() -> None:
    world = with_plugin(World())
    world.add_expert(LAHCEN)
    profiles.push_profiles(world.uow, world.rules, day(1))
    world.send(day(1))
    assert USERNAMES[LAHCEN] in world.forum.plugin_profiles

    with world.uow() as uow:
        forget_person(uow, LAHCEN, USERNAMES[LAHCEN], day(2), gone=False)
        uow.commit()
    world.send(day(2))

    assert USERNAMES[LAHCEN] not in world.forum.plugin_profiles
    [request] = world.intents("forget_user_profile")
    assert request.status == "sent" and request.payload == {}


def test_an_expert_never_pushed_is_forgotten_without_asking_the_plugin() -> None:
    world = World()
    world.add_expert(LAHCEN)
    with world.uow() as uow:
        forget_person(uow, LAHCEN, USERNAMES[LAHCEN], day(1), gone=False)
        uow.commit()

    assert world.intents("forget_user_profile") == []
