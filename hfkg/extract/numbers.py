"""Numbers and amounts in normalised Chinese report text.

Works on :attr:`NormText.text <hfkg.extract.normalize.NormText.text>` (ASCII
digits and punctuation, simplified characters).  It reads

* Arabic numbers with decimals and thousands separators (``12,345``,
  ``10 000``), Chinese numerals (``二百``, ``两千``, ``一万二千``, ``三十``) and
  mixtures (``1.2万``, ``3千``, ``5亿``, ``1万2千``);
* percentages (``75%``, ``百分之三十``);
* the unit that follows (``元``, ``名``, ``岁``, ``平米`` …) with multipliers
  folded into the value (``1.2万元`` is 12000 yuan);
* approximation and bound words around a number (``近``, ``约``, ``多``, ``余``,
  ``以上``, ``不低于``, ``至少``, ``左右``, ``最高`` …) as a qualifier
  ``at_least`` / ``about`` / ``at_most``;
* ranges (``100-200元``, ``100至200元``, ``100元~200元``).

:func:`parse_numeral` turns one numeral string into a :class:`~decimal.Decimal`;
:func:`find_quantities` finds every number with its unit and qualifier;
:func:`find_money` keeps the amounts in yuan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

__all__ = [
    "MONEY_UNITS",
    "Quantity",
    "find_money",
    "find_quantities",
    "parse_numeral",
    "qualifier_of",
    "to_number",
]

# ----------------------------------------------------------------------------- numerals

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_D = "".join(_CN_DIGITS)
_M = "".join(_CN_SMALL) + "".join(_CN_BIG)

_TOKEN = re.compile(rf"(\d+(?:\.\d+)?)|([{_D}])|([{_M}])|(点)")
_GROUP_SEP = re.compile(r"(?<=\d)[, ](?=\d{3})")


@lru_cache(maxsize=1 << 12)
def parse_numeral(s: str) -> Decimal:
    """Value of one numeral: ``"1,200"``, ``"10 000"``, ``"1.2万"``, ``"一万二千"``, ``"百分之三十"`` -> 30.

    Raises :class:`ValueError` when ``s`` is not a numeral.
    """
    s = s.strip()
    if s.startswith("百分之"):
        s = s[3:]
    s = _GROUP_SEP.sub("", s)
    if not s:
        raise ValueError("empty numeral")
    pos = 0
    tokens: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(s):
        if m.start() != pos:
            raise ValueError(f"not a numeral: {s!r}")
        pos = m.end()
        kind = "num" if m.group(1) else "digit" if m.group(2) else "mult" if m.group(3) else "point"
        tokens.append((kind, m.group()))
    if pos != len(s) or not tokens:
        raise ValueError(f"not a numeral: {s!r}")
    return _evaluate(tokens, s)


def _evaluate(tokens: list[tuple[str, str]], s: str) -> Decimal:
    total = Decimal(0)  # completed 亿 groups
    wan = Decimal(0)  # completed 万 group
    small = Decimal(0)  # completed 十/百/千 parts of the current group
    current: Decimal | None = None  # pending digit(s)
    decimals: str | None = None  # digits after 点
    prev_kind = ""
    for kind, text in tokens:
        if decimals is not None:
            if kind != "digit":
                current = Decimal(f"{current or 0}.{decimals}") if decimals else current
                decimals = None
            else:
                decimals += str(_CN_DIGITS[text])
                continue
        if kind == "num":
            if current is not None:
                raise ValueError(f"not a numeral: {s!r}")
            current = Decimal(text)
        elif kind == "digit":
            d = _CN_DIGITS[text]
            after_zero = prev_kind == "digit" and current == 0  # 一千零五: 零 then a digit is fine
            if current is not None and not after_zero and (
                    prev_kind != "digit" or any(k == "mult" for k, _ in tokens)):
                raise ValueError(f"not a numeral: {s!r}")
            # 二〇一二 (digit by digit) reads as positional digits
            current = d if current is None else current * 10 + d
            current = Decimal(current)
        elif kind == "point":
            if current is None:
                raise ValueError(f"not a numeral: {s!r}")
            decimals = ""
        elif text in _CN_SMALL:
            if current is None and small == 0 and text not in "十拾":
                raise ValueError(f"not a numeral: {s!r}")
            small += (current if current is not None else Decimal(1)) * _CN_SMALL[text]
            current = None
        else:  # 万 / 亿
            group = small + (current if current is not None else Decimal(0))
            if group == 0 and prev_kind != "mult":
                raise ValueError(f"not a numeral: {s!r}")
            if text == "万":
                if group == 0:  # 亿万 or 万万: not a plain numeral
                    raise ValueError(f"not a numeral: {s!r}")
                wan += group * _CN_BIG[text]
            else:
                total = (total + wan + group) * _CN_BIG[text]
                wan = Decimal(0)
            small = Decimal(0)
            current = None
        prev_kind = kind
    if decimals is not None:
        current = Decimal(f"{current or 0}.{decimals}") if decimals else current
    if current is not None and len(tokens) >= 2 and tokens[-1][0] == "digit" and tokens[-2][0] == "mult":
        # colloquial 一万二 = 12000, 三千五 = 3500, 一百五 = 150 (never after 零)
        unit = _CN_SMALL.get(tokens[-2][1]) or _CN_BIG[tokens[-2][1]]
        if unit >= 100:
            current = current * unit / 10
    return total + wan + small + (current if current is not None else Decimal(0))


def to_number(value: Decimal) -> int | float:
    """A JSON-friendly number: int when integral, else float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# ----------------------------------------------------------------------------- qualifiers

