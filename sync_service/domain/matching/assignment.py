"""Global plan: each expert in at most `capacity` proposals, each need up to k, the total score maximal,
and no commune left without a proposal when one of its needs has a candidate.

The plan is an exact min-cost flow on
    source -> commune (one unit with a large bonus, the rest free) -> need (cap k)
           -> expert (cap 1, cost -score) -> sink (cap = expert's free capacity),
so that covering communes comes first and total score second. `solve_exact` is a pure-Python successive
shortest path solver for command-line sizes; the OR-Tools adapter solves the same network at scale.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sync_service.domain.matching.records import RecordId

IntArray = npt.NDArray[np.int64]
SCALE = 10_000  # scores become integer costs with four decimals
SOURCE, SINK = 0, 1


@dataclass(frozen=True)
class FlowNetwork:
    """Arcs as parallel arrays; `pair_arcs` index the need -> expert arcs, in input order."""

    nodes: int
    tail: IntArray
    head: IntArray
    capacity: IntArray
    cost: IntArray
    pair_arcs: IntArray
    supply: int


class FlowSolver(Protocol):
    """Returns the flow on each arc of a min-cost flow where the source may send any amount up to supply."""

    def solve(self, network: FlowNetwork) -> IntArray: ...


def build_network(
    need_commune: IntArray,
    expert_capacity: IntArray,
    pair_need: IntArray,
    pair_expert: IntArray,
    pair_score: npt.NDArray[np.floating],
    per_need: int | IntArray,
    bonus: int | None = None,
) -> FlowNetwork:
    """The flow network of an assignment problem given as index arrays (vectorised: millions of pairs).
    `per_need`: proposals for every need, or for each need.

    Without `bonus`, covering a commune is worth more than any total score (exact lexicographic order).
    """
    n_communes = int(need_commune.max()) + 1 if len(need_commune) else 0
    n_needs, n_experts = len(need_commune), len(expert_capacity)
    need_capacity = _per_need(per_need, n_needs)
    slots = int(need_capacity.sum())
    commune0, need0 = 2, 2 + n_communes
    expert0 = need0 + n_needs
    if bonus is None:
        bonus = SCALE * (min(len(pair_need), slots) + 1)
    communes = np.arange(n_communes, dtype=np.int64)
    needs = np.arange(n_needs, dtype=np.int64)
    experts = np.arange(n_experts, dtype=np.int64)
    costs = -np.rint(np.asarray(pair_score, dtype=np.float64) * SCALE).astype(np.int64)
    parts = [
        (np.full(n_communes, SOURCE), commune0 + communes, np.ones(n_communes), np.full(n_communes, -bonus)),
        (
            np.full(n_communes, SOURCE),
            commune0 + communes,
            np.full(n_communes, slots),
            np.zeros(n_communes),
        ),
        (commune0 + need_commune, need0 + needs, need_capacity, np.zeros(n_needs)),
        (need0 + pair_need, expert0 + pair_expert, np.ones(len(pair_need)), costs),
        (expert0 + experts, np.full(n_experts, SINK), expert_capacity, np.zeros(n_experts)),
    ]
    tail, head, cap, cost = (
        np.concatenate([np.asarray(p[i], dtype=np.int64) for p in parts]) for i in range(4)
    )
    first_pair = 2 * n_communes + n_needs
    return FlowNetwork(
        expert0 + n_experts,
        tail,
        head,
        cap,
        cost,
        np.arange(first_pair, first_pair + len(pair_need), dtype=np.int64),
        int(min(slots, int(expert_capacity.sum()))),
    )


def _per_need(per_need: int | IntArray, n_needs: int) -> IntArray:
    """Proposals per need as an array (a whole number stands for every need)."""
    return np.broadcast_to(np.asarray(per_need, dtype=np.int64), (n_needs,)).astype(np.int64)


QUICK_BONUS = 10 * SCALE  # small costs let cost-scaling solvers finish about twice as fast


def solve_plan(
    need_commune: IntArray,
    expert_capacity: IntArray,
    pair_need: IntArray,
    pair_expert: IntArray,
    pair_score: npt.NDArray[np.floating],
    per_need: int | IntArray,
    solver: FlowSolver | None = None,
) -> IntArray:
    """Flow (0 or 1) on each pair of the lexicographically best plan: communes covered, then total score.

    A first solve uses a small commune bonus. If every commune that has a usable candidate is covered, no
    plan covers more, and among plans covering them all this one has the best score: it is exact. Else the
    plan is solved again with a bonus larger than any total score.
    """
    solve = solver.solve if solver is not None else solve_exact
    args = (need_commune, expert_capacity, pair_need, pair_expert, pair_score, per_need)
    network = build_network(*args, bonus=QUICK_BONUS)
    flow = solve(network)[network.pair_arcs]
    usable = (expert_capacity[pair_expert] > 0) & (_per_need(per_need, len(need_commune))[pair_need] > 0)
    hopeful = np.unique(need_commune[pair_need[usable]])
    covered = np.unique(need_commune[pair_need[flow > 0]])
    if len(covered) == len(hopeful):
        return flow
    network = build_network(*args)
    return solve(network)[network.pair_arcs]


def solve_exact(network: FlowNetwork) -> IntArray:
    """Successive shortest paths (Bellman-Ford queue) until no path of negative cost is left."""
    m = len(network.tail)
    # residual arcs: 2i forward, 2i+1 backward
    to = np.empty(2 * m, np.int64)
    to[0::2], to[1::2] = network.head, network.tail
    residual = np.zeros(2 * m, np.int64)
    residual[0::2] = network.capacity
    cost = np.empty(2 * m, np.int64)
    cost[0::2], cost[1::2] = network.cost, -network.cost
    adjacency: list[list[int]] = [[] for _ in range(network.nodes)]
    for i in range(m):
        adjacency[int(network.tail[i])].append(2 * i)
        adjacency[int(network.head[i])].append(2 * i + 1)
    to_l, cost_l, res_l = to.tolist(), cost.tolist(), residual.tolist()
    sent = 0
    while sent < network.supply:
        dist: list[int | None] = [None] * network.nodes
        via = [-1] * network.nodes
        dist[SOURCE] = 0
        queue, queued = deque([SOURCE]), [False] * network.nodes
        queued[SOURCE] = True
        while queue:
            u = queue.popleft()
            queued[u] = False
            du = dist[u]
            assert du is not None
            for a in adjacency[u]:
                if res_l[a] > 0:
                    v, nd = to_l[a], du + cost_l[a]
                    dv = dist[v]
                    if dv is None or nd < dv:
                        dist[v], via[v] = nd, a
                        if not queued[v]:
                            queue.append(v)
                            queued[v] = True
        best = dist[SINK]
        if best is None or best >= 0:
            break
        push, node = network.supply - sent, SINK
        while node != SOURCE:
            push = min(push, res_l[via[node]])
            node = to_l[via[node] ^ 1]
        node = SINK
        while node != SOURCE:
            a = via[node]
            res_l[a] -= push
            res_l[a ^ 1] += push
            node = to_l[a ^ 1]
        sent += push
    return network.capacity - np.asarray(res_l[0::2], dtype=np.int64)


@dataclass(frozen=True)
class Plan:
    """Proposals per need, and the communes that have candidates but got no proposal (empty when optimal)."""

    proposals: Mapping[RecordId, tuple[tuple[RecordId, float], ...]]
    uncovered_communes: tuple[str, ...]
    total_score: float


def assign(
    candidates: Mapping[RecordId, Sequence[tuple[RecordId, float]]],
    commune_of: Mapping[RecordId, str],
    free_capacity: Mapping[RecordId, int],
    per_need: int | Mapping[RecordId, int],
    solver: FlowSolver | None = None,
) -> Plan:
    """The global plan from ranked candidates: need -> [(expert, score)]; unknown capacity counts as 0.
    `per_need`: proposals for every need, or need -> its own number (a need left out gets none)."""
    need_ids = list(candidates)
    communes = sorted({commune_of.get(n) or f"?{n}" for n in need_ids})
    commune_index = {c: i for i, c in enumerate(communes)}
    expert_ids = sorted({e for cands in candidates.values() for e, _ in cands}, key=str)
    expert_index = {e: i for i, e in enumerate(expert_ids)}
    pairs = [(i, expert_index[e], s) for i, n in enumerate(need_ids) for e, s in candidates[n]]
    slots = per_need if isinstance(per_need, int) else np.array(
        [max(per_need.get(n, 0), 0) for n in need_ids], dtype=np.int64)
    flow = solve_plan(
        np.array([commune_index[commune_of.get(n) or f"?{n}"] for n in need_ids], dtype=np.int64),
        np.array([max(free_capacity.get(e, 0), 0) for e in expert_ids], dtype=np.int64),
        np.array([p[0] for p in pairs], dtype=np.int64),
        np.array([p[1] for p in pairs], dtype=np.int64),
        np.array([p[2] for p in pairs], dtype=np.float64),
        slots,
        solver,
    )
    chosen: dict[RecordId, list[tuple[RecordId, float]]] = {n: [] for n in need_ids}
    for (i, j, score), f in zip(pairs, flow.tolist(), strict=True):
        if f > 0:
            chosen[need_ids[i]].append((expert_ids[j], score))
    served = {commune_of.get(n) or f"?{n}" for n, got in chosen.items() if got}
    hopeful = {
        commune_of.get(n) or f"?{n}"
        for n in need_ids
        if (per_need if isinstance(per_need, int) else per_need.get(n, 0)) > 0
        and any(free_capacity.get(e, 0) > 0 for e, _ in candidates[n])
    }
    return Plan(
        {n: tuple(sorted(v, key=lambda p: -p[1])) for n, v in chosen.items()},
        tuple(sorted(hopeful - served)),
        round(sum(s for v in chosen.values() for _, s in v), 4),
    )
