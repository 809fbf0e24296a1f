"""Benefit recogniser: cash, insurance and services on small hand-written documents and the bundled sample.

Family-type mentions come from a tiny test-only helper (the shipped taxonomy's names and synonyms matched by
regex), since the real family-type recogniser is a separate stage.
"""

from __future__ import annotations

import csv
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from hfkg.extract.benefits import BenefitHit, find_benefits
from hfkg.extract.mentions import Mention, MentionIndex
from hfkg.extract.normalize import NormText, normalise

DATA = Path(__file__).parent / "data" / "benefits"
SAMPLE = Path(__file__).parent.parent / "hfkg" / "samples" / "000_8e7bd97d21c6ac00.txt"
GOLD = Path("/work/shared/corpus/gold/000_8e7bd97d21c6ac00.gold.json")


# ----------------------------------------------------------------------------- helpers (test only)


def _taxonomy_names() -> dict[str, str]:
    text = resources.files("hfkg.extract").joinpath("data/family_types.tsv").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        names[row["zh"]] = row["zh"]
        for syn in filter(None, row["synonyms"].split("|")):
            names[syn] = row["zh"]
    return names


_NAMES = _taxonomy_names()
_FT = re.compile("|".join(sorted(map(re.escape, _NAMES), key=len, reverse=True)))


def family_types(text: str) -> list[Mention]:
    return [Mention("FamilyType", m.start(), m.end(), m.group(), _NAMES[m.group()]) for m in _FT.finditer(text)]


