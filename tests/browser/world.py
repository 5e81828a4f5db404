"""A year of forum activity written through codev's repositories (so the status history is what the use
cases write): needs of several communes and an association, introductions proposed, accepted, declined
and expired, needs served and funded. Deterministic; what the browser tests and screenshots read."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.domain.brokerage import Introduction
from sync_service.domain.needs import NeedDetails

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
COMMUNES = ["commune-anzi", "commune-afella-ighir", "commune-zagmouzen", "commune-tanalt",
            "commune-tissint", "commune-skoura", "commune-telouet", "commune-tamegroute"]
SUBJECTS = [
    ("Adduction d'eau potable des douars", "drinking_water", ("rural_water_supply", "hydraulics")),
    ("Piste rurale vers le souk", "roads_structures", ("road_engineering", "civil_engineering")),
    ("Restauration du grenier collectif", "buildings_heritage", ("earth_architecture",)),
    ("Dossier de financement INDH", "finance_procurement", ("fundraising", "public_finance")),
    ("Site web et guichet numérique", "digital", ("software_development", "e_administration")),
    ("Coopérative d'argan : plan d'affaires", "social_economy",
     ("cooperative_support", "marketing_local_products")),
]
EXPERTS = ["lahcen.oubaha", "fatima.zahra", "hassan.ait", "brahim.id", "naima.ouz", "rachid.el",
           "samira.bo", "youssef.ah", "khadija.am", "mustapha.ta"]


@dataclass(frozen=True)
class Need:
    """One posted need of the story (its topic id, commune or association)."""

    topic_id: int
    group: str | None
    organisation: str


def fill(engine: Engine, needs: int = 40, seed: int = 7) -> list[Need]:
    """Write the story; the needs posted."""
    rng = random.Random(seed)
    posted: list[Need] = []
    for i in range(needs):
        topic = 100 + i
        group = COMMUNES[i % len(COMMUNES)] if i % 7 else None
        need = Need(topic, group, group or "associations")
        title, sector, skills = SUBJECTS[i % len(SUBJECTS)]
        at = START + timedelta(days=8 * i, hours=rng.randint(0, 8))
        place = group.removeprefix("commune-").replace("-", " ").title() if group else "association Tiwizi"
        details = NeedDetails(topic, f"{title} ({place}, n° {i + 1})", 900 + i, f"auteur{i}",
                              commune_group=group, organisation=need.organisation, sector=sector,
                              skills=skills)
        _save(engine, details, at)
        posted.append(need)
        fate = rng.random()
        if fate < 0.25:
            continue  # still open: a skill gap
        expert_id = 500 + rng.randrange(len(EXPERTS))
        opened = at + timedelta(days=rng.randint(1, 6))
        intro = _propose(engine, details, expert_id, opened)
        answered = opened + timedelta(days=rng.choice([0.5, 2, 3, 5, 9, 16]))
        if fate < 0.5:
            moment = opened + timedelta(days=14) if fate < 0.35 else answered
            _close(engine, intro, "expired" if fate < 0.35 else "declined", moment)
            _save(engine, details, moment)  # back to open: nobody serves it yet
            continue
        _close(engine, intro, "accepted", answered)
        _save(engine, _with(details, "in_progress"), answered)
        if fate > 0.7:
            done = "served" if fate < 0.88 else "funded"
            _save(engine, _with(details, done), answered + timedelta(days=30))
    return posted


def _with(details: NeedDetails, status: str) -> NeedDetails:
    return NeedDetails(**{**details.__dict__, "status": status})


def _save(engine: Engine, details: NeedDetails, at: datetime) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.needs.save(details, at, at)
        uow.commit()


def _propose(engine: Engine, details: NeedDetails, expert_id: int, at: datetime) -> Introduction:
    intro = Introduction(details.topic_id, expert_id, EXPERTS[expert_id - 500], "pending", True, at,
                         at + timedelta(days=7), at + timedelta(days=14), approved_by="youness.azougagh")
    with SqlUnitOfWork(engine) as uow:
        uow.introductions.add(intro)
        uow.needs.save(_with(details, "matched"), at, at)
        uow.commit()
    return intro


def _close(engine: Engine, intro: Introduction, status: str, at: datetime) -> None:
    answered = at if status in ("accepted", "declined") else None
    closed = Introduction(**{**intro.__dict__, "status": status, "answered_at": answered,
                             "closed_at": None if status == "accepted" else at})
    with SqlUnitOfWork(engine) as uow:
        uow.introductions.save(closed)
        uow.commit()
