"""Entity recognisers: regions, agencies, programs, family types and people, by general rules and lexicons.

Every recogniser works on the normalised text and returns :class:`Candidate`
spans; :func:`recognise` flattens them (a mention inside a longer mention is
not a mention of its own, except a family type inside a program name) and
:func:`resolve` groups them into entities with canonical names, aliases and
regions, resolving short forms (市人口计生委, 计生协) within their section.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from hfkg.extract import lexicon as lx
from hfkg.extract.fastre import branches
from hfkg.extract.mentions import Mention
from hfkg.extract.normalize import NormText, canonical_name
from hfkg.extract.sections import SectionInfo

if TYPE_CHECKING:
    from hfkg.extract.gazetteer import TextScan

_TYPE_PRIORITY = {"Agency": 0, "Program": 1, "Person": 2, "FamilyType": 3, "Region": 4}


@dataclass
class Candidate:
    type: str
    start: int
    end: int
    name: str  # canonical name before resolution
    region: str | None = None
    optional: bool = False
    roles: tuple[str, ...] = ()
    national: bool = False
    short: bool = False  # a short form to be resolved within its section
    info: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------- helpers


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _first_chars(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """First character -> the words starting with it, in their given order."""
    out: dict[str, list[str]] = {}
    for w in words:
        out.setdefault(w[0], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


_STOP_WORD_RE = re.compile(branches(lx.STOP_WORDS))
_ORG_STOP_WORD_RE = re.compile(branches(lx.STOP_WORDS + lx.ORG_STOP_WORDS))
_QUOTE_RE = re.compile(r"“([^“”\n]{1,40})”|「([^「」\n]{1,40})」|『([^『』\n]{1,40})』")
_BOOK_RE = re.compile(r"《[^《》\n]{1,60}》")


@dataclass
class Places:
    """The place names of one document, which a leftward name scan crosses whole (成都市: 都 must not stop it)."""

    start_at_end: dict[int, int] = field(default_factory=dict)  # end -> start of each place name
    inside: set[int] = field(default_factory=set)  # positions strictly inside a place name
    starts: set[int] = field(default_factory=set)  # where a place name starts

    @classmethod
    def of(cls, regions: Iterable[Candidate]) -> Places:
        regions = list(regions)
        return cls({c.end: c.start for c in regions}, {p for c in regions for p in range(c.start + 1, c.end)},
                   {c.start for c in regions})

    def overlaps(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` starts inside a place name or holds two adjacent characters of one (会同 of 会同县)."""
        return any(p in self.inside for p in range(start, end))

    def is_name(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` is exactly a place name."""
        return start < end and self.start_at_end.get(end) == start


def _scan_left(text: str, end: int, places: Places, max_len: int = 20, allow_and: bool = False, floor: int = 0,
               keep_adjacent: bool = False) -> int:
    """Start of the name that ends at ``end``: back to the nearest stop character or stop word (or ``floor``).

    A place name is crossed whole: one that ends inside the window counts as a unit even when it starts before
    the window (积石山保安族东乡族撒拉族自治县人力资源和社会保障局), and a stop word that overlaps it is part of
    the place, not a stop (会同 in 会同县卫生局).  With ``keep_adjacent`` a stop word right before
    ``end`` belongs to the name (指导 in 家庭发展指导中心).
    """
    lo = max(0, end - max_len, floor)
    protected = places.start_at_end
    i = end
    while i > lo:
        p = protected.get(i)
        if p is not None and p >= floor:
            i = p
            continue
        ch = text[i - 1]
        if ch in lx.STOP_CHARS:
            break
        if ch == "和" and not allow_and and not _in_and_compound(text, i - 1):
            break
        i -= 1
    window_start = i
    last = window_start
    rx = _ORG_STOP_WORD_RE if keep_adjacent else _STOP_WORD_RE
    for m in rx.finditer(text, max(0, window_start - 2), end):
        if m.end() <= window_start or (keep_adjacent and m.end() == end and m.group() in lx.ORG_STOP_WORDS):
            continue
        if not places.overlaps(m.start(), m.end()):
            last = max(last, m.end())
    return last


def _in_and_compound(text: str, pos: int) -> bool:
    for comp in lx.AND_COMPOUNDS:
        k = comp.find("和") if "和" in comp else comp.find("与")
        if k >= 0 and text.startswith(comp, pos - k):
            return True
    return False


_LEADING_BY_CHAR = _first_chars(lx.LEADING_STRIP)


def _strip_leading(text: str, start: int, end: int, min_rest: int) -> int:
    """Drop words of ``LEADING_STRIP`` (the first that fits, in its order) from ``start`` while enough is left."""
    while start < len(text):
        for w in _LEADING_BY_CHAR.get(text[start], ()):
            if text.startswith(w, start) and end - start - len(w) >= min_rest:
                start += len(w)
                break
        else:
            return start
    return start


@lru_cache(maxsize=8)
def _tail_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(f"({_alt(words)})了?$")


_PROGRAM_VERB_TAIL = (_tail_regex(lx.PROGRAM_VERBS), max(map(len, lx.PROGRAM_VERBS)) + 1)  # not re-hashed per call


def _word_before(text: str, start: int, words: tuple[str, ...]) -> str | None:
    """The word of ``words`` that ends right before ``start`` (allowing a 了 in between)."""
    if words is lx.PROGRAM_VERBS:
        rx, longest = _PROGRAM_VERB_TAIL
    else:
        rx, longest = _tail_regex(words), max(map(len, words)) + 1
    m = rx.search(text, max(0, start - longest), start)
    return m.group(1) if m else None


# ----------------------------------------------------------------------------- regions


RegionScans = dict[tuple[int, int], "TextScan"]  # section span -> its gazetteer scan


def region_candidates(text: str, sections: list[SectionInfo], scans: RegionScans | None = None) -> list[Candidate]:
    """Region mentions, section by section, short forms resolved in the section's region when it has one.

    ``scans`` keeps each section's gazetteer scan (by its span) for the next call on the same document.
    """
    from hfkg.extract import gazetteer as gz

    out: list[Candidate] = []
    scans = {} if scans is None else scans
    for sec in sections or [None]:
        lo, hi = (sec.start, sec.end) if sec else (0, len(text))
        ctx = gz.RegionContext.of(sec.region) if sec and sec.region else None
        scan = scans.get((lo, hi))
        if scan is None:
            scan = scans[(lo, hi)] = gz.TextScan(text[lo:hi])
        for h in gz.find_regions(scan.text, ctx, scan=scan):
            if h.surface[0] in "和与及" and lo + h.start > 0 and "\u4e00" <= text[lo + h.start - 1] <= "\u9fff":
                continue  # …和县(市、区): a conjunction, not 和县
            out.append(Candidate("Region", lo + h.start, lo + h.end, h.name, region=h.parent,
                                 info={"code": h.code or "", "level": h.level or ""}))
    return out


@lru_cache(maxsize=1 << 14)
def region_of_name(name: str) -> tuple[str | None, bool, str]:
    """(region prefix of an organisation name, national?, the rest)."""
    from hfkg.extract import gazetteer as gz

    for p in lx.NATIONAL_PREFIXES:
        if name.startswith(p) and len(name) > len(p) + 1:
            return None, True, name[len(p):]
    split = gz.region_prefix(name)
    if split:
        region, rest = split
        return region.name, False, rest
    return None, False, name


# ----------------------------------------------------------------------------- agencies

_SELF_STANDING = frozenset({"发改委", "教委", "妇联", "残联", "侨联", "科协", "文联", "团委", "总工会", "计生协", "计生委",
                            "卫计委", "卫健委", "人口委", "市委", "省委", "区委", "县委", "州委", "市政府", "区政府",
                            "县政府", "省政府", "国务院"})
_ORG_UNIT = f"{_alt(lx.ORG_SUFFIXES)}|(?:{_alt(lx.MINISTRY_STEMS)})部"
# (?:SUFFIX|STEM部)+, spelt one branch per word so that re can skip to the possible first characters
_ORG_RE = re.compile(branches(lx.ORG_SUFFIXES, f"(?:{_ORG_UNIT})*") + "|"
                     + branches(lx.MINISTRY_STEMS, f"部(?:{_ORG_UNIT})*"))
_SUBUNIT_RE = re.compile(f"(?:{_alt(s for s in lx.ORG_SUFFIXES if len(s) >= 2)})[\u4e00-\u9fff]{{2,8}}(?:司|处)$")
_COUNT_AFTER = re.compile(r"\d+(?:个|所|家|座|处)")
_COUNT_BUILT_BEFORE = re.compile(r"\d+个[^,。;:\n]{0,10}(?:建成|建立|设立|挂牌|成立)$")
_GENERIC_PLACE_START = ("社区", "乡镇", "村级", "基层", "街道", "镇村", "村居", "城乡", "县乡", "县级", "乡级")
_ALIAS_DECL = re.compile(r"简称[“\"]?$")
_PLURAL_BEFORE = re.compile(r"各[^,。;:\n]{0,14}$|(?:\d+个|多个|部分)[^,。;:\n的]{0,7}$")
_ORDINAL_RE = re.compile(r"第[一二三四五六七八九十\d]+[届次]")
_NOT_ORG_TAIL = ("公办", "民办", "格局", "布局", "大局", "全局", "结局", "开局", "时局", "客厅", "大厅", "餐厅", "展厅",
                 "开办", "举办", "承办", "主办", "协办", "创办", "兴办", "督办", "交办", "申办", "代办", "包办", "查办", "中心城",
                 "重中心", "政府购买", "政府主导", "政府职能")
_ORG_BAD_START = ("各", "有关", "相关", "全", "该", "本", "这", "那", "其", "每", "某", "区县", "基层", "主管", "分管")
_NOT_ORG_TAIL_END = re.compile(f"(?:{_alt(_NOT_ORG_TAIL)})\\Z")
_NOT_ORG_TAIL_START = re.compile(_alt(_NOT_ORG_TAIL))
_NOT_ORG_TAIL_LEN = max(map(len, _NOT_ORG_TAIL))


def _tail_clash(text: str, s: int, e: int) -> bool:
    """A word of ``_NOT_ORG_TAIL`` ends at ``e`` or starts at ``s - 1`` or ``s`` (公办, 格局, 开办 …)."""
    return (_NOT_ORG_TAIL_END.search(text, max(0, e - _NOT_ORG_TAIL_LEN), e) is not None
            or (s >= 1 and _NOT_ORG_TAIL_START.match(text, s - 1) is not None)
            or _NOT_ORG_TAIL_START.match(text, s) is not None)


def _alias_declarations(text: str, cands: list[Candidate]) -> None:
    """A(以下简称B): B becomes an alias of A (recorded on A's candidate as info["declares"])."""
    ends = {c.end: c for c in cands if c.type == "Agency"}
    for m in re.finditer(r"\((?:以下)?简称[“\"]?([^()“”\"]{2,16})[”\"]?\)", text):
        owner = ends.get(m.start())
        if owner is not None:
            cands.append(Candidate("Agency", m.start(1), m.end(1), canonical_name(m.group(1)),
                                   info={"declared_by": owner.name}))


def _plural_before(text: str, start: int, places: Places) -> bool:
    """``_PLURAL_BEFORE`` ends at ``start``, its 各 not a character of a place name (隆林各族自治县总工会)."""
    pos = max(0, start - 16)
    while (m := _PLURAL_BEFORE.search(text, pos, start)) is not None:
        if not (text[m.start()] == "各" and m.start() in places.inside):
            return True
        pos = m.start() + 1
    return False


def _agency_hits(text: str, places: Places) -> list[Candidate]:
    out = []
    prev_end = 0
    for m in _ORG_RE.finditer(text):
        s, e = m.start(), m.end()
        floor = prev_end if not m.group().endswith(lx.SUBUNIT_SUFFIXES) else 0
        prev_end = e
        if text[e - 1] == "委" and text.startswith("员会", e):
            e += 2  # 卫生健康委 + 员会 = 卫生健康委员会
        while e - s > 1 and text[e:e + 1] == "长" and text[e - 1] in "局厅部会院所处站办委司科":
            e -= 1  # 计生局局长: the last 局 belongs to the title
        if e <= s:
            continue
        if _tail_clash(text, s, e) and text[s:e] not in _SELF_STANDING:
            continue
        start = _scan_left(text, s, places, max_len=18, floor=floor, keep_adjacent=True)
        at_place = start in places.starts  # a name opening with a place name (全椒县…, 本溪市…, 那坡县…)
        if not at_place:
            start = _strip_leading(text, start, e, 2)
        if (o := _ORDINAL_RE.match(text, start, e)) is not None:
            start = o.end()
        if start > 0 and text[start - 1] == "各":
            continue
        name = text[start:e]
        if text.startswith(lx.TITLE_AFTER_ORG, e) and name in _SELF_STANDING:
            continue
        if text[e - 1] == "办" and text[e:e + 1] in "理法事好学公成结实案":
            continue  # 办理, 办法 …: a verb, not an office
        if name == text[s:e] and name in lx.ORG_SUFFIXES and name not in _SELF_STANDING and len(name) <= 4:
            if name == "领导小组":  # the leading group named in full earlier (resolved per section)
                out.append(Candidate("Agency", start, e, name, info={"bare": "1"}))
            continue  # a bare suffix (办公室, 委员会) names nothing
        if name.startswith(_GENERIC_PLACE_START):
            continue  # 社区卫生服务中心, 乡镇计生办: a kind of body, not a named one
        if text[s:e] == "中心" and places.is_name(start, s):
            continue  # 广州市中心: the city centre
        if _ALIAS_DECL.search(text, max(0, start - 6), start):
            continue  # (以下简称市计生协): an alias declaration, resolved to the body it follows
        if _plural_before(text, start, places):
            continue  # 各省(区、市)卫生计生委和计生协: a class of bodies, not one
        if _COUNT_AFTER.match(text, e) or _COUNT_BUILT_BEFORE.search(text, max(0, start - 24), start):
            continue  # 建成服务站48个 / 在19个镇街建成…中心: facilities counted, not a named body
        stem = text[start:s]
        if len(name) < 3 and name not in _SELF_STANDING:
            continue
        if stem in lx.GENERIC_ORG_STEMS or (name.startswith(_ORG_BAD_START) and not at_place):
            continue  # 各/该/本/全… as a determiner; the first character of a place name is none (本溪市, 全椒县)
        if text[s:e] in ("办", "局", "厅", "中心", "政府") and len(stem) < 2 and stem not in ("市", "省", "区", "县", "镇", "乡"):
            continue
        if m.group()[-1:] in "司处" and m.group()[-3:] != "办事处" and not _SUBUNIT_RE.search(name):
            continue  # 公司, 此处, 好处: only a unit inside a named body (…委家庭发展司) counts
        if text[s:e] == "政府" and stem not in ("市", "省", "区", "县", "镇", "乡") and not stem.endswith(("市", "省", "区", "县")):
            continue
        out.append(Candidate("Agency", start, e, canonical_name(name)))
    return out


# ----------------------------------------------------------------------------- programs

_HEAD_RE = re.compile(branches(('计划', '工程', '项目', '活动', '行动', '制度', '政策'),
                               "(?!生育|经济|书|性|化|师|中心|室|部|组|办|站|经费|资金|建设|管理|实施|领导|单位|人员|区|点)"))
_NUMERAL = r"[一二三四五六七八九十两\d]"
# NUMERAL+…, spelt NUMERAL NUMERAL*… so that re can skip to the possible first characters
_NUMBERED_HEAD_RE = re.compile(rf"{_NUMERAL}{_NUMERAL}*[大项个类][\u4e00-\u9fff]{{2,8}}?(?:工程|项目|计划|活动|行动)")
_ETC_HEAD_RE = re.compile(r"等[\u4e00-\u9fff]{0,8}?(?:工程|项目|计划|活动|行动)")
_GENERIC_STEM = re.compile(f"(?:{_alt(lx.GENERIC_PROGRAM_WORDS)}|和|与|及)+")
_POLICY_STEM = re.compile(r"扶助|奖励|补助|补贴|救助|优惠|保障|关怀|帮扶|五保|低保")
_LISTED_AFTER = re.compile(r"列为|列入|纳入|作为|当作|摆上")
_ENDS_HEAD_RE = re.compile(f"(?:{_alt(lx.PROGRAM_HEADS)})$")
_VERB_RE = re.compile(branches(lx.PROGRAM_VERBS, "了?"))
_SLOGAN_RE = re.compile(r"[、,，;；。.!！?？·．]")


def _quoted(text: str) -> list[tuple[int, int, int, int]]:
    """(quote start, quote end, inner start, inner end) of every quoted phrase."""
    out = []
    for m in _QUOTE_RE.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i) is not None)
        out.append((m.start(), m.end(), m.start(g), m.end(g)))
    return out


_QUOTE_HEADS = tuple(sorted(lx.QUOTE_HEADS, key=len, reverse=True))
_QUOTE_HEAD_FIRST = frozenset(h[0] for h in _QUOTE_HEADS) | {"的"}
_NUMERAL_START = re.compile(r"[一二三四五六七八九十两\d]")
_SENTENCE_MARK = re.compile(r"[,;。.!?·．]")
_QUOTE_TAIL_RE = re.compile(f"[\u4e00-\u9fff]{{1,10}}?(?:{_alt(('项目', '工程', '计划', '行动', '活动', '制度', '政策'))})")


def _quote_head(text: str, qe: int) -> str | None:
    """The head noun completing a quoted name (“五保”政策, “阳光”儿童早期发展促进项目), if any."""
    if text[qe:qe + 1] in _QUOTE_HEAD_FIRST:  # else no head (nor 的工作思路) starts here
        for h in _QUOTE_HEADS:
            if text.startswith(h, qe):
                return h
            if h == "工作思路" and text.startswith("的" + h, qe):
                return "的" + h
    m = _QUOTE_TAIL_RE.match(text, qe)
    if m and not _STOP_WORD_RE.search(m.group()) and not any(ch in lx.STOP_CHARS or ch in "和与" for ch in m.group()) \
            and not _NUMERAL_START.match(m.group()) and not _ETC_HEAD_RE.match(m.group()):
        return m.group()
    return None


def _program_hits(text: str, quotes: list[tuple[int, int, int, int]], books: list[tuple[int, int]],
                  family_re: re.Pattern[str], places: Places) -> list[Candidate]:
    out: list[Candidate] = []
    in_book = _interval_test(books)
    for qs, qe, s, e in quotes:
        if in_book(qs):
            continue
        inner = text[s:e]
        head = _quote_head(text, qe)
        if head:
            name = canonical_name(inner + head.lstrip("的"))
            if _SENTENCE_MARK.search(inner) or family_re.fullmatch(inner) or len(inner) > 16:
                continue
            out.append(Candidate("Program", qs, qe + len(head), name, info={"alias": canonical_name(inner),
                                                                         "quoted": "1"}))
            continue
        if _SLOGAN_RE.search(inner) or family_re.fullmatch(inner) or _ORG_RE.search(inner[-4:]) \
                or inner.endswith(lx.PLACE_SUFFIXES):
            continue
        if len(inner) < 2 or inner.isdigit():
            continue
        ends_head = bool(_ENDS_HEAD_RE.search(inner))
        verb = _word_before(text, qs, lx.PROGRAM_VERBS)
        listed = _in_list(text, qs, qe) and _word_before(text, _list_start(text, qs), lx.PROGRAM_VERBS) is not None
        if ends_head or verb or listed:
            out.append(Candidate("Program", s, e, canonical_name(inner), info={"quoted": "1"}))
        else:
            out.append(Candidate("Program", s, e, canonical_name(inner), info={"quoted": "1", "weak": "1"}))
    out.extend(_head_programs(text, in_book, places))
    out.extend(_enumerations(text, quotes))
    out.extend(_bracketed_members(text, out))
    return out


_BRACKET_LIST = re.compile(r"\(([\u4e00-\u9fff]{2,10}(?:、[\u4e00-\u9fff]{2,10}){1,7})\)")


def _bracketed_members(text: str, programs: list[Candidate]) -> list[Candidate]:
    """“三帮”行动(帮扶增收、帮扶助学、帮扶解困): the bracketed items are the program's members."""
    ends = {c.end: c for c in programs if not c.info.get("weak")}
    out = []
    for m in _BRACKET_LIST.finditer(text):
        head = ends.get(m.start())
        if head is None:
            continue
        group = f"b{m.start()}"
        head.info["enum_head"] = group
        pos = m.start(1)
        for item in m.group(1).split("、"):
            out.append(Candidate("Program", pos, pos + len(item), item, info={"strong": "1", "enum_member": group}))
            pos += len(item) + 1
    return out


def _interval_test(spans: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    starts = [s for s, _ in spans]

    def inside(pos: int) -> bool:
        k = bisect.bisect_right(starts, pos) - 1
        return k >= 0 and spans[k][0] <= pos < spans[k][1]

    return inside


def _list_start(text: str, qs: int) -> int:
    """Start of a list of quoted items that ends with the quote at ``qs``."""
    pos = qs
    steps = 0
    while pos >= 2 and text[pos - 2:pos] in ("”、", "”和", "”及") and steps < 40:
        steps += 1
        k = text.rfind("“", 0, pos - 2)
        if k < 0 or pos - k > 42:
            break
        pos = k
    return pos


def _in_list(text: str, qs: int, qe: int) -> bool:
    """A quoted item that stands in a list of quoted items (“A”、“B”和“C”)."""
    before = text[max(0, qs - 2):qs]
    after = text[qe:qe + 2]
    return before.endswith(("”、", "”和", "”及")) or after.startswith(("、“", "和“", "及“"))


def _head_programs(text: str, in_book, places: Places) -> list[Candidate]:  # type: ignore[no-untyped-def]
    out = []
    for m in _HEAD_RE.finditer(text):
        s, e = m.start(), m.end()
        if in_book(s) or (s > 0 and text[s - 1] in "”」』"):
            continue
        scan_start = _scan_left(text, s, places, max_len=24, allow_and=True)
        start = _strip_leading(text, scan_start, e, 5)
        stem = text[start:s]
        if len(stem) < 3 or stem[0] in "和与及" or _GENERIC_STEM.fullmatch(stem):
            continue
        before = text[start - 1] if start > 0 else ""
        verb = _word_before(text, start, lx.PROGRAM_VERBS) or _word_before(text, scan_start, lx.PROGRAM_VERBS)
        if before == "的" and not verb:
            continue
        head = text[s:e]
        if head == "政策" and not _POLICY_STEM.search(stem):
            continue
        if head == "制度" and not _POLICY_STEM.search(stem):
            continue
        if not verb and before in "把将" and _LISTED_AFTER.match(text, e):
            verb = before
        if not verb and head in ("制度", "政策") and len(stem) >= 6 and _POLICY_STEM.search(stem):
            verb = "policy"  # 计划生育家庭特别扶助制度: a named scheme even without an introducing verb
        strength = "strong" if verb else "weak"
        out.append(Candidate("Program", start, e, canonical_name(text[start:e]), info={strength: "1"}))
    return out


_COUNTED_HEAD = re.compile(r"[一二三四五六七八九十两\d]+[大项个类](?:工程|项目|计划|活动|行动)$")
_ITEM_SEP = re.compile(r"、|以及|和|及")
_QUOTE_MARKS = re.compile(r"[“”「」『』]")


def _enumerations(text: str, quotes: list[tuple[int, int, int, int]]) -> list[Candidate]:
    """Members (and named heads) of enumerated program sets: 实施了A、“B”…和C三大惠民工程; 实施A、B和C等项目."""
    out = []
    for rx, named in ((_NUMBERED_HEAD_RE, True), (_ETC_HEAD_RE, False)):
        for m in rx.finditer(text):
            hs, he = m.start(), m.end()
            head_text = m.group()
            is_named = named and not _COUNTED_HEAD.match(head_text)
            lo = max(0, hs - 120)
            seg = text[lo:hs]
            cut = max(seg.rfind(","), seg.rfind("。"), seg.rfind(";"), seg.rfind(":"), seg.rfind("\n"))
            seg_start = lo + cut + 1
            vm = None
            for v in _VERB_RE.finditer(text[seg_start:hs]):
                vm = v
            if vm is None:
                continue
            list_start = seg_start + vm.end()
            items = _split_items(text, list_start, hs)
            if len(items) < 2:
                continue
            group = f"{hs}"
            if is_named:
                out.append(Candidate("Program", hs, he, canonical_name(head_text), info={"strong": "1",
                                                                                          "enum_head": group}))
            for s, e in items:
                info = {"strong": "1", "enum_member": group} if is_named else {"strong": "1", "enum_list": group}
                out.append(Candidate("Program", s, e, canonical_name(text[s:e]), info=info))
    return out


def _split_items(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    seg = text[lo:hi]
    parts: list[tuple[int, int]] = []
    pos = 0
    for m in _ITEM_SEP.finditer(seg):
        if m.group() == "和" and _in_quote(seg, m.start()):
            continue
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(seg)))
    items = []
    for s, e in parts:
        a, b = lo + s, lo + e
        if b - a > 2 and text[a] in "“「『" and text[b - 1] in "”」』":
            a, b = a + 1, b - 1  # a wholly quoted item: the span leaves the quotes out
        body = text[a:b]
        bare = _QUOTE_MARKS.sub("", body)
        if not (2 <= len(bare) <= 20) or _SLOGAN_RE.search(bare) or body.count("“") != body.count("”"):
            return []
        items.append((a, b))
    return items


def _in_quote(seg: str, pos: int) -> bool:
    return seg.count("“", 0, pos) > seg.count("”", 0, pos)


# ----------------------------------------------------------------------------- family types


@lru_cache(maxsize=1)
def family_regex() -> re.Pattern[str]:
    tax = lx.family_taxonomy()
    words = [m for m in lx.FAMILY_MODIFIERS if m != "和"]
    mods = _alt(words)
    not_after = "(?!口|籍|主|型|数)"
    # (?:TAXONOMY)NOT_AFTER|(?:MOD)(?:MOD|和MOD)*(?:家庭|户)NOT_AFTER, one branch per word (see fastre)
    return re.compile(branches(tax, not_after) + "|" + branches(words, f"(?:(?:{mods})|和(?:{mods}))*(?:家庭|户){not_after}"))


@lru_cache(maxsize=1)
def _elliptic_regex() -> re.Pattern[str]:
    mods = _alt(m for m in lx.FAMILY_MODIFIERS if m != "和")
    return re.compile(f"(?P<shared>独生子女|计划生育|计生|农村|城镇)(?P<a>(?:{mods}){{1,2}})[、和及](?P<b>(?:{mods}){{1,2}})"
                      f"(?P<head>家庭|户)")


def _elliptic_family_hits(text: str) -> list[Candidate]:
    """独生子女伤残、死亡家庭: one family type per conjunct, both over the whole expression."""
    tax = lx.family_taxonomy()
    out = []
    for m in _elliptic_regex().finditer(text):
        surface = m.group()
        for part in ("a", "b"):
            full = m.group("shared") + m.group(part) + m.group("head")
            ft = tax.get(full)
            out.append(Candidate("FamilyType", m.start(), m.end(), ft.name if ft else full,
                                 info={"alias": surface, "elliptic": "1"}))
    return out


def _family_hits(text: str) -> list[Candidate]:
    tax = lx.family_taxonomy()
    out = _elliptic_family_hits(text)
    covered = _containment_test([(c.start, c.end) for c in out])
    for m in family_regex().finditer(text):
        s, e = m.start(), m.end()
        if covered(s, e):
            continue
        surface = m.group()
        ft = tax.get(surface)
        if ft is None:
            ft = _taxonomy_suffix(surface)
            if ft is not None and ft.name != surface and len(surface) - len(ft.name) <= 2 and \
                    surface[: len(surface) - len(ft.name)] in ("部分", "特殊", "困难"):
                ft = None
        name = ft.name if ft else surface
        if ft is None and (surface.endswith("户") and len(surface) < 3):
            continue
        out.append(Candidate("FamilyType", s, e, name, optional=bool(ft and ft.generic),
                             info={"alias": surface, "slug": ft.slug if ft else ""}))
    return out


def _containment_test(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test whether ``[s, e)`` lies inside one of ``spans`` (by bisection, not a scan of every span)."""
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    reach: list[int] = []  # the furthest end among the spans up to each one
    for _, b in ordered:
        reach.append(max(b, reach[-1]) if reach else b)

    def covered(s: int, e: int) -> bool:
        k = bisect.bisect_right(starts, s)
        return k > 0 and reach[k - 1] >= e

    return covered


def _taxonomy_suffix(surface: str) -> lx.FamilyType | None:
    """A known type behind a free modifier: 首都计划生育家庭, 农村独女户 (when 农村独女户 is not a type itself)."""
    tax = lx.family_taxonomy()
    for k in range(1, len(surface) - 1):
        if surface[k:] in tax and surface[:k] in ("首都", "全市", "广大", "城乡", "农村", "城镇", "城市", "全省", "全县"):
            return tax[surface[k:]]
    return None


# ----------------------------------------------------------------------------- people

_TITLE_RE = re.compile(branches(t for t in lx.PERSON_TITLES if t != "同志"))
_TITLE_END_RE = re.compile(f"(?:{_TITLE_RE.pattern})$")
_NAME_END = ("同志", "出席", "主持", "指出", "表示", "讲话", "强调", "参加", "介绍", "说", "在", "等", "一行", "到", "对",
             "为", "致辞", "宣布", "作", "会见", "调研", "视察", "考察", "任", "担任", "兼任", "牵头", "带队", "率",
             "报道", "摄", "通讯员", "和", "及", "与", "分别", "也", "还", "要求", "希望", "提出", "认为")


def _person_hits(text: str) -> list[Candidate]:
    out = []
    for m in _TITLE_RE.finditer(text):
        pos = m.end()
        if text[pos:pos + 1] == " ":
            pos += 1  # (记者　周文静)
        name = _name_at(text, pos)
        if not name:
            continue
        roles = _roles_before(text, m.end())
        out.append(Candidate("Person", pos, pos + len(name), name, roles=tuple(roles)))
    return out


_HAN_NAME = re.compile(r"[\u3400-\u9fff]+")
_ROLE_SEP = re.compile(r"、|和")
_NOT_NAME_END = ("长", "组", "员", "任", "席", "记", "理", "部", "委", "会", "处", "局", "同志")


def _name_at(text: str, pos: int) -> str | None:
    two = text[pos:pos + 2]
    if two in lx.COMPOUND_SURNAMES:
        cands = [text[pos:pos + 3], text[pos:pos + 4]]
    elif text[pos:pos + 1] in lx.SURNAMES:
        cands = [text[pos:pos + 3], text[pos:pos + 2]]
    else:
        return None
    for c in cands:
        if len(c) < 2 or not _HAN_NAME.fullmatch(c) or c.endswith(_NOT_NAME_END):
            continue
        after = text[pos + len(c):]
        if after[:1] in (",", "、", "。", ";", "(", ")", "\n", " ", "") or after.startswith(_NAME_END):
            return c
    return None


def _roles_before(text: str, title_end: int) -> list[str]:
    lo = max(0, title_end - 40)
    seg = text[lo:title_end]
    cut = max(seg.rfind(","), seg.rfind("。"), seg.rfind(";"), seg.rfind("\n"), seg.rfind("在"), seg.rfind("由"))
    seg = seg[cut + 1:]
    roles = [r for r in _ROLE_SEP.split(seg) if r and _TITLE_END_RE.search(r)]
    return [canonical_name(r) for r in roles]


# ----------------------------------------------------------------------------- flattening


def _flatten(cands: list[Candidate]) -> list[Candidate]:
    """Drop candidates inside longer ones (and exact duplicates); family types inside programs are kept."""
    cands = sorted(cands, key=lambda c: (c.start, -(c.end - c.start), _TYPE_PRIORITY[c.type]))
    kept: list[Candidate] = []
    ends: list[int] = []  # kept[i].end
    for c in cands:
        # a duplicate or a clash ends at or after c.start: none among the last 12 kept, nothing to look for
        same, clash = _same_or_clash(kept, c) if ends and max(ends[-12:]) >= c.start else (None, None)
        if same is not None:
            _merge_info(same, c)
        elif clash is None:
            kept.append(c)
            ends.append(c.end)
        elif c.type == "FamilyType" and clash.type == "Program":
            c.info["nested"] = "1"
            kept.append(c)
            ends.append(c.end)
    return kept


def _same_or_clash(kept: list[Candidate], c: Candidate) -> tuple[Candidate | None, Candidate | None]:
    """Among the last 12 kept, nearest first: an exact duplicate of ``c`` (which wins), else the first one that
    contains ``c`` or that ``c`` crosses (an elliptic family type does not clash with its twin)."""
    cs, ce, ctype, cname = c.start, c.end, c.type, c.name
    clash = None
    for i in range(len(kept) - 1, max(-1, len(kept) - 13), -1):
        k = kept[i]
        ks, ke = k.start, k.end
        if ks == cs and ke == ce and k.type == ctype:
            if k.name == cname:
                return k, None
            if c.info.get("elliptic"):
                continue
        if clash is None and ((ks <= cs and ce <= ke) or (ke > cs and cs > ks and ce > ke)):
            clash = k
    return None, clash


def _merge_info(same: Candidate, c: Candidate) -> None:
    """A duplicate's cues join the kept candidate (and a strong duplicate makes it strong)."""
    for key, val in c.info.items():
        if val and key != "weak":
            same.info.setdefault(key, val)
    if not c.info.get("weak"):
        same.info.pop("weak", None)


def recognise(norm: NormText, sections: list[SectionInfo], scans: RegionScans | None = None) -> list[Candidate]:
    """All entity candidates of a document, flattened (``scans``: see :func:`region_candidates`)."""
    text = norm.text
    quotes = _quoted(text)
    books = [(m.start(), m.end()) for m in _BOOK_RE.finditer(text)]
    fam_re = family_regex()
    regions = region_candidates(text, sections, scans)
    places = Places.of(regions)
    agencies = _agency_hits(text, places)
    _alias_declarations(text, agencies)
    cands = (regions + agencies + _program_hits(text, quotes, books, fam_re, places)
             + _family_hits(text) + _person_hits(text))
    authors = author_candidates(text, sections)
    if authors:
        cands = _without_crossing(cands, authors) + authors
    return _flatten(cands)


def author_candidates(text: str, sections: list[SectionInfo]) -> list[Candidate]:
    """One agency per token of a section's author line (or closing signature).

    The layout of the genre names each authoring organisation in full, separated by spaces, so the token is the
    name whatever the suffix grammar makes of it; the section's ``authored`` relations refer to these mentions.
    """
    return [Candidate("Agency", s, e, canonical_name(text[s:e]), info={"author": "1"})
            for sec in sections for s, e, _raw in sec.author_spans]


def _without_crossing(cands: list[Candidate], spans: list[Candidate]) -> list[Candidate]:
    """``cands`` less those that overlap one of ``spans`` without lying inside it (an author token is one name)."""
    ordered = sorted((c.start, c.end) for c in spans)
    starts = [s for s, _ in ordered]

    def crosses(c: Candidate) -> bool:
        # the spans are disjoint: if any overlaps c, the last one starting before c ends does
        k = bisect.bisect_left(starts, c.end) - 1
        if k < 0:
            return False
        s, e = ordered[k]
        return e > c.start and not (s <= c.start and c.end <= e)

    return [c for c in cands if not crosses(c)]


def to_mentions(cands: list[Candidate]) -> list[Mention]:
    return [Mention(c.type, c.start, c.end, "", c.name, c.region, c.optional) for c in cands]
