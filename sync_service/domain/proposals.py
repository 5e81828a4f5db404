"""Who is proposed first for which need: the assignment across open needs, in the brokerage's words.

Each need that looks for an expert has slots (how many introductions it should have awaiting an answer,
less those it has). The plan fills them so that an expert is proposed first for no more needs than their
free capacity (`max_open_introductions` less the introductions they have open, pending or accepted), no
commune is left without a first proposal while one of its needs has a candidate who fits, and then the
total score is the highest (domain.matching.assignment: an exact min-cost flow; the solver comes from
the caller). Among plans whose totals differ by less than STEADY per need, the one that keeps what
the review topics show first wins: a change elsewhere (or a tie the solver breaks another way) does
not reshuffle every topic. The review topic lists the plan's choice first, then the other candidates
in ranking order, each marked when the plan proposes them first elsewhere or when their limit is
reached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from sync_service.domain.matching.assignment import FlowSolver, assign

T = TypeVar("T")
STEADY = 0.02  # added to the score of the candidate a review topic shows first now, for the plan only


@dataclass(frozen=True)
class Opening:
    """A need that looks for an expert, as the plan sees it."""

    need_topic_id: int
    commune: str                # the unit of equity: no commune left without a proposal
    slots: int                  # first proposals it should get now
    candidates: tuple[tuple[int, float], ...]  # (expert, score) best first; only those who break no rule
    current: tuple[int, ...] = ()  # the experts its review topic shows first now (kept at equal merit)


@dataclass(frozen=True)
class Proposals:
    """The plan of one pass: need -> the experts proposed first there, and what it was made from."""

    first: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    limit: int = 1                                              # max_open_introductions
    loads: Mapping[int, int] = field(default_factory=dict)      # open introductions per expert
    uncovered_communes: tuple[str, ...] = ()                    # had a candidate, got no proposal

    def chosen(self, need_topic_id: int) -> tuple[int, ...]:
        """The experts proposed first for this need, best score first."""
        return self.first.get(need_topic_id, ())

    @cached_property
    def _firsts(self) -> Counter[int]:
        """expert -> how many needs the plan proposes them first for (counted once per plan)."""
        return Counter(e for experts in self.first.values() for e in experts)

    def elsewhere(self, expert_user_id: int, need_topic_id: int) -> int:
        """How many other needs the plan proposes this expert first for."""
        return self._firsts[expert_user_id] - (expert_user_id in self.chosen(need_topic_id))

    def at_limit(self, expert_user_id: int, need_topic_id: int) -> bool:
        """Not proposed first here because open introductions and first proposals elsewhere fill the
        expert's limit."""
        if expert_user_id in self.chosen(need_topic_id):
            return False
        taken = self.loads.get(expert_user_id, 0) + self.elsewhere(expert_user_id, need_topic_id)
        return taken >= self.limit


def plan(openings: Iterable[Opening], loads: Mapping[int, int], limit: int,
         solver: FlowSolver | None = None) -> Proposals:
    """The first proposals of every opening (see the module's docstring); deterministic for one input."""
    wanted = sorted((o for o in openings if o.slots > 0 and o.candidates), key=lambda o: o.need_topic_id)
    if not wanted:
        return Proposals({}, limit, dict(loads))
    experts = {e for o in wanted for e, _ in o.candidates}
    result = assign({o.need_topic_id: tuple((e, s + STEADY if e in o.current else s) for e, s in o.candidates)
                     for o in wanted},
                    {o.need_topic_id: o.commune for o in wanted},
                    {e: limit - loads.get(e, 0) for e in experts},
                    {o.need_topic_id: o.slots for o in wanted}, solver)
    first = {int(need): tuple(int(e) for e, _ in got) for need, got in result.proposals.items() if got}
    return Proposals(first, limit, dict(loads), result.uncovered_communes)


def arrange(ranked: Sequence[T], chosen: Sequence[int], size: int, user_id: Callable[[T], int]) -> list[T]:
    """The list a review topic shows: the plan's choice first, then the others in ranking order, `size`
    in all. Without a choice (no plan, or nobody free), the ranking as it is."""
    first = [c for c in ranked if user_id(c) in chosen][:size]
    rest = [c for c in ranked if user_id(c) not in chosen]
    return [*first, *rest][:size]
