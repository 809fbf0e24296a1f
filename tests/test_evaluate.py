"""Scoring exactly as the extraction spec says: aliases both ways, regions, optional items, one-to-one matching."""

from __future__ import annotations

from hfkg.extract.evaluate import evaluate_records, format_report
from hfkg.extract.records import Benefit, Entity, Record, Relation, Source


def _rec(entities=(), benefits=(), relations=()) -> Record:
    return Record(Source("t.txt", "", 0), [], list(entities), list(benefits), list(relations))


def _cash(amount, ft, required=None, period="month", basis="person") -> Benefit:
    return Benefit("cash", None, None, ft, amount, None, period, basis, "", 0, 1, required=required)


def test_identical_records_score_one() -> None:
    gold = _rec([Entity("Agency", "北京市计划生育协会", "北京市", ["市计生协"], required=True)],
                [_cash(200, "失独家庭", True)], [Relation("leads", "北京市计划生育协会", "暖心计划", required=True)])
    s = evaluate_records(gold, gold).scores
    assert s["micro"]["f1"] == 1.0 and s["benefits"]["f1"] == 1.0 and s["relations"]["f1"] == 1.0


def test_alias_matches_both_ways_and_traditional_names_fold() -> None:
    gold = _rec([Entity("Agency", "北京市人口和计划生育委员会", "北京市", ["市人口计生委"], required=True),
                 Entity("Agency", "市教委", "天津市", required=True)])
    pred = _rec([Entity("Agency", "市人口計生委", "北京市"),  # traditional surface of a gold alias
                 Entity("Agency", "天津市教育委员会", "天津市", ["市教委"])])  # own alias equals the gold name
    s = evaluate_records(pred, gold).scores["entities"]["Agency"]
    assert (s["tp"], s["fp"], s["fn"]) == (2, 0, 0)


def test_regions_must_agree_when_both_are_given() -> None:
    gold = _rec([Entity("Agency", "民政局", "北京市", required=True)])
    assert evaluate_records(_rec([Entity("Agency", "民政局", "天津市")]), gold).scores["entities"]["Agency"]["tp"] == 0
    assert evaluate_records(_rec([Entity("Agency", "民政局", None)]), gold).scores["entities"]["Agency"]["tp"] == 1


def test_optional_gold_forgives_both_ways() -> None:
    gold = _rec([Entity("Program", "一刻钟服务圈", "北京市", required=False),
                 Entity("Program", "暖心计划", "北京市", required=True)])
    pred = _rec([Entity("Program", "一刻钟服务圈", "北京市"), Entity("Program", "暖心计划", "北京市"),
                 Entity("Program", "不存在计划", "北京市")])
    s = evaluate_records(pred, gold).scores["entities"]["Program"]
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 0)
    assert s["precision"] == 0.5
    only_required = evaluate_records(_rec([Entity("Program", "暖心计划", "北京市")]), gold).scores
    assert only_required["entities"]["Program"]["recall"] == 1.0


def test_each_gold_item_matches_at_most_once() -> None:
    gold = _rec([Entity("FamilyType", "失独家庭", None, required=True)])
    pred = _rec([Entity("FamilyType", "失独家庭"), Entity("FamilyType", "失独家庭")])
    s = evaluate_records(pred, gold).scores["entities"]["FamilyType"]
    assert (s["tp"], s["fp"]) == (1, 1)


def test_benefits_match_on_kind_amount_period_basis_and_family_type_alias() -> None:
    gold = _rec([Entity("FamilyType", "计划生育特殊家庭", None, ["计生特殊家庭"], required=True)],
                [_cash(200, "计划生育特殊家庭", True), _cash(960, "半边户", False, "year")])
    pred = _rec([], [_cash(200, "计生特殊家庭"), _cash(200, "计生特殊家庭", period="year")])
    s = evaluate_records(pred, gold).scores["benefits"]
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 0)


def test_relations_resolve_names_through_aliases() -> None:
    gold = _rec([Entity("Agency", "天津市人口和计划生育委员会", "天津市", ["市人口计生委"], required=True)],
                relations=[Relation("leads", "天津市人口和计划生育委员会", "家佳推进计划", required=True),
                           Relation("partOf", "平谷区", "北京市", required=False)])
    pred = _rec([Entity("Agency", "市人口计生委", "天津市")],
                relations=[Relation("leads", "市人口计生委", "家佳推进计划"), Relation("partOf", "平谷区", "北京市")])
    s = evaluate_records(pred, gold).scores["relations"]
    assert (s["tp"], s["fp"], s["fn"]) == (1, 0, 0)
    assert s["by_type"]["leads"]["f1"] == 1.0


def test_empty_types_score_one_and_report_lists_errors() -> None:
    gold = _rec([Entity("Region", "北京市", None, required=True)])
    pred = _rec([Entity("Region", "天津市")])
    result = evaluate_records(pred, gold)
    assert result.scores["entities"]["Person"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 0, "fp": 0, "fn": 0}
    report = format_report(result, show_errors=True)
    assert "false positive  Region     Region 天津市" in report
    assert "false negative  Region     Region 北京市" in report