def mention(text: str, surface: str, mtype: str, name: str | None = None, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(mtype, start, start + len(surface), surface, name or surface)


def run(raw: str, extra: list[Mention] | None = None, **kw) -> tuple[NormText, list[BenefitHit]]:  # type: ignore[no-untyped-def]
    norm = normalise(raw)
    idx = MentionIndex(family_types(norm.text) + (extra or []))
    return norm, find_benefits(norm, idx, **kw)


def doc(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def cash(hits: list[BenefitHit]) -> set[tuple]:
    return {(h.family_type, h.amount, h.previous_amount, h.period, h.basis, h.qualifier) for h in hits
            if h.kind == "cash"}


def of_kind(hits: list[BenefitHit], kind: str) -> set[tuple]:
    return {(h.family_type, h.description) for h in hits if h.kind == kind}


# ----------------------------------------------------------------------------- own documents


def test_province_report_cash_rules() -> None:
    _norm, hits = run(doc("province_report.txt"))
    assert cash(hits) == {
        # 分别: two family types paired in order with two amounts
        ("独生子女伤残家庭", 270, None, "month", "person", None),
        ("失独家庭", 340, None, "month", "person", None),
        # floor keeps the number; 年满60周岁 is an age, not money
        ("农村部分计划生育家庭", 1200, None, "year", "person", "at_least"),
        # the income threshold (低于800元) is not a benefit, the per-household allowance is
        ("计划生育困难家庭", 300, None, "month", "family", None),
        # 1万 multiplier, one-off
        ("失独家庭", 10000, None, "once", None, None),
        # quarterly has no period in the spec: None, and the description says so
        ("空巢家庭", 300, None, None, "person", None),
    }
    quarterly = next(h for h in hits if h.family_type == "空巢家庭")
    assert "每季度" in quarterly.description
    # funding total (3.2亿元) and volunteer count (1.2万名) never become benefits
    assert not any(h.amount in (320000000, 12000) for h in hits)
    assert of_kind(hits, "insurance") == {("失独家庭", "意外伤害保险")}


def test_span_is_the_shortest_run_of_whole_clauses() -> None:
    norm, hits = run(doc("province_report.txt"))
    h = next(h for h in hits if h.basis == "family")
    assert norm.text[h.start:h.end] == "对人均月收入低于800元的计划生育困难家庭,每户每月给予生活补助300元"
    h = next(h for h in hits if h.amount == 10000)
    assert norm.text[h.start:h.end] == "对新发生的失独家庭给予一次性抚慰金1万元"


def test_traditional_characters_and_chinese_numerals() -> None:
    raw = doc("traditional_report.txt")
    norm, hits = run(raw)
    assert cash(hits) == {
        ("失独家庭", 500, None, "month", "person", None),
        ("独生子女伤残家庭", 220, 160, "month", "person", None),
    }
    # 為其 refers back to the family type named earlier in the sentence
    assert of_kind(hits, "service") == {("失独家庭", "心理咨询"), ("失独家庭", "生活照料")}
    rec = next(h for h in hits if h.amount == 500).to_record(norm)
    assert raw[rec.start:rec.end] == "對失獨家庭每人每月發放扶助金五百元"


def test_news_paragraph_raise_and_original_in_parentheses() -> None:
    _norm, hits = run(doc("news_meeting.txt"))
    assert cash(hits) == {
        ("独生子女伤残家庭", 270, 110, "month", "person", None),
        # 提高至B(原为A)
        ("失独家庭", 340, 135, "month", "person", None),
    }
    # the central budget (约50亿元) and the people reached (近100万人) are not benefits
    assert all(h.amount is None or h.amount < 1000 for h in hits)
    assert of_kind(hits, "service") == {("失独家庭", "就医绿色通道"), ("失独家庭", "家庭医生签约")}
    # a national standard has no region even inside a section with one
    _norm, hits = run(doc("news_meeting.txt"), region_of=lambda pos: "北京市")
    assert next(h for h in hits if h.amount == 270).region is None


def test_real_pipeline_on_own_documents() -> None:
    """The same rules through the whole extractor (its own family-type recogniser and sections)."""
    from hfkg.extract.pipeline import extract_text

    rec = extract_text(doc("wrapped_pdf.txt"), "wrapped_pdf.txt")
    assert {(b.kind, b.family_type, b.amount, b.previous_amount, b.period, b.basis) for b in rec.benefits} == {
        ("cash", "失独家庭", 270, 150, "month", "person"),
        ("cash", "独生子女伤残家庭", 12000, None, "once", None),
        ("insurance", "失独家庭", None, None, None, None),
    }
    rec = extract_text(doc("province_report.txt"), "province_report.txt")
    amounts = sorted(b.amount for b in rec.benefits if b.kind == "cash")
    assert amounts == [270, 300, 300, 340, 1200, 10000]


def test_pdf_wrapped_amount_full_width_digits_and_spaces() -> None:
    raw = doc("wrapped_pdf.txt")
    norm, hits = run(raw)
    assert cash(hits) == {
        ("失独家庭", 270, 150, "month", "person", None),
        ("独生子女伤残家庭", 12000, None, "once", None, None),
    }
    rec = next(h for h in hits if h.amount == 270).to_record(norm)
    assert "２７\n\n０元" in raw[rec.start:rec.end]
    assert raw[rec.start:rec.end].startswith("将失独家庭")
    # 由财政代缴 … 医疗保险费
    assert of_kind(hits, "insurance") == {("失独家庭", "城乡居民医疗保险")}
    # volunteers (１０　０００名), funding (１　２００万元), areas, ages: nothing else
    assert len(hits) == 3


def test_anaphors_and_amounts_that_are_not_entitlements() -> None:
    _norm, hits = run(doc("anaphor_and_totals.txt"))
    # donations, a total over 300 households, volunteers, areas, ages, a budget, a percentage: no cash
    assert cash(hits) == set()
    # 他们 / 为其 refer to both coordinated family types of the previous sentence
    assert of_kind(hits, "insurance") == {("空巢家庭", "人身意外伤害保险"), ("失独家庭", "人身意外伤害保险")}
    assert of_kind(hits, "service") == {(ft, item) for ft in ("空巢家庭", "失独家庭") for item in ("上门巡访", "代购代办")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one clause naming two family types: one benefit each
        ("对失独家庭和独生子女伤残家庭每人每月发放扶助金200元。",
         {("失独家庭", 200, None, "month", "person", None), ("独生子女伤残家庭", 200, None, "month", "person", None)}),
        # A、B分别提高到C、D
        ("失独家庭和独生子女伤残家庭的特别扶助金标准分别由每人每月135元、110元提高到340元、270元。",
         {("失独家庭", 340, 135, "month", "person", None), ("独生子女伤残家庭", 270, 110, "month", "person", None)}),
        # 分别 with one group of amounts per area
        ("独生子女伤残家庭和失独家庭的特别扶助金分别提高到城镇每人每月270元、340元,农村每人每月150元、170元。",
         {("独生子女伤残家庭", 270, None, "month", "person", None), ("失独家庭", 340, None, "month", "person", None),
          ("独生子女伤残家庭", 150, None, "month", "person", None), ("失独家庭", 170, None, "month", "person", None)}),
        # 从A提高至B with 万/千 multipliers and decimals
        ("对失独家庭的一次性抚慰金从5千元提高至1.5万元。", {("失独家庭", 15000, 5000, "once", None, None)}),
        # a ceiling
        ("计划生育特殊家庭住院护理补贴每人每年最高2000元。",
         {("计划生育特殊家庭", 2000, None, "year", "person", "at_most")}),
        # slash units
        ("向低保家庭发放生活补贴300元/户/月。", {("低保家庭", 300, None, "month", "family", None)}),
        # a person group is not a family type
        ("城镇独生子女父母年老时给予一次性奖励3000元。", {(None, 3000, None, "once", None, None)}),
        # an increment (提高50元) is not an amount; the clause after it is, with the per-unit cue of the sentence
        ("特别扶助金标准每人每月提高50元,达到340元。", {(None, 340, None, "month", "person", None)}),
        # ellipsis: the second clause shares the first clause's 每人每月
        ("失独家庭每人每月500元,独生子女伤残家庭400元。",
         {("失独家庭", 500, None, "month", "person", None), ("独生子女伤残家庭", 400, None, "month", "person", None)}),
        # the earlier standard in the next clause
        ("失独家庭特别扶助金提高至每人每月340元,原标准为135元。", {("失独家庭", 340, 135, "month", "person", None)}),
        # 原有 (existing) is not 原 (formerly)
        ("原有的扶助政策每人每月100元。", {(None, 100, None, "month", "person", None)}),
        # 户均 as a per-household basis
        ("去年为失独家庭户均发放慰问金800元。", {("失独家庭", 800, None, None, "family", None)}),
        # an anaphor reaching back to the previous sentence
        ("全市重点关注失独家庭。今年起为其每人每月发放扶助金600元。",
         {("失独家庭", 600, None, "month", "person", None)}),
    ],
)
def test_cash_phrasings(text: str, expected: set[tuple]) -> None:
    _norm, hits = run(text)
    assert cash(hits) == expected


@pytest.mark.parametrize(
    "text",
    [
        "全市共投入资金1600万元,建成100平米以上的活动室。",
        "市慈善总会为失独家庭捐赠善款50万元。",
        "今年安排专项经费800万元用于失独家庭扶助。",
        "每年拿出500万元用于失独家庭特别扶助。",
        "人均月收入低于1000元的家庭可以申请。",
        "为200户失独家庭发放慰问金共计10万元。",
        "全区共有3600多位志愿者与失独家庭结对,60岁以上老人全部建档。",
        "门票价格为每人50元。",
        "城乡居民人均可支配收入达到25000元。",
    ],
)
def test_amounts_that_are_not_entitlements(text: str) -> None:
    _norm, hits = run(text)
    assert cash(hits) == set()


def test_services_need_a_clear_list_for_a_family_type() -> None:
    _norm, hits = run("为失独家庭提供帮助。对青少年开展健康教育、心理咨询等服务。为区县开展培训、指导提供示范。")
    assert [h for h in hits if h.kind == "service"] == []
    _norm, hits = run("对“单亲家庭”,重点开展心理咨询、青春期教育及亲子活动服务,开办家长学校。")
    assert of_kind(hits, "service") == {("单亲家庭", "心理咨询"), ("单亲家庭", "青春期教育"), ("单亲家庭", "亲子活动服务")}
    _norm, hits = run("为失独家庭提供包括心理疏导、生活照料在内的关爱服务。为失独家庭开展“一对一”帮扶和“菜单式”服务。")
    assert of_kind(hits, "service") == {("失独家庭", "心理疏导"), ("失独家庭", "生活照料"), ("失独家庭", "一对一帮扶"),
                                        ("失独家庭", "菜单式服务")}


def test_insurance_in_an_enumeration_takes_only_its_own_item() -> None:
    text = "连续多年实施贫困家庭子女助学和独生子女意外伤害保险等项目。"
    _norm, hits = run(text)
    assert of_kind(hits, "insurance") == {(None, "独生子女意外伤害保险")}
    _norm, hits = run("实现计划生育家庭意外伤害保险全覆盖。")
    assert of_kind(hits, "insurance") == {("计划生育家庭", "意外伤害保险")}
    _norm, hits = run("这家保险公司与失独家庭座谈。将计划生育手术费用纳入生育保险制度。")
    assert hits == []
    # a restatement of the same item in the same region is one record
    _norm, hits = run("实施计划生育家庭意外伤害保险。为计划生育家庭购买意外伤害保险,参保率达到95%。")
    assert [(h.kind, h.family_type, h.description) for h in hits] == [("insurance", "计划生育家庭", "意外伤害保险")]
    _norm, hits = run("失独家庭夫妇的城乡居民养老保险个人缴费部分由区财政代缴。")
    assert of_kind(hits, "insurance") == {("失独家庭", "城乡居民养老保险")}
    _norm, hits = run("为其购买养老、医疗保险。")
    assert of_kind(hits, "insurance") == {(None, "养老、医疗保险")}


def test_program_and_region() -> None:
    text = "杭州市实施“暖心工程”,对失独家庭每人每月发放扶助金500元;滨江区对空巢家庭每人每年发放慰问金600元。"
    norm = normalise(text)
    extra = [mention(norm.text, "“暖心工程”", "Program", "暖心工程"),
             mention(norm.text, "杭州市", "Region"), mention(norm.text, "滨江区", "Region")]
    _norm, hits = run(text, extra, sections=[(0, len(norm.text), "杭州市")])
    by_amount = {h.amount: h for h in hits}
    assert by_amount[500].program == "暖心工程"
    assert by_amount[500].region == "杭州市"
    assert by_amount[500].description == "扶助金"
    assert norm.text[by_amount[500].start:by_amount[500].end] == "杭州市实施“暖心工程”,对失独家庭每人每月发放扶助金500元"
    # a region named in the clause wins over the section's region
    assert by_amount[600].region == "滨江区"
    assert by_amount[600].program is None
    _norm, hits = run(text, extra, region_of=lambda pos: "浙江省")
    assert {h.region for h in hits} == {"浙江省", "滨江区"}


def test_generic_family_type_yields_to_a_specific_one() -> None:
    text = "对城乡家庭中的低保家庭每户每月发放补贴200元。"
    norm = normalise(text)
    generic = mention(norm.text, "城乡家庭", "FamilyType")
    generic = Mention(generic.type, generic.start, generic.end, generic.surface, generic.name, optional=True)
    norm = normalise(text)
    hits = find_benefits(norm, MentionIndex([generic, mention(norm.text, "低保家庭", "FamilyType")]))
    assert cash(hits) == {("低保家庭", 200, None, "month", "family", None)}


def test_scoped_type_inside_a_program_name_stands_for_its_broader_type() -> None:
    text = "将符合条件的半边户纳入农村部分计划生育家庭奖励扶助制度,奖励扶助标准由每人每年600元提高到800元。"
    _norm, hits = run(text)
    assert cash(hits) == {("计划生育家庭", 800, 600, "year", "person", None),
                          ("半边户", 800, 600, "year", "person", None)}


def test_records_map_back_to_raw_offsets() -> None:
    for path in sorted(DATA.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        norm, hits = run(raw)
        assert hits, path.name
        for h in hits:
            rec = h.to_record(norm)
            assert normalise(raw[rec.start:rec.end]).text.replace("\n", "") == norm.text[h.start:h.end]
            assert rec.to_json()["kind"] == h.kind


# ----------------------------------------------------------------------------- bundled sample vs gold


def _gold() -> dict:
    if not GOLD.exists():
        pytest.skip(f"gold file {GOLD} is outside the repository and not present here")
    return json.loads(GOLD.read_text(encoding="utf-8"))


def _aliases(gold: dict) -> dict[str, str]:
    out = {}
    for e in gold["entities"]:
        if e["type"] == "FamilyType":
            for a in (e["name"], *e["aliases"]):
                out[a] = e["name"]
    return out


def test_sample_required_cash_and_insurance_are_found_exactly() -> None:
    gold = _gold()
    alias = _aliases(gold)
    _norm, hits = run(SAMPLE.read_text(encoding="utf-8"))
    found = {(h.kind, alias.get(h.family_type or "", h.family_type), h.amount, h.previous_amount, h.period, h.basis)
             for h in hits}
    required = [b for b in gold["benefits"] if b.get("required") and b["kind"] in ("cash", "insurance")]
    assert len(required) >= 3
    for b in required:
        key = (b["kind"], b["family_type"], b["amount"], b["previous_amount"], b["period"], b["basis"])
        assert key in found, key


def test_sample_every_prediction_matches_a_gold_benefit() -> None:
    gold = _gold()
    alias = _aliases(gold)
    _norm, hits = run(SAMPLE.read_text(encoding="utf-8"))

    def key(kind, ft, amount, period, basis):  # type: ignore[no-untyped-def]
        return (kind, alias.get(ft or "", ft), amount, period, basis)

    pool = [key(b["kind"], b["family_type"], b["amount"], b["period"], b["basis"]) for b in gold["benefits"]]
    unmatched = []
    for h in hits:
        k = key(h.kind, h.family_type, h.amount, h.period, h.basis)
        if k in pool:
            pool.remove(k)
        else:
            unmatched.append((k, h.description))
    assert unmatched == []
