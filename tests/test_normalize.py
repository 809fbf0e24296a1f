"""Normalisation for matching keeps an exact map back to the raw text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hfkg.extract.normalize import canonical_name, fold_width, normalise, to_simplified


def test_number_cut_by_a_wrap_reads_as_one() -> None:
    raw = "扶助标准由每人每月１６０元提高到２７\n\n０元，独生子女家庭"
    n = normalise(raw)
    assert "提高到270元" in n.text
    i = n.text.index("270元")
    rs, re_ = n.raw_span(i, i + 4)
    assert raw[rs:re_] == "２７\n\n０元"


def test_page_break_space_and_blank_lines_are_undone() -> None:
    raw = "北京市积极推进创建幸福家庭活动，不断丰富创建幸福家庭的内涵，找准促进人的全面发展和\n 创建幸福家庭的结合点。\n"
    assert "发展和创建幸福家庭的结合点。" in normalise(raw).text


def test_paragraph_and_title_lines_stay_apart() -> None:
    raw = " 前 言\n\n2011 年 5 月，在北京召开。\n\n中国人口福利基金会\n2012 年 12 月\n"
    n = normalise(raw)
    assert n.text.split("\n")[:4] == ["前言", "2011年5月,在北京召开。", "中国人口福利基金会", "2012年12月"]


def test_ideographic_space_between_names_is_kept_as_a_separator() -> None:
    n = normalise("北京市人口和计划生育委员会　北京市计划生育协会\n")
    assert n.text.strip() == "北京市人口和计划生育委员会 北京市计划生育协会"


def test_thousands_separator_space_between_digits_is_kept() -> None:
    assert "10 000名" in normalise("１０　０００名儿童\n").text


def test_traditional_to_simplified_one_for_one() -> None:
    raw = "計劃生育特殊家庭獨生子女傷殘家庭"
    out = to_simplified(raw)
    assert out == "计划生育特殊家庭独生子女伤残家庭"
    assert len(out) == len(raw)


def test_canonical_name() -> None:
    assert canonical_name("“五保”政策") == "五保政策"
    assert canonical_name("０～３岁市级早教示范基地") == "0～3岁市级早教示范基地"
    assert canonical_name("生命 ．生育 ．生活") == "生命．生育．生活"
    assert canonical_name("《北京日报》") == "北京日报"
    assert canonical_name("計生協") == "计生协"


CJKISH = st.text(alphabet=st.sampled_from([*"计划生育家庭北京市每人月元２０１３　 \n\n“”，。、（）ａＢ", "\u3000", "\r"]),
                 max_size=300)


@settings(max_examples=300, deadline=None)
@given(CJKISH)
def test_every_normalised_character_maps_to_its_raw_character(raw: str) -> None:
    raw = raw.replace("\r", "\n")
    n = normalise(raw)
    folded = to_simplified(fold_width(raw))
    for i, ch in enumerate(n.text):
        r = n.to_raw(i)
        assert 0 <= r < len(raw)
        assert ch == "\n" or folded[r] == ch
    for a in range(0, len(n.text), 7):
        b = min(len(n.text), a + 5)
        rs, re_ = n.raw_span(a, b)
        assert 0 <= rs <= re_ <= len(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_normalises_without_error(raw: str) -> None:
    n = normalise(raw.replace("\r", "\n"))
    assert len(n.text) <= len(raw)
