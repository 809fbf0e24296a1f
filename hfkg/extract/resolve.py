"""Entity resolution within a document: candidates to entities with canonical names, aliases and regions.

* Sections get their region from their authors' region prefix (北京市人口和计划生育委员会 -> 北京市) or,
  failing that, from the regions they name most.
* Short agency names (市人口计生委, 计生协会, 市委) become aliases of the full name the document spells out
  in the same region, by the abbreviation rules of :mod:`lexicon`; otherwise they keep their short form as
  name and get the section's region (区/县 forms: the district named nearest before).
* Programs are kept when a strong cue confirms them somewhere in the document (a quote with a head noun, an
  introducing verb, an enumeration); every other occurrence of a confirmed name then counts as a mention.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from hfkg.extract import lexicon as lx
from hfkg.extract.entities import Candidate, _flatten, region_of_name
from hfkg.extract.normalize import NormText, canonical_name
from hfkg.extract.records import Entity, Span
from hfkg.extract.sections import SectionInfo

_NATIONAL = "\x00national"
TYPE_ORDER = {"Region": 0, "Agency": 1, "Person": 2, "Program": 3, "FamilyType": 4}


@dataclass
class Resolved:
    """The entities of a document plus, for every kept candidate, the entity key it resolved to."""

    entities: list[Entity]
    keys: list[tuple[Candidate, tuple[str, str, str | None]]] = field(default_factory=list)


class SectionIndex:
    def __init__(self, sections: list[SectionInfo]) -> None:
        self.sections = sections
        self._starts = [s.start for s in sections]

    def at(self, pos: int) -> SectionInfo | None:
        k = bisect.bisect_right(self._starts, pos) - 1
        return self.sections[k] if k >= 0 else (self.sections[0] if self.sections else None)


_DATELINE = re.compile(r"\d{1,2}月\d{1,2}日(?:电|讯)|电|讯|报道")


def assign_section_regions(sections: list[SectionInfo], cands: list[Candidate], text: str = "") -> None:
    """Set ``region`` and canonical ``authors`` of each section (a news dateline's city does not count)."""
    idx = SectionIndex(sections)
    by_start = RegionsByStart(cands)
    counts: dict[int, Counter[str]] = {id(s): Counter() for s in sections}
    for c in cands:
        if c.type == "Region" and text and _DATELINE.match(text, c.end):
            continue
        if c.type == "Region":
            sec = idx.at(c.start)
            if sec is not None and c.info.get("level") in ("province", "prefecture"):
                counts[id(sec)][c.name] += 1
    for sec in sections:
        sec.authors = [canonical_name(a) for a in sec.authors_raw]
        region = None
        national = False
        for a in sec.authors:
            r, nat, _ = region_of_name(a)
            if r:
                region = r
                break
            national = national or nat
        if region is None and not national:
            region = _title_region(sec, by_start)
        if region is None and not national and counts[id(sec)]:
            top, n = counts[id(sec)].most_common(1)[0]
            if n >= 2 and n * 2 >= sum(counts[id(sec)].values()):
                region = top  # a region the section keeps returning to; several places named once: none
        sec.region = region


_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


class RegionsByStart:
    """Region candidates indexed by their start, each with its position in the list it came from."""

    def __init__(self, cands: list[Candidate]) -> None:
        ordered = sorted((c.start, i, c) for i, c in enumerate(cands) if c.type == "Region")
        self._starts = [start for start, _, _ in ordered]
        self._items = [(i, c) for _, i, c in ordered]

    def inside(self, spans: list[tuple[int, int]]) -> list[Candidate]:
        """The regions lying wholly inside one of ``spans``, in list order."""
        found: dict[int, Candidate] = {}
        for s, e in spans:
            lo, hi = bisect.bisect_left(self._starts, s), bisect.bisect_right(self._starts, e)
            found.update((i, c) for i, c in self._items[lo:hi] if c.end <= e)
        return [found[i] for i in sorted(found)]


def _title_region(sec: SectionInfo, regions: RegionsByStart) -> str | None:
    """The most specific region named in a section's heading (江苏省苏州市姑苏区启动… -> 姑苏区)."""
    best: Candidate | None = None
    def rank(c: Candidate) -> int:
        return _LEVEL_RANK.get(c.info.get("level", ""), -1)

    for c in regions.inside(sec.heading_spans):
        if best is None or rank(c) > rank(best):
            best = c
    return best.name if best else None


def _ancestor_at(codes: dict[str, str], region: str | None, prefix: str) -> str | None:
    """The unit a level prefix (省/市/区/县) means inside ``region``: 省 -> its province, 市 -> its city."""
    if region is None or not codes.get(region):
        return region
    from hfkg.extract.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    unit = gaz.by_code(codes[region])
    if unit is None:
        return region
    chain = (unit, *gaz.ancestors(unit))
    for r in chain:
        if prefix == "省" and r.level == "province":
            return r.name
        if prefix == "市" and (r.level == "prefecture" or (r.level == "province" and r.name.endswith("市"))):
            return r.name
        if prefix in "区县" and r.level == "county":
            return r.name
    return region


class RegionsByEnd:
    """Region candidates indexed by their end, each with its position in the list it came from."""

    def __init__(self, cands: list[Candidate]) -> None:
        ordered = sorted((c.end, i, c) for i, c in enumerate(cands) if c.type == "Region")
        self._ends = [end for end, _, _ in ordered]
        self._items = [(i, c) for _, i, c in ordered]

    def ending_in(self, lo: int, hi: int) -> list[tuple[int, Candidate]]:
        """(list position, candidate) of the regions whose end lies in ``(lo, hi]``."""
        return self._items[bisect.bisect_right(self._ends, lo):bisect.bisect_right(self._ends, hi)]


_NEAR_UNIT = 150  # how far before an agency its 区/县/市 prefix looks for the unit it means


def _unit_before(regions: RegionsByEnd, c: Candidate, sec: SectionInfo | None, prefix: str) -> str | None:
    """The nearest region of the level a prefix means (区/县: county, 市: city) named shortly before ``c``
    (of several, the last in the candidate list)."""
    best: tuple[int, str] | None = None
    for i, k in regions.ending_in(c.start - _NEAR_UNIT, c.start):
        if sec is not None and k.start < sec.start:
            continue
        level = k.info.get("level")
        city = level == "prefecture" or (level == "province" and k.name.endswith("市"))
        if ((prefix in "区县" and level == "county") or (prefix == "市" and city)) and (best is None or i > best[0]):
            best = (i, k.name)
    return best[1] if best else None


def _agency_keys(cands: list[Candidate], idx: SectionIndex,
                 places: list[Candidate] | None = None) -> dict[int, tuple[str, str | None]]:
    """Candidate id -> (entity name, region) for every agency candidate."""
    full: dict[tuple[str, str], str] = {}
    codes = {c.name: c.info.get("code", "") for c in cands if c.type == "Region"}
    near_regions = RegionsByEnd(places or cands)
    starts = [c.start for c in cands]
    out: dict[int, tuple[str, str | None]] = {}
    info: dict[int, tuple[str | None, bool, str]] = {}
    for c in cands:
        if c.type != "Agency":
            continue
        region, national, rest = region_of_name(c.name)
        info[id(c)] = (region, national, rest)
        if region or national:
            key = (region or _NATIONAL, lx.expand_abbreviation(rest))
            prev = full.get(key)
            if prev is None or len(c.name) > len(prev):
                full[key] = c.name
    for c in cands:
        if c.type != "Agency":
            continue
        region, national, rest = info[id(c)]
        sec = idx.at(c.start)
        if c.info.get("bare"):
            full_name = _full_before(cands, starts, c, sec, out)
            if full_name is not None:
                out[id(c)] = full_name
                continue
        if national:
            out[id(c)] = (full.get((_NATIONAL, lx.expand_abbreviation(rest)), c.name), None)
            continue
        if region:
            out[id(c)] = (full[(region, lx.expand_abbreviation(rest))], region)
            continue
        bare = c.name
        level_prefix = ""
        if bare.startswith("自治区") and len(bare) > 4:
            level_prefix, bare = "省", bare[3:]  # 自治区卫生计生委: the autonomous region's own body
        elif bare.startswith("自治州") and len(bare) > 4:
            level_prefix, bare = "市", bare[3:]
        elif bare[:1] in "市省区县" and len(bare) >= 2:
            level_prefix, bare = bare[:1], bare[1:]
        sec_region = sec.region if sec else None
        if level_prefix in ("区", "县", "市"):
            near = _unit_before(near_regions, c, sec, level_prefix)
            sec_region = near or _ancestor_at(codes, sec_region, level_prefix)
        elif level_prefix:
            sec_region = _ancestor_at(codes, sec_region, level_prefix)
        hit = full.get((sec_region, lx.expand_abbreviation(bare))) if sec_region else None
        out[id(c)] = (hit, sec_region) if hit else (c.name, sec_region)
    return out


def _full_before(cands: list[Candidate], starts: list[int], c: Candidate, sec: SectionInfo | None,
                 done: dict[int, tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """The key of the nearest earlier agency in the section whose name ends like the bare ``c`` (领导小组).

    ``cands`` are sorted by start (``starts``): no candidate after the last one starting at ``c.start`` ends
    before it.
    """
    for i in range(bisect.bisect_right(starts, c.start) - 1, -1, -1):
        k = cands[i]
        if k.end > c.start:
            continue
        if sec is not None and k.start < sec.start:
            break
        if k.type == "Agency" and k is not c and k.name.endswith(c.name) and len(k.name) > len(c.name) and id(k) in done:
            return done[id(k)]
    return None


class ClauseStarts:
    """Where the clause holding a position starts: after the last of ``,;。\\n:`` before it (or at 0)."""

    def __init__(self, text: str) -> None:
        self._breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]

    def at(self, pos: int) -> int:
        k = bisect.bisect_left(self._breaks, pos)
        return self._breaks[k - 1] + 1 if k else 0


_CLAUSE_BREAK = re.compile(r"[,;。\n:]")


def _program_region(text: str, region_ends: dict[int, str], c: Candidate, sec: SectionInfo | None,
                    clause_regions: dict[int, str], clauses: ClauseStarts) -> str | None:
    """A program introduced as ``X区的“Y”``, or in a clause whose subject is X (X区开展“Y”), belongs to X;
    otherwise to its section's region."""
    start = c.start - 1 if c.start > 0 and text[c.start - 1] in "“「『" else c.start
    if start > 0 and text[start - 1] == "的" and (start - 1) in region_ends:
        return region_ends[start - 1]
    clause_start = clauses.at(start)
    if clause_start in clause_regions:
        return clause_regions[clause_start]
    return sec.region if sec else None


def _clause_subject_regions(text: str, cands: list[Candidate], clauses: ClauseStarts) -> dict[int, str]:
    """Clause start -> the most specific region that opens the clause and acts (南宁市武鸣区开展… -> 武鸣区)."""
    out: dict[int, str] = {}
    regions = sorted((c for c in cands if c.type == "Region"), key=lambda c: c.start)
    chain_end: dict[int, int] = {}  # clause start -> end of the region chain opening it
    for c in regions:
        clause_start = clauses.at(c.start)
        opens = text[clause_start:c.start] in ("", "在", "由") or chain_end.get(clause_start) == c.start
        if not opens:
            continue
        chain_end[clause_start] = c.end
        if _VERB_AFTER.match(text, c.end) or text.startswith("在", c.end):
            out[clause_start] = c.name
    return out


_VERB_AFTER = re.compile(r"(?:积极|深入|扎实|全面|大力|率先|先行|还|也|又|已)?"
                         r"(?:开展|实施|推进|推行|启动|打造|创建|组织|设立|建立|探索|深化)")


def _common_region(regions: set[str | None], codes: dict[str, str]) -> str | None:
    """The one region that contains all the others, if any (a provincial program also named in a city's clause)."""
    named = {r for r in regions if r}
    if None in regions or not named:
        return None
    if len(named) == 1:
        return next(iter(named))
    from hfkg.extract.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    units = {r: gaz.by_code(codes.get(r, "")) for r in named}
    for r, unit in units.items():
        if unit is not None and all(o is not None and (o == unit or gaz.contains(unit, o)) for o in units.values()):
            return r
    return None


def _confirmed_programs(cands: list[Candidate]) -> set[str]:
    names = set()
    for c in cands:
        if c.type == "Program" and not c.info.get("weak"):
            names.add(c.name)
            if c.info.get("alias"):
                names.add(c.info["alias"])
    return names


def _extra_program_mentions(text: str, cands: list[Candidate], names: set[str]) -> list[Candidate]:
    if not names:
        return []
    import ahocorasick_rs

    words = sorted(n for n in names if len(n) >= 3)
    if not words:
        return []
    # leftmost-longest, non-overlapping: what an alternation of the names, longest first, finds; a contiguous
    # NFA builds 3x faster than the default DFA for a few dozen names and searches as fast
    auto = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                                      implementation=ahocorasick_rs.Implementation.ContiguousNFA)
    return [Candidate("Program", s, e, words[k], info={"extra": "1"})
            for k, s, e in auto.find_matches_as_indexes(text, overlapping=False)]


def resolve(norm: NormText, sections: list[SectionInfo], cands: list[Candidate],
            places: list[Candidate] | None = None) -> Resolved:
    """Group candidates into entities; ``places`` are all region mentions, also those inside longer names."""
    text = norm.text
    idx = SectionIndex(sections)
    confirmed = _confirmed_programs(cands)
    cands = [c for c in cands if c.type != "Program" or c.name in confirmed]
    cands = _flatten(cands + _extra_program_mentions(text, cands, confirmed))
    alias_of = {c.info["alias"]: c.name for c in cands if c.type == "Program" and c.info.get("alias")}
    agency_keys = _agency_keys(cands, idx, places)
    program_regions: dict[str, set[str | None]] = {}
    region_ends = {c.end: c.name for c in cands if c.type == "Region"}
    clauses = ClauseStarts(text)
    clause_regions = _clause_subject_regions(text, cands, clauses)
    codes = {c.name: c.info.get("code", "") for c in (places or cands) if c.type == "Region"}
    for c in cands:
        if c.type == "Program":
            c.name = alias_of.get(c.name, c.name)
            c.name = _strip_free_modifier(c.name)
            national = c.name.startswith(lx.NATIONAL_PREFIXES)
            reg = None if national else _program_region(text, region_ends, c, idx.at(c.start), clause_regions, clauses)
            program_regions.setdefault(c.name, set()).add(reg)
    entities: dict[tuple[str, str, str | None], Entity] = {}
    keys = []
    merged_regions = {name: _common_region(regs, codes) for name, regs in program_regions.items()}
    for c in cands:
        key = _key(c, agency_keys, merged_regions)
        ent = entities.get(key)
        if ent is None:
            ent = entities[key] = Entity(type=c.type, name=key[1], region=key[2])
        rs, re_ = norm.raw_span(c.start, c.end)
        ent.mentions.append(Span(rs, re_))
        surface = canonical_name(norm.raw[rs:re_])
        for alias in (surface, c.info.get("alias", "")):
            if alias and alias != ent.name and alias not in ent.aliases:
                ent.aliases.append(alias)
        for role in c.roles:
            if role not in ent.roles:
                ent.roles.append(role)
        keys.append((c, key))
    ordered = sorted(entities.values(), key=lambda e: (TYPE_ORDER[e.type], e.mentions[0].start, e.name))
    for e in ordered:
        e.aliases.sort()
        e.mentions.sort(key=lambda m: (m.start, m.end))
    _name_authors(sections, keys)
    return Resolved(ordered, keys)


def _name_authors(sections: list[SectionInfo], keys: list[tuple[Candidate, tuple[str, str, str | None]]]) -> None:
    """A section's authors by the canonical names of the agencies their author-line tokens resolved to
    (北京市人口计生委 on the author line, 北京市人口和计划生育委员会 in the text: the latter)."""
    at = {(c.start, c.end): key[1] for c, key in keys if key[0] == "Agency"}
    for sec in sections:
        for i, (s, e, _raw) in enumerate(sec.author_spans[:len(sec.authors)]):
            name = at.get((s, e))
            if name is not None:
                sec.authors[i] = name


@lru_cache(maxsize=1 << 14)
def _strip_free_modifier(name: str) -> str:
    for m in lx.FREE_MODIFIERS:
        if name.startswith(m) and len(name) - len(m) >= 4:
            return name[len(m):]
    return name


def _key(c: Candidate, agency_keys: dict[int, tuple[str, str | None]],
         program_regions: dict[str, str | None]) -> tuple[str, str, str | None]:
    if c.type == "Agency":
        name, region = agency_keys[id(c)]
        return ("Agency", name, region)
    if c.type == "Program":
        return ("Program", c.name, program_regions.get(c.name))
    if c.type == "Region":
        return ("Region", c.name, c.region)
    return (c.type, c.name, None)

