"""A brokerage pass whose cost follows the changes.

The first pass of a worker (and the first after it got the deployment's lease back) is the full pass
of services.brokerage; it leaves behind what the plan was made from (`Kept`: each looking need, its
introductions, its shortlist, what its review topic shows first, the experts' loads and the plan).
Then each pass reads the change feed (ports.changes) since the last row it saw: nothing there, and
the pass is one query. Otherwise it re-indexes the changed experts and needs, re-ranks only the needs
whose ranking may have moved (Ranker.update), re-solves the plan from the kept shortlists, and refreshes
those needs and every need whose decision changed (its first proposal, or a mark on a candidate it
shows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync_service.domain import brokerage as rules_
from sync_service.domain import proposals as proposals_
from sync_service.domain.brokerage import Introduction
from sync_service.domain.needs import NeedDetails
from sync_service.domain.proposals import Proposals
from sync_service.services.brokerage import BrokerageRules, refresh_need
from sync_service.services.ports.changes import Change
from sync_service.services.ports.matching import FlowSolver, Ranker, Scored
from sync_service.services.ports.storage import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LOOKING = ("open", "matched")
GAP_PATIENCE = timedelta(minutes=10)  # a feed id skipped this long ago was a rollback, not a slow commit


@dataclass
class Kept:
    """What the last pass planned from, kept in the worker between passes."""

    mark: int = 0                                   # the last feed id read
    gaps: dict[int, datetime] = field(default_factory=dict)  # ids below the mark not seen (yet)
    needs: dict[int, NeedDetails] = field(default_factory=dict)  # needs that look for an expert
    intros: dict[int, list[Introduction]] = field(default_factory=dict)
    shown: dict[int, tuple[int, ...]] = field(default_factory=dict)  # what each review topic lists
    shortlists: dict[int, list[Scored]] = field(default_factory=dict)
    loads: dict[int, int] = field(default_factory=dict)
    proposals: Proposals = field(default_factory=Proposals)


def read_feed(uow: UnitOfWork, kept: Kept, now: datetime) -> list[Change]:
    """The feed's rows since the mark (and the gaps' rows that landed); moves the mark and the gaps."""
    rows = uow.changes.since(kept.mark, tuple(kept.gaps))
    fresh = [c.id for c in rows if c.id > kept.mark]
    for row in rows:
        kept.gaps.pop(row.id, None)
    expected = kept.mark + 1
    for row_id in fresh:  # ids are given in order but may commit out of it: come back for the skipped
        for missing in range(expected, row_id):
            kept.gaps[missing] = now
        expected = row_id + 1
    kept.mark = max([kept.mark, *fresh])
    kept.gaps = {i: at for i, at in kept.gaps.items() if now - at < GAP_PATIENCE}
    return rows


def full(uow_factory: UowFactory, ranker: Ranker, rules: BrokerageRules, now: datetime,
         closed_since: datetime | None, solver: FlowSolver | None) -> tuple[dict[str, int], Kept]:
    """The full pass (every open need re-ranked and refreshed), keeping what the next passes need."""
    with uow_factory() as uow:
        kept = Kept(mark=uow.changes.last_id())
        experts = uow.experts.matchable()
        needs = uow.needs.open_needs()
        closed = uow.needs.closed_since(closed_since)
        kept.loads = uow.introductions.loads()
        looking = [n for n in needs if n.status in LOOKING]
        kept.needs = {n.topic_id: n for n in looking}
        kept.intros = {n.topic_id: uow.introductions.of_need(n.topic_id) for n in looking}
        kept.shown = _shown(uow, rules, kept.needs)
    ranker.refresh(experts, looking, kept.loads)
    _plan(ranker, rules, kept, kept.needs, solver)
    return _refresh(uow_factory, ranker, rules, now, [*needs, *closed], kept), kept


def rematch(uow_factory: UowFactory, ranker: Ranker, rules: BrokerageRules, now: datetime,
            closed_since: datetime | None = None, solver: FlowSolver | None = None) -> dict[str, int]:
    """The full pass alone, nothing kept: every open need (and the review topic of every need closed
    since `closed_since`) refreshed, each in a transaction of its own."""
    counts, _kept = full(uow_factory, ranker, rules, now, closed_since, solver)
    return counts


def index(uow_factory: UowFactory, ranker: Ranker) -> Kept:
    """Index every expert and looking need without ranking (a worker that does not hold the lease keeps
    its index for the reasons it writes), keeping the feed's mark."""
    with uow_factory() as uow:
        kept = Kept(mark=uow.changes.last_id())
        experts = uow.experts.matchable()
        kept.loads = uow.introductions.loads()
        kept.needs = {n.topic_id: n for n in uow.needs.open_needs() if n.status in LOOKING}
    ranker.refresh(experts, list(kept.needs.values()), kept.loads)
    return kept


