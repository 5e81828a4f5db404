import pytest

from sync_service.domain.matching.evaluation import ndcg, precision_at_1, read_grades, recall


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    grades = {"a": 3, "b": 2, "c": 0}
    assert ndcg(["a", "b", "c"], grades, 5) == pytest.approx(1.0)
    assert ndcg(["c", "b", "a"], grades, 5) < 0.8


def test_recall_counts_grade_two_and_above_as_relevant():
    grades = {"a": 3, "b": 2, "c": 1}
    assert recall(["a", "c"], grades, 5) == 0.5


def test_precision_at_1_looks_at_the_first_only():
    assert precision_at_1(["b", "a"], {"a": 3, "b": 1}) == 0.0
    assert precision_at_1([], {"a": 3}) == 0.0


def test_a_grade_outside_0_to_3_is_refused():
    with pytest.raises(ValueError, match="grades\\['n1'\\]\\['e1'\\]"):
        read_grades({"n1": {"e1": 4}})


def test_the_labelled_set_is_large_enough_and_graded_0_to_3():
    import json

    from tests.service.unit.matching.conftest import ROOT

    folder = ROOT / "tests/data/eval"
    grades = read_grades(json.loads((folder / "grades.json").read_text(encoding="utf-8")))
    experts = json.loads((folder / "experts.json").read_text(encoding="utf-8"))
    assert len(grades) >= 25 and len(experts) >= 60
    assert all(len(row) == len(experts) for row in grades.values())


def test_the_held_out_set_is_graded_0_to_3_and_names_only_known_experts():
    import json

    from tests.service.unit.matching.conftest import ROOT

    folder = ROOT / "tests/data/eval_holdout"
    grades = read_grades(json.loads((folder / "grades.json").read_text(encoding="utf-8")))
    experts = {e["id"] for e in json.loads((folder / "experts.json").read_text(encoding="utf-8"))}
    needs = {n["id"] for n in json.loads((folder / "needs.json").read_text(encoding="utf-8"))}
    assert len(needs) >= 15 and len(experts) >= 40
    assert set(grades) == needs
    assert all(set(row) <= experts for row in grades.values())


def test_misses_list_what_came_in_and_the_relevant_experts_left_out():
    from sync_service.domain.matching.evaluation import misses

    grades = {"n1": {"a": 3, "b": 2, "c": 0}, "n2": {"a": 3}}
    lines = misses({"n1": ["c", "a"], "n2": ["a"]}, grades, 5)
    assert lines == ["n1: nDCG 0.50  top c[0] a[3]  left out b[2]"]


def test_metrics_by_slice_count_a_need_in_each_of_its_slices_and_traps_in_the_top_k():
    from sync_service.domain.matching.evaluation import by_slice, read_slices, trap_hits

    grades = {"n1": {"a": 3, "b": 0}, "n2": {"b": 2, "a": 0}}
    slices, traps = read_slices({"n1": ["typos", "arabic"], "n2": ["typos"], "_traps": {"n2": ["a"]}})
    rankings = {"n1": ["a", "b"], "n2": ["a", "b"]}
    result = by_slice(rankings, grades, slices, k=5)
    assert result["arabic"] == (1, {"ndcg": 1.0, "recall": 1.0, "p1": 1.0})
    assert result["typos"][0] == 2 and result["typos"][1]["p1"] == 0.5
    assert trap_hits(rankings, traps, k=5) == 1
    assert trap_hits(rankings, traps, k=0) == 0
