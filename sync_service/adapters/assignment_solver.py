"""OR-Tools min-cost flow for the assignment network (millions of arcs in seconds)."""

from __future__ import annotations

import numpy as np

from sync_service.domain.matching.assignment import SINK, SOURCE, FlowNetwork, IntArray


class OrToolsFlowSolver:
    """Solves FlowNetwork with ortools' SimpleMinCostFlow; a free source -> sink arc absorbs unused supply."""

    def solve(self, network: FlowNetwork) -> IntArray:
        """Flow per arc of the network (the bypass arc is dropped)."""
        from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

        smcf = min_cost_flow.SimpleMinCostFlow()
        tails = np.append(network.tail, SOURCE)
        heads = np.append(network.head, SINK)
        caps = np.append(network.capacity, network.supply)
        costs = np.append(network.cost, 0)
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supplies = np.zeros(network.nodes, dtype=np.int64)
        supplies[SOURCE], supplies[SINK] = network.supply, -network.supply
        smcf.set_nodes_supplies(np.arange(network.nodes), supplies)
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise RuntimeError(f"min-cost flow ended with status {status}")
        return np.asarray(smcf.flows(arcs[:-1]), dtype=np.int64)