def changed(uow_factory: UowFactory, ranker: Ranker, rules: BrokerageRules, now: datetime, kept: Kept,
            solver: FlowSolver | None, rank: bool = True) -> dict[str, int]:
    """Bring the index and (when `rank`) the review topics in line with the feed since the last pass."""
    with uow_factory() as uow:
        rows = read_feed(uow, kept, now)
        if not rows:
            return {}
        need_ids = {c.need_topic_id for c in rows if c.need_topic_id is not None}
        stored = {i: uow.needs.get(i) for i in sorted(need_ids)}
        loads = uow.introductions.loads()
        expert_ids = {c.expert_user_id for c in rows if c.expert_user_id is not None}
        expert_ids |= {e for e in set(loads) | set(kept.loads) if loads.get(e, 0) != kept.loads.get(e, 0)}
        people = {e: uow.experts.get(e) for e in sorted(expert_ids)}
        looking = {i: s.details for i, s in stored.items() if s is not None and s.details.status in LOOKING}
        intros = {i: uow.introductions.of_need(i) for i in looking}
        shown = _shown(uow, rules, looking)
    kept.loads = loads
    moved = ranker.update([p.profile for p in people.values() if p is not None], list(looking.values()),
                          [e for e, p in people.items() if p is None], set(need_ids) - set(looking), loads)
    for topic_id in need_ids - set(looking):
        for table in (kept.needs, kept.intros, kept.shown, kept.shortlists):
            table.pop(topic_id, None)
    kept.needs.update(looking)
    kept.intros.update(intros)
    kept.shown.update(shown)
    if not rank:
        return {}
    before = kept.proposals
    touched = (moved & set(kept.needs)) | set(looking)
    _plan(ranker, rules, kept, {i: kept.needs[i] for i in touched}, solver)
    decided = {i for i in kept.needs if _decision(before, i, kept) != _decision(kept.proposals, i, kept)}
    again = [n for i in sorted(need_ids | touched | decided)
             if (n := kept.needs.get(i) or (s.details if (s := stored.get(i)) is not None else None))]
    counts = _refresh(uow_factory, ranker, rules, now, again, kept)
    return {**counts, "reranked": len(touched)}


def _shown(uow: UnitOfWork, rules: BrokerageRules, needs: Iterable[int]) -> dict[int, tuple[int, ...]]:
    if rules.direct:
        return {}
    return {i: tuple(c.user_id for c in thread.shown) for i in needs
            if (thread := uow.reviews.get(i)) is not None}


def _plan(ranker: Ranker, rules: BrokerageRules, kept: Kept, touched: Mapping[int, NeedDetails],
          solver: FlowSolver | None) -> None:
    """Re-rank the touched needs' shortlists, then plan across every looking need from the kept ones."""
    slots = {i: _slots(rules, n, kept.intros.get(i, ())) for i, n in kept.needs.items()}
    for i in touched:
        kept.shortlists.pop(i, None)
    # the touched needs, and any that had no slot last time, ranked in one go
    wanted = {i: rules_.already_asked(kept.intros.get(i, ())) for i, n in slots.items()
              if n > 0 and i not in kept.shortlists}
    kept.shortlists.update(ranker.shortlists(wanted, rules.shortlist) if wanted else {})
    openings = [proposals_.Opening(i, n.commune or n.commune_group or f"?{i}", slots[i],
                                   tuple((c.user_id, c.score) for c in kept.shortlists.get(i, [])),
                                   kept.shown.get(i, ())[:slots[i]])
                for i, n in sorted(kept.needs.items()) if slots[i] > 0]
    kept.proposals = proposals_.plan(openings, kept.loads, rules.max_open, solver)


def _slots(rules: BrokerageRules, need: NeedDetails, held: Sequence[Introduction]) -> int:
    return rules_.direct_openings(rules_.need_status(need.status, held), held, rules.per_need)


def _decision(proposals: Proposals, topic_id: int, kept: Kept) -> tuple[object, ...]:
    """What the plan decides that a need's review topic (or direct introduction) shows."""
    marks = tuple((e, proposals.elsewhere(e, topic_id), proposals.at_limit(e, topic_id))
                  for e in kept.shown.get(topic_id, ()))
    return proposals.chosen(topic_id), marks


def _refresh(uow_factory: UowFactory, ranker: Ranker, rules: BrokerageRules, now: datetime,
             needs: Sequence[NeedDetails], kept: Kept) -> dict[str, int]:
    """Refresh each need in a transaction of its own; note what its review topic shows now."""
    counts: Counter[str] = Counter()
    for need in needs:
        with uow_factory() as uow:
            outcome = refresh_need(uow, ranker, rules, need.topic_id, now, kept.loads, kept.proposals)
            uow.commit()
            if not rules.direct and need.topic_id in kept.needs:
                kept.shown.update(_shown(uow, rules, [need.topic_id]))
        counts[outcome] += 1
    return dict(counts)
