"""Amount parsing: Arabic and Chinese numerals, units, qualifiers, ranges."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfkg.extract.normalize import normalise
from hfkg.extract.numbers import find_money, find_quantities, parse_numeral, qualifier_of, to_number


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("200", 200), ("1.5", Decimal("1.5")), ("12,345", 12345), ("1,234,567.5", Decimal("1234567.5")),
        ("10 000", 10000), ("二百", 200), ("两千", 2000), ("一万二千", 12000), ("三十", 30), ("十五", 15),
        ("十", 10), ("一百零五", 105), ("一千零一十", 1010), ("十万零一百", 100100), ("一亿零五万", 100050000),
        ("1.2万", 12000), ("3千", 3000), ("5亿", 500000000), ("1万2千", 12000), ("1.2万亿", 1200000000000),
        ("一万二", 12000), ("三千五", 3500), ("一百五", 150), ("二〇一二", 2012), ("一点五万", 15000),
        ("百分之三十", 30), ("伍佰", 500), ("壹仟贰佰", 1200),
    ],
)
def test_parse_numeral(numeral: str, value: int | Decimal) -> None:
    assert parse_numeral(numeral) == value


@pytest.mark.parametrize("bad", ["", "abc", "百", "万", "1元", "二百x", "十二五", "一二百"])
def test_parse_numeral_rejects_non_numerals(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_numeral(bad)


def _only(text: str):  # type: ignore[no-untyped-def]
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("每人每月200元", 200, "元", None),
        ("补助1.2万元", 12000, "元", None),
        ("资金3千元", 3000, "元", None),
        ("投入5亿元", 500000000, "元", None),
        ("投入资金1600万元", 16000000, "元", None),
        ("发放二百元", 200, "元", None),
        ("奖励两千元", 2000, "元", None),
        ("一次性一万二千元", 12000, "元", None),
        ("受益人群近60万人", 600000, "人", "about"),
        ("约300元", 300, "元", "about"),
        ("300元左右", 300, "元", "about"),
        ("3600多位志愿者", 3600, "位", "at_least"),
        ("140余个乡镇", 140, "个", "at_least"),
        ("100多万元", 1000000, "元", "at_least"),
        ("二十余万元", 200000, "元", "at_least"),
        ("100平米以上", 100, "平米", "at_least"),
        ("60岁以上", 60, "岁", "at_least"),
        ("不低于200元", 200, "元", "at_least"),
        ("至少500元", 500, "元", "at_least"),
        ("不超过1000元", 1000, "元", "at_most"),
        ("最高2000元", 2000, "元", "at_most"),
        ("800元以下", 800, "元", "at_most"),
        ("覆盖面达75%以上", 75, "%", "at_least"),
        ("百分之三十", 30, "%", None),
        ("10 000名儿童", 10000, "名", None),
        ("12,345元", 12345, "元", None),
        ("2012年", 2012, "年", None),
    ],
)
def test_find_quantities_unit_and_qualifier(text: str, value: int, unit: str, qualifier: str | None) -> None:
    q = _only(text)
    assert (q.value, q.unit, q.qualifier) == (value, unit, qualifier)
    assert q.is_money == (unit == "元")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("每户100-200元", 100, 200), ("100至200元", 100, 200), ("100元~200元", 100, 200), ("1-2万元", 10000, 20000),
     ("5000元至1万元", 5000, 10000), ("2011~2015年", 2011, 2015)],
)
def test_ranges(text: str, low: int, high: int) -> None:
    q = _only(text)
    assert (q.value, q.max_value) == (low, high)


def test_raise_is_not_a_range() -> None:
    found = find_money("标准由每人每年720元提高到960元")
    assert [(q.value, q.max_value) for q in found] == [(720, None), (960, None)]


def test_spans_cover_qualifier_number_and_unit() -> None:
    text = "标准不低于每月１．２万元以上"
    norm = normalise(text).text
    q = find_money(norm)[0]
    assert norm[q.start:q.end] == "1.2万元以上"
    assert norm[q.num_start:q.num_end] == "1.2万"
    assert to_number(q.value) == 12000 and isinstance(to_number(q.value), int)


@pytest.mark.parametrize("text", ["城乡二元结构", "元旦期间", "一元化管理", "一对一帮扶", "十二五时期", "美元"])
def test_words_are_not_money(text: str) -> None:
    assert find_money(text) == []


def test_bare_chinese_numerals_are_not_quantities() -> None:
    assert find_quantities("十二五期间,一是实施,统一部署") == []


def test_full_width_digits_and_ideographic_space_through_normalise() -> None:
    norm = normalise("共有１０　０００名儿童，发放１２，３４５元、１．５万元").text
    assert [(to_number(q.value), q.unit) for q in find_quantities(norm)] == [(10000, "名"), (12345, "元"), (15000, "元")]


def test_amount_cut_by_pdf_wrap() -> None:
    line = "南京市认真落实计划生育家庭扶助政策，不断提高扶助标准，将扶助金提高到２７"
    raw = f"{line}\n\n０元，切实减轻了特殊家庭的生活负担，受到了群众的普遍欢迎和积极参与好评。\n"
    norm = normalise(raw)
    money = find_money(norm.text)
    assert [q.value for q in money] == [270]
    rs, re_ = norm.raw_span(money[0].start, money[0].end)
    assert raw[rs:re_] == "２７\n\n０元"


def test_qualifier_words() -> None:
    assert qualifier_of("不低于") == "at_least"
    assert qualifier_of("左右") == "about"
    assert qualifier_of("最高") == "at_most"
    assert qualifier_of("标准") is None


# ----------------------------------------------------------------------------- round trips

_FW = str.maketrans({**{str(d): chr(0xFF10 + d) for d in range(10)}, ",": "，", " ": "\u3000", ".": "．"})
_CN = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """Standard Chinese numeral for 0 <= n < 10**12 (written independently of the parser)."""
    if n == 0:
        return "零"

    def section(x: int) -> str:
        out, zero = "", False
        for place, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // place % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            out += _CN[d] + unit
        return out

    high, mid, low = n // 10**8, n // 10**4 % 10**4, n % 10**4
    out = ""
    if high:
        out += section(high) + "亿"
    if mid:
        if out and mid < 1000:
            out += "零"
        out += section(mid) + "万"
    if low:
        if out and (low < 1000 or (mid == 0 and high)):
            out += "零"
        out += section(low)
    return out


def _money_value(text: str) -> Decimal:
    found = find_money(normalise(text).text)
    assert len(found) == 1, (text, found)
    return found[0].value


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_arabic_formats_round_trip(n: int) -> None:
    for s in (str(n), f"{n:,}", f"{n:,}".replace(",", " ")):
        assert _money_value(f"每人每月发放{s}元补助") == n
        assert _money_value(f"每人每月发放{s.translate(_FW)}元补助") == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_wan_format_round_trips(n: int) -> None:
    wan = format((Decimal(n) / 10000).normalize(), "f")
    assert _money_value(f"一次性补助{wan}万元") == n
    assert _money_value(f"一次性补助{wan.translate(_FW)}万元") == n


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_numeral(_chinese(n)) == n
    if n >= 10:
        assert _money_value(f"每户发放{_chinese(n)}元") == n
