"""Property tests (hypothesis): the reader, the extractor and SPARQL parameter binding on arbitrary input.

* The reader takes any bytes and either decodes them or raises :class:`~hfkg.errors.HfkgError`; text
  written in UTF-8 or UTF-16 comes back as it was (line ends normalised).
* The extractor takes any Unicode text (report-like fragments mixed with random CJK, full-width forms,
  control characters, very long lines and random line wraps) and raises nothing but ``HfkgError``; every
  offset lies inside the text, every mention's ``text[start:end]`` is a surface form of its entity, the
  record survives its own JSON round trip, and extracting twice gives the same bytes.
* A string parameter bound into a query comes back exactly, through the embedded store and through the
  ``VALUES`` block sent to remote endpoints, whatever it contains.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hfkg.errors import HfkgError
from hfkg.extract.normalize import normalise
from hfkg.extract.pipeline import extract_text
from hfkg.extract.reader import decode_bytes, normalise_newlines
from hfkg.extract.records import dumps_record, record_from_json

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# report-like pieces, so that the recognisers, the number parser and the section finder all get work
FRAGMENTS = [
    "北京市", "天津市", "江苏省", "苏州市", "姑苏区", "县", "人口和计划生育委员会", "人口计生委", "计划生育协会", "民政局",
    "卫生局", "妇联", "（以下简称", "）", "启动", "开展", "联合", "牵头", "“", "”", "「", "」", "暖心计划", "幸福工程",
    "关爱行动", "失独家庭", "独生子女伤残家庭", "空巢家庭", "计划生育特殊家庭", "农村", "父母", "每人每月", "每户每年",
    "发放", "提高到", "由", "200", "960", "720", "１２０", "０元", "万", "元", "扶助金", "慰问金", "心理咨询", "上门服务",
    "副市长", "李四", "、", "，", "。", "；", "：", "\n", "\n\n", "\r\n", "\r", "　", " ", "\t", "幸福家庭工作报告",
    "２０１２年", "一、", "（一）", "第一", "以上", "不低于", "约", "分别", "和", "及", "为", "对", "的",
]
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
FULLWIDTH = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
CONTROLS = st.sampled_from(["\x00", "\x07", "\x1b", "\x1b[2J", "\x7f", "\x85", "\x9b", "\u2028", "\u202e", "\u2066",
                            "\ufeff", "\ufffd", "\u200b"])
PIECE = st.one_of(st.sampled_from(FRAGMENTS), CJK, FULLWIDTH, CONTROLS, st.characters(blacklist_categories=("Cs",)),
                  st.text(CJK, min_size=20, max_size=400))  # long lines without a break
REGIONS = ["北京市", "天津市", "江苏省", "苏州市", "姑苏区", "重庆市", "成都市", "某县"]
AGENCIES = ["人口和计划生育委员会", "人口计生委", "计划生育协会", "民政局", "卫生局", "妇联", "财政局"]
PROGRAMS = ["暖心计划", "幸福工程", "关爱行动", "<b>春风</b>行动", "=1+1帮扶工程", "\x1b[31m红色\x1b[0m计划"]
FAMILIES = ["失独家庭", "独生子女伤残家庭", "空巢家庭", "计划生育特殊家庭", "农村独生子女家庭", "困难家庭"]
AMOUNTS = ["200", "960", "１２０", "2\n00", "1.5万", "三百", "0"]


@st.composite
def _sentence(draw: st.DrawFn) -> str:
    """A report-like sentence: region, agency, program, family type, an amount, with line wraps and noise."""
    region, agency = draw(st.sampled_from(REGIONS)), draw(st.sampled_from(AGENCIES))
    text = (f"{region}{agency}{draw(st.sampled_from(['启动', '开展', '联合', '牵头实施']))}"
            f"“{draw(st.sampled_from(PROGRAMS))}”，为{draw(st.sampled_from(FAMILIES))}"
            f"{draw(st.sampled_from(['父母每人每月', '每户每年', '']))}发放"
            f"{draw(st.sampled_from(AMOUNTS))}元{draw(st.sampled_from(['扶助金', '慰问金', '补助']))}。")
    for _ in range(draw(st.integers(0, 3))):  # a PDF wrap, a control character or a random piece anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.one_of(st.just("\n"), st.just("\r\n\r\n"), PIECE)) + text[at:]
    return text


REPORTS = st.lists(st.one_of(_sentence(), _sentence(), PIECE), max_size=40).map("".join)


def _canon(text: str) -> str:
    """A surface form as the extractor compares names: normalised, without wraps, spaces and quote marks."""
    return re.sub(r"[\s“”\"「」『』‘’']", "", normalise(text).text)


def _check_record(text: str) -> None:
    try:
        record = extract_text(text, "fuzz.txt")
    except HfkgError:
        return
    raw = normalise_newlines(text)
    assert record.source.chars == len(raw)
    for entity in record.entities:
        forms = {_canon(f) for f in (entity.name, *entity.aliases)}
        assert entity.name.strip()
        for m in entity.mentions:
            assert 0 <= m.start < m.end <= len(raw), (entity.name, m)
            assert _canon(raw[m.start:m.end]) in forms, (entity.type, entity.name, raw[m.start:m.end])
    for item in (*record.benefits, *record.relations, *record.sections):
        assert 0 <= item.start <= item.end <= len(raw), item
    dumped = dumps_record(record)
    assert dumps_record(record_from_json(json.loads(dumped))) == dumped
    assert dumps_record(extract_text(text, "fuzz.txt")) == dumped  # deterministic


@FUZZ
@given(REPORTS)
@example("北京市人口和计划生育委员会启动“暖心\n\n计划”，为失独家庭父母每人每月发放２\n００元扶助金。")
@example("\x1b[2J“<script>”\u202e计划\r\n" * 3)
@example("“" * 500 + "计划")
@example("市" * 5000)
def test_extractor_on_any_text(text: str) -> None:
    _check_record(text)


@FUZZ
@given(st.text(max_size=300))
def test_extractor_on_arbitrary_unicode(text: str) -> None:
    _check_record(text)


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\xff\xfe" + "江南".encode("utf-16-le"))
@example(b"\x00" * 64)
@example(b"\xc0\xc1\xf5\xff\x80" * 20 + b"a")
def test_reader_on_any_bytes(data: bytes) -> None:
    try:
        src = decode_bytes(data, "fuzz.txt")
    except HfkgError:
        return
    assert src.text.strip() and "\r" not in src.text
    assert len(src.sha256) == 64


@FUZZ
@given(REPORTS, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_reader_round_trips_unicode_encodings(text: str, encoding: str) -> None:
    text = text.lstrip("\ufeff")
    data = text.encode(encoding)
    try:
        src = decode_bytes(data, "fuzz.txt")
    except HfkgError:
        return  # empty, or binary-looking (many control characters): refused, as it should be
    assert src.text == normalise_newlines(text)
    assert decode_bytes(data, "fuzz.txt", encoding=encoding).text == src.text


def test_utf8_with_a_stray_nul_stays_utf8() -> None:
    text = "北京市人口和计划生育委员会启动暖心计划。\x00\n" * 3
    assert decode_bytes(text.encode("utf-8"), "nul.txt").text == text


# --------------------------------------------------------------------------- SPARQL parameter binding


ECHO = "# param: v string any text\n# param: w langString@zh the same, in Chinese\nSELECT ?v ?w WHERE { }\n"


@FUZZ
@given(st.text())
@example('"} ; DROP ALL ; #')
@example("\\\"'''\"\"\"\n}#<>")
@example("\x00\u202e\ud7ff\U0010ffff")
def test_string_parameters_round_trip(value: str) -> None:
    import pyoxigraph

    from hfkg.graph.sparql import bind_params, parse_header, query, with_values

    saved = parse_header("echo", ECHO)
    store = pyoxigraph.Store()
    rows = list(query(saved, store=store, params={"v": value, "w": value}, timeout=None))
    assert len(rows) == 1 and str(rows[0].v) == value and str(rows[0].w) == value
    assert rows[0].w.language == "zh"
    # the text sent to a remote endpoint: one VALUES block, parsed back to the same terms
    remote = with_values(saved.text, bind_params(saved, {"v": value, "w": value}))
    solutions = list(store.query(remote))
    assert len(solutions) == 1
    assert solutions[0]["v"].value == value and solutions[0]["w"].value == value
    assert len(list(store)) == 0  # nothing was written


@FUZZ
@given(st.integers(min_value=-(10**30), max_value=10**30),
       st.decimals(min_value=-(10**18), max_value=10**18, allow_nan=False, allow_infinity=False, places=6))
def test_numeric_parameters_round_trip(number: int, amount: object) -> None:
    import pyoxigraph

    from hfkg.graph.sparql import parse_header, query

    saved = parse_header("n", "# param: n integer\n# param: x decimal\nSELECT ?n ?x WHERE { }\n")
    rows = list(query(saved, store=pyoxigraph.Store(), params={"n": str(number), "x": str(amount)}, timeout=None))
    assert int(rows[0].n) == number
    from decimal import Decimal

    assert Decimal(str(rows[0].x)) == Decimal(str(amount))
