"""The extractor on the bundled sample and on our own small documents: rules, offsets, determinism, scores."""

from __future__ import annotations

import pytest
from conftest import DOCS, SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hfkg.errors import HfkgError
from hfkg.extract.evaluate import evaluate_records
from hfkg.extract.normalize import canonical_name
from hfkg.extract.pipeline import extract_document, extract_text
from hfkg.extract.reader import read_file
from hfkg.extract.records import Record, dumps_record, load_record, record_from_json

ALL_DOCS = [SAMPLE, *sorted(DOCS.glob("*.txt"))]


def _extract(path) -> tuple[Record, str]:
    src = read_file(path)
    return extract_document(src), src.text


def _entity(rec: Record, etype: str, name: str):
    found = [e for e in rec.entities if e.type == etype and e.name == name]
    assert found, f"no {etype} {name}; have {[e.name for e in rec.entities if e.type == etype]}"
    return found[0]


def _rels(rec: Record, rtype: str) -> set[tuple[str, str]]:
    return {(r.subject, r.object) for r in rec.relations if r.type == rtype}


@pytest.mark.parametrize("path", ALL_DOCS, ids=lambda p: p.name)
def test_every_mention_is_its_surface_form(path) -> None:
    rec, text = _extract(path)
    assert rec.entities
    for e in rec.entities:
        assert e.mentions, e
        for m in e.mentions:
            surface = canonical_name(text[m.start:m.end])
            assert surface in {e.name, *e.aliases}, (e.name, surface)
    for b in rec.benefits:
        assert 0 <= b.start < b.end <= len(text)
    for s in rec.sections:
        assert 0 <= s.start < s.end <= len(text) and not text[s.end - 1].isspace()


@pytest.mark.parametrize("path", ALL_DOCS, ids=lambda p: p.name)
def test_extraction_is_deterministic_and_round_trips(path) -> None:
    a, _ = _extract(path)
    b, _ = _extract(path)
    assert dumps_record(a) == dumps_record(b)
    import json

    again = record_from_json(json.loads(dumps_record(a)))
    assert dumps_record(again) == dumps_record(a)


def test_compilation_sections_regions_and_authors() -> None:
    rec, _ = _extract(DOCS / "compilation.txt")
    assert [(s.title, s.region, s.authors) for s in rec.sections] == [
        ("前言", None, ["中国计划生育协会"]),
        ("关爱特殊家庭共建和谐南京", "南京市", ["南京市人口和计划生育委员会", "南京市计划生育协会"]),
        ("创新服务模式促进家庭发展", "成都市", ["成都市人口和计划生育委员会"]),
    ]


def test_abbreviation_resolves_within_its_section() -> None:
    rec, _ = _extract(DOCS / "compilation.txt")
    nanjing = _entity(rec, "Agency", "南京市人口和计划生育委员会")
    chengdu = _entity(rec, "Agency", "成都市人口和计划生育委员会")
    assert "市人口计生委" in nanjing.aliases and "市人口计生委" in chengdu.aliases
    assert (nanjing.region, chengdu.region) == ("南京市", "成都市")
    assert "市计生协" in _entity(rec, "Agency", "南京市计划生育协会").aliases
    assert _entity(rec, "Agency", "中国计划生育协会").region is None
    assert ("南京市人口和计划生育委员会", "金色晚年计划") in _rels(rec, "leads")
    assert ("市民政局", "暖巢行动") in _rels(rec, "partners")


def test_enumeration_gives_members_and_part_of() -> None:
    rec, _ = _extract(DOCS / "compilation.txt")
    for member in ("亲情陪伴", "健康家庭", "温馨港湾"):
        assert _entity(rec, "Program", member).region == "成都市"
        assert (member, "三大惠民工程") in _rels(rec, "partOf")


def test_amount_cut_by_a_wrap_and_district_program() -> None:
    rec, text = _extract(DOCS / "compilation.txt")
    raised = [b for b in rec.benefits if b.previous_amount is not None]
    assert [(b.amount, b.previous_amount, b.period, b.basis, b.family_type) for b in raised] == [
        (270, 150, "month", "person", "独生子女伤残家庭")]
    assert "\n" in text[raised[0].start:raised[0].end]
    assert _entity(rec, "Program", "阳光家园项目").region == "鼓楼区"
    assert ("鼓楼区", "南京市") in _rels(rec, "partOf")
    assert ("阳光家园项目", "鼓楼区") in _rels(rec, "operatesIn")


def test_funding_totals_and_volunteer_counts_are_not_benefits() -> None:
    rec, _ = _extract(DOCS / "compilation.txt")
    amounts = {b.amount for b in rec.benefits}
    assert 32000000 not in amounts and 2500 not in amounts


@pytest.mark.parametrize("name", ["compilation_gb18030.txt", "compilation_utf16.txt"])
def test_other_encodings_give_the_same_record(name: str) -> None:
    base, _ = _extract(DOCS / "compilation.txt")
    other, _ = _extract(DOCS / name)
    assert [e.to_json() for e in other.entities] == [e.to_json() for e in base.entities]
    assert [b.to_json() for b in other.benefits] == [b.to_json() for b in base.benefits]


