"""A fake of ports.matching.FlowSolver: the domain's exact pure-Python solver, counting its solves."""

from __future__ import annotations

from sync_service.domain.matching.assignment import FlowNetwork, IntArray, solve_exact


class ExactFlowSolver:
    """Solves with domain.matching.assignment.solve_exact (what OR-Tools must agree with) and keeps
    the networks it was given."""

    def __init__(self) -> None:
        self.networks: list[FlowNetwork] = []

    def solve(self, network: FlowNetwork) -> IntArray:
        self.networks.append(network)
        return solve_exact(network)