_QUALIFIERS = {
    "at_least": ("不低于", "不少于", "至少", "最少", "最低", "超过", "逾", "多", "余", "以上", "起"),
    "about": ("约", "大约", "近", "将近", "接近", "左右", "上下", "约为"),
    "at_most": ("不高于", "不超过", "至多", "最多", "最高", "以下", "以内", "之内", "封顶"),
}
_QUALIFIER_OF = {w: q for q, words in _QUALIFIERS.items() for w in words}


def qualifier_of(word: str) -> str | None:
    """``at_least`` / ``about`` / ``at_most`` for a qualifier word, else ``None``."""
    return _QUALIFIER_OF.get(word)


_PRE_QUALIFIER = re.compile(
    r"(不低于|不少于|不高于|不超过|至少|最少|最低|至多|最多|最高|大约|约为|将近|接近|超过|约|近|逾)$")

# ----------------------------------------------------------------------------- quantities

_AR = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d{1,3}(?:[ ]\d{3})+(?![\d.])|\d+(?:\.\d+)?"
_AR_NUM = rf"(?:{_AR})(?:[{_M}]+(?:(?:\d+(?:\.\d+)?|[{_D}])[{_M}]+)*)?"
_CN_NUM = rf"[{_D}十拾][{_D}{_M}]*(?:点[{_D}]+[{_M}]*)?"

MONEY_UNITS = ("元", "圆", "块钱", "块")
_UNITS = (
    "元", "圆", "块钱", "块", "%", "‰", "人次", "名", "人", "位", "个", "户", "家", "岁", "周岁", "周年", "年",
    "个月", "月", "日", "号", "天", "小时", "分钟", "次", "平方米", "平米", "平方公里", "公顷", "亩", "公里",
    "米", "项", "场", "所", "期", "批", "处", "件", "套", "本", "份", "支", "部", "台", "辆", "张", "篇", "条",
    "对", "类", "种", "届", "座", "间", "床", "倍", "成", "级", "点", "字", "大",
)
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))

_QUANTITY = re.compile(
    rf"""
    (?P<pct>百分之)?
    (?P<num>{_AR_NUM}|{_CN_NUM})
    (?P<approx>多|余)?
    (?P<mult>[{_M}]+(?=元|块|人|名|户|个|位))?
    (?P<unit>{_UNIT_ALT})?
    (?P<post>以上|以下|左右|上下|以内|之内)?
    """,
    re.VERBOSE,
)
_NOT_MONEY_AFTER = re.compile(r"化|素|宵|旦|件|论|结构|首|老|帅|气|器|音")
_WORD_BEFORE_CN = frozenset("统唯第同单专均逐划之其万")
_RANGE_GAP = re.compile(r"\s*(?:-|~|—|–|至|到)\s*")


