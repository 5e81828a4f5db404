import numpy as np

from sync_service.adapters.assignment_solver import OrToolsFlowSolver
from sync_service.domain.matching.assignment import assign, build_network, solve_exact


def test_an_expert_is_not_proposed_beyond_their_free_capacity():
    cands = {f"n{i}": [("star", 0.9), (f"e{i}", 0.3)] for i in range(4)}
    plan = assign(
        cands, {f"n{i}": f"c{i}" for i in range(4)}, {"star": 2, **{f"e{i}": 2 for i in range(4)}}, 1
    )
    assert sum(1 for got in plan.proposals.values() for e, _ in got if e == "star") == 2


def test_no_commune_is_left_without_a_proposal_when_a_candidate_exists():
    # Greedy by score would give the one expert to the richer commune's two needs.
    cands = {"a1": [("x", 0.9)], "a2": [("x", 0.8)], "b1": [("x", 0.2)]}
    plan = assign(cands, {"a1": "A", "a2": "A", "b1": "B"}, {"x": 2}, 1)
    assert plan.proposals["b1"] == (("x", 0.2),)
    assert plan.uncovered_communes == ()


def test_total_score_is_maximal_once_communes_are_covered():
    cands = {"n1": [("x", 0.9), ("y", 0.8)], "n2": [("x", 0.85), ("y", 0.1)]}
    plan = assign(cands, {"n1": "A", "n2": "A"}, {"x": 1, "y": 1}, 1)
    assert plan.total_score == 0.8 + 0.85


def test_each_need_gets_up_to_k_proposals():
    cands = {"n": [("a", 0.5), ("b", 0.4), ("c", 0.3), ("d", 0.2)]}
    plan = assign(cands, {"n": "A"}, {"a": 2, "b": 2, "c": 2, "d": 2}, 3)
    assert [e for e, _ in plan.proposals["n"]] == ["a", "b", "c"]


def test_each_need_may_have_its_own_number_of_proposals():
    cands = {"n": [("a", 0.5), ("b", 0.4)], "m": [("a", 0.9), ("b", 0.8)], "o": [("a", 0.7)]}
    plan = assign(cands, {"n": "A", "m": "A", "o": "B"}, {"a": 3, "b": 3}, {"n": 2, "m": 0, "o": 1})
    assert plan.proposals == {"n": (("a", 0.5), ("b", 0.4)), "m": (), "o": (("a", 0.7),)}
    # a need given no proposal is not a commune left out
    assert assign({"m": [("a", 0.9)]}, {"m": "A"}, {"a": 1}, {"m": 0}).uncovered_communes == ()


def test_pure_solver_and_ortools_reach_the_same_optimum():
    rng = np.random.default_rng(7)
    for round_ in range(20):
        nn, ne = int(rng.integers(2, 12)), int(rng.integers(2, 8))
        pn, pe, ps = [], [], []
        for i in range(nn):
            for j in rng.choice(ne, int(rng.integers(0, ne + 1)), replace=False):
                pn.append(i)
                pe.append(int(j))
                ps.append(float(rng.random()))
        net = build_network(
            rng.integers(0, max(1, nn // 2), nn),
            rng.integers(0, 3, ne),
            np.array(pn, dtype=np.int64),
            np.array(pe, dtype=np.int64),
            np.array(ps),
            2 if round_ % 2 else rng.integers(0, 3, nn),  # every need two, or each its own number
        )
        assert int((solve_exact(net) * net.cost).sum()) == int(
            (OrToolsFlowSolver().solve(net) * net.cost).sum()
        )


def test_the_quick_solve_falls_back_to_the_exact_bonus_when_a_commune_is_left_out(monkeypatch):
    from sync_service.domain.matching import assignment

    # With no quick bonus the first solve prefers A's two strong pairs and leaves B out; the fallback
    # covers B.
    monkeypatch.setattr(assignment, "QUICK_BONUS", 0)
    flow = assignment.solve_plan(
        np.array([0, 0, 1]),
        np.array([1, 1]),
        np.array([0, 1, 2, 2]),
        np.array([0, 1, 0, 1]),
        np.array([1.0, 1.0, 0.0001, 0.0001]),
        1,
    )
    assert flow[2:].sum() == 1
    assert flow.sum() == 2
