"""The real run of `codev import-plan`: the drafts recorded and queued, and what to tell the person."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sync_service.adapters.db.tables import OutboxIntent
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.adapters.plans import read_rows
from sync_service.bootstrap import Codev
from sync_service.domain.matching.taxonomy import Recognizer
from sync_service.domain.plans.drafts import DraftStyle, draft_of
from sync_service.domain.plans.review import PREFIX as REVIEW_PREFIX
from sync_service.domain.plans.review import ReviewStyle, review_locale
from sync_service.domain.plans.rows import PlanReading, read_plan
from sync_service.entrypoints.cli.errors import EXIT_CONFIG, fail
from sync_service.services.plans import draft_key, import_plan, known_fingerprints


def organisation_label(codev: Codev, organisation: str) -> str:
    """The commune's name when config/communes.csv knows its group, else the group's name."""
    prefix = codev.settings.forum.commune_group_prefix
    slug = organisation[len(prefix):] if organisation.startswith(prefix) else None
    commune = codev.config.communes.get(slug) if slug else None
    return commune.name if commune is not None else organisation


def record_import(codev: Codev, reading: PlanReading, organisation: str) -> tuple[str, dict[str, Any]]:
    """Record the rows and queue their drafts in one transaction; the summary for a person and for JSON."""
    config, forum = codev.config, codev.settings.forum
    translator, locale = config.translator, codev.settings.default_locale

    def t(key: str, **values: object) -> str:
        return translator.translate(f"plan_import.real.{key}", locale, **values)

    category_id = codev.gateway.category_id(forum.needs_category)
    if category_id is None:
        raise fail(translator.translate("plan_import.errors.no_category", locale,
                                        category=forum.needs_category), EXIT_CONFIG)
    label = organisation_label(codev, organisation)
    style = DraftStyle({f: labels[0] for f, labels in forum.need_form_fields.items() if labels},
                       config.taxonomy, translator, locale, label)
    recipients = (organisation, forum.community_managers_group)
    review = ReviewStyle(translator, review_locale([p.title for p in reading.proposals], locale), label,
                         recipients)
    with codev.uow() as uow:
        result = import_plan(uow, reading, organisation, category_id, lambda p: draft_of(p, style),
                             codev.clocks.now(), review)
        uow.commit()
    d = result.decisions
    drafts = {"created": [p.row for p in d.create], "edited": [p.row for p, _ in d.edit],
              "kept": [p.row for p in d.kept], "unchanged": [p.row for p in d.unchanged],
              "gone": [{"row": k.row, "title": k.title} for k in d.gone], "queued": result.intents_added,
              "review": result.review_queued}
    lines = [t("counts", created=len(d.create), edited=len(d.edit), unchanged=len(d.unchanged),
               kept=len(d.kept), queued=result.intents_added)]
    lines += [t("kept", row=p.row, title=p.title or "") for p in d.kept]
    lines += [t("gone", row=k.row, title=k.title) for k in d.gone]
    if result.review_queued:
        lines.append(t("review", recipients=translator.join(list(recipients), locale)))
    lines.append(t("next"))
    return "\n".join(lines), drafts


def import_sample(codev: Codev, path: Path, organisation: str, timeout: float) -> tuple[str, list[int]]:
    """The demo's import of a CSV plan: recorded and queued, then the drafts' topics once the running
    worker has sent them (unlisted) and their review message."""
    with codev.uow() as uow:
        previous = known_fingerprints(uow, organisation)
    reading = read_plan(read_rows(path), organisation, Recognizer(codev.config.taxonomy),
                        codev.config.matching.recognition, previous=previous)
    summary, _ = record_import(codev, reading, organisation)
    keys = [draft_key(p.key) for p in reading.proposals if p.key is not None and p.status != "skipped"]
    deadline = time.monotonic() + timeout
    while True:
        with SqlUnitOfWork(codev.engine) as uow:
            found = uow.session.execute(select(OutboxIntent.topic_id).where(
                OutboxIntent.intent_key.in_(keys), OutboxIntent.status == "sent")).all()
            unsent = uow.session.execute(select(OutboxIntent.id).where(
                OutboxIntent.intent_key.startswith(REVIEW_PREFIX), OutboxIntent.status != "sent")).first()
        topics = sorted(int(t) for (t,) in found if t is not None)
        if (len(topics) == len(keys) and unsent is None) or time.monotonic() > deadline:
            return summary, topics
        time.sleep(1.0)