@dataclass(frozen=True)
class Quantity:
    """A number found in normalised text.

    ``value`` is in the unit's base (yuan for money: ``1.2万元`` -> 12000);
    ``max_value`` is set for ranges (``value`` is then the lower end).
    ``start``/``end`` cover qualifiers, number, unit and range;
    ``num_start``/``num_end`` cover the (first) number only.
    """

    value: Decimal
    unit: str | None
    qualifier: str | None
    start: int
    end: int
    num_start: int
    num_end: int
    max_value: Decimal | None = None

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def is_percent(self) -> bool:
        return self.unit in ("%", "‰")

    def number(self) -> int | float:
        return to_number(self.value)


def _one(text: str, m: re.Match[str]) -> Quantity | None:
    num, unit = m.group("num"), m.group("unit")
    is_cn = not num[0].isdigit()
    if m.group("pct"):
        unit = "%"
    elif unit is None and is_cn:
        return None  # a bare Chinese numeral (一是, 十二五) is not a quantity
    if is_cn and m.start() > 0 and text[m.start() - 1] in _WORD_BEFORE_CN:
        return None  # 统一部署, 第一批, 唯一: the numeral is part of a word
    try:
        value = parse_numeral(num)
    except ValueError:
        return None
    if m.group("mult"):
        try:
            value *= parse_numeral("1" + m.group("mult"))
        except ValueError:
            return None
    end = m.end()
    if unit == "次" and text.startswith("性", end):
        return None  # 一次性 (one-off) is a word, not a count
    if unit in MONEY_UNITS and _NOT_MONEY_AFTER.match(text, end):
        return None  # 二元结构, 一元化, 元旦
    if unit in MONEY_UNITS and is_cn and value < 10 and not m.group("mult"):
        return None  # 一元, 二元: almost always a word, not an amount
    qualifier = None
    approx, post = m.group("approx"), m.group("post")
    if approx:
        qualifier = "at_least"
    if post:
        qualifier = qualifier_of(post)
    start = m.start()
    pre = _PRE_QUALIFIER.search(text, max(0, start - 3), start)
    if pre and qualifier is None:
        qualifier = qualifier_of(pre.group())
        start = pre.start()
    elif pre:
        start = pre.start()
    return Quantity(value=value, unit=unit, qualifier=qualifier, start=start, end=end,
                    num_start=m.start("num") if not m.group("pct") else m.start(), num_end=m.end("num"))


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every number in ``text[start:end]`` with its unit, qualifier and span (ranges merged)."""
    end = len(text) if end is None else end
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(text, start, end):
        q = _one(text, m)
        if q is not None:
            found.append(q)
    return _merge_ranges(text, found)


def _merge_ranges(text: str, found: list[Quantity]) -> list[Quantity]:
    out: list[Quantity] = []
    for q in found:
        if out:
            p = out[-1]
            gap = _RANGE_GAP.fullmatch(text, p.end, q.num_start)
            if (gap and p.max_value is None and (p.unit is None or p.unit == q.unit)
                    and q.unit is not None and q.value >= p.value):
                lower = p.value
                if p.unit is None and q.unit is not None:
                    # 100-200元 / 1-2万元: the multiplier of the upper end applies to the lower
                    mult = _mult_suffix(text[q.num_start:q.num_end])
                    lower = p.value * mult if mult and p.value * mult <= q.value else p.value
                out[-1] = Quantity(value=lower, unit=q.unit, qualifier=p.qualifier or q.qualifier,
                                   start=p.start, end=q.end, num_start=p.num_start, num_end=p.num_end,
                                   max_value=q.value)
                continue
        out.append(q)
    return out


_MULT_SUFFIX = re.compile(rf"[{_M}]+$")


def _mult_suffix(num: str) -> Decimal | None:
    m = _MULT_SUFFIX.search(num)
    if not m or num[0] not in "0123456789":
        return None
    try:
        return parse_numeral("1" + m.group())
    except ValueError:
        return None


def find_money(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Amounts in yuan in ``text[start:end]`` (``200元``, ``1.2万元``, ``二百元``, ``100-200元``)."""
    return [q for q in find_quantities(text, start, end) if q.is_money]