def test_traditional_news_article_with_officials() -> None:
    rec, text = _extract(DOCS / "news_big5.txt")
    assert len(rec.sections) == 1 and rec.sections[0].title.startswith("国家卫生计生委副主任")
    wang = _entity(rec, "Person", "王培安")
    assert wang.roles == ["国家卫生计生委副主任"]
    assert text[wang.mentions[0].start:wang.mentions[0].end] == "王培安"
    assert _entity(rec, "Person", "王挺").roles == ["中国计划生育协会常务副会长"]
    assert _entity(rec, "Agency", "国家卫生计生委").region is None
    assert _entity(rec, "FamilyType", "失独家庭")
    cash = [(b.amount, b.period, b.basis, b.family_type) for b in rec.benefits if b.kind == "cash"]
    assert cash == [(340, "month", "person", "失独家庭")]


def test_sample_scores_meet_the_targets(gold_path) -> None:
    rec, _ = _extract(SAMPLE)
    scores = evaluate_records(rec, load_record(gold_path)).scores
    assert scores["micro"]["f1"] >= 0.90
    assert scores["benefits"]["f1"] >= 0.90
    assert scores["relations"]["f1"] >= 0.70


def test_sample_required_cash_benefits_are_exact(gold_path) -> None:
    rec, _ = _extract(SAMPLE)
    gold = load_record(gold_path)
    found = {(b.amount, b.previous_amount, b.period, b.basis) for b in rec.benefits if b.kind == "cash"}
    for b in gold.benefits:
        if b.kind == "cash" and b.amount is not None and b.required:
            assert (b.amount, b.previous_amount, b.period, b.basis) in found


def test_document_without_entities_gives_an_empty_valid_record() -> None:
    rec = extract_text("今天天气很好，我们去公园散步。\n")
    assert rec.entities == [] and rec.benefits == [] and rec.relations == []
    assert len(rec.sections) == 1


TEXTY = st.text(alphabet=st.sampled_from(list("北京市天津人口和计划生育委员会协计生失独家庭每人月元２０１提高到“”，。、\n 　")),
                max_size=400)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTY)
def test_any_text_extracts_with_valid_offsets(text: str) -> None:
    try:
        rec = extract_text(text)
    except HfkgError:
        return
    raw = text.replace("\r", "\n")
    for e in rec.entities:
        for m in e.mentions:
            assert 0 <= m.start < m.end <= len(raw)
            assert canonical_name(raw[m.start:m.end]) in {e.name, *e.aliases}
    assert dumps_record(rec) == dumps_record(extract_text(text))


def test_sub_unit_is_part_of_its_parent_and_titles_are_cut_off() -> None:
    rec = extract_text("国家卫生计生委家庭发展司司长杨文庄表示，国家卫生计生委将继续推进“新家庭计划”。该公司此处好处多。\n")
    names = {e.name for e in rec.entities if e.type == "Agency"}
    assert names == {"国家卫生计生委家庭发展司", "国家卫生计生委"}
    assert ("国家卫生计生委家庭发展司", "国家卫生计生委") in _rels(rec, "partOf")
    assert _entity(rec, "Person", "杨文庄").roles == ["国家卫生计生委家庭发展司司长"]


def test_elliptic_family_types_are_both_found() -> None:
    rec = extract_text("将独生子女伤残、死亡家庭的特别扶助金标准分别提高到每人每月270元和340元。\n")
    assert {e.name for e in rec.entities if e.type == "FamilyType"} == {"独生子女伤残家庭", "失独家庭"}


def test_news_section_region_comes_from_the_heading_and_level_prefixes_resolve() -> None:
    rec = extract_text(
        "江苏省苏州市姑苏区启动“家庭发展关爱计划”\n"
        "苏州市姑苏区人口和计划生育局联合区妇联启动了“家庭发展关爱计划”，为辖区内的计生特扶家庭、空巢老人家庭提供心理疏导服务。"
        "区人口计生局局长李明华介绍了情况。省计生协常务副会长陈静出席。\n")
    assert rec.sections[0].region == "姑苏区"
    bureau = _entity(rec, "Agency", "苏州市姑苏区人口和计划生育局")
    assert "区人口计生局" in bureau.aliases
    assert _entity(rec, "Agency", "省计生协").region == "江苏省"
    assert ("区妇联", "家庭发展关爱计划") in _rels(rec, "partners")
    assert {("家庭发展关爱计划", "计生特扶家庭"), ("家庭发展关爱计划", "空巢家庭")} <= _rels(rec, "targets")


def test_national_news_has_no_section_region_and_city_prefixes_follow_the_text() -> None:
    rec = extract_text(
        "人民网北京6月2日电　国家卫生健康委在京召开全国家庭发展工作推进会。广东省卫生健康委员会、浙江省卫健委作了交流发言。"
        "广州市卫健委联合市妇联开展“幸福家庭进万家”活动，将特殊家庭全部纳入家庭医生签约服务。\n")
    assert rec.sections[0].region is None
    assert _entity(rec, "Agency", "国家卫生健康委").region is None
    assert _entity(rec, "Agency", "广东省卫生健康委员会").region == "广东省"
    assert _entity(rec, "Agency", "市妇联").region == "广州市"
    assert "特殊家庭" in _entity(rec, "FamilyType", "计划生育特殊家庭").aliases


@pytest.mark.parametrize("path", ALL_DOCS, ids=lambda p: p.name)
def test_every_relation_span_is_a_non_empty_phrase(path) -> None:
    rec, text = _extract(path)
    for r in rec.relations:
        assert r.start is not None and r.end is not None and 0 <= r.start < r.end <= len(text), r


def test_relation_span_covers_an_object_named_before_its_subject() -> None:
    rec = extract_text("全市实施“家庭关爱计划”，由甘肃省计划生育协会牵头组织实施。\n")
    leads = [r for r in rec.relations if r.type == "leads"]
    assert leads and all(r.start < r.end for r in leads)
