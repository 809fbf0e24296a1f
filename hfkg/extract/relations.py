"""Relations from explicit phrasing: leads, partners, targets, partOf, operatesIn, authored.

Rules work sentence by sentence on the resolved mentions:

* ``authored``: a section's authors wrote its title.
* ``leads``: agencies that are the subject of a sentence (before its first verb, coordinated by 、/和/与) and a
  lead verb (开展, 实施, 领导, 牵头, 启动 …) followed by a program; with no program after the verb in its clause
  (牵头组织实施), the program named earlier in the sentence.  An enumeration's head is led, not its members.
* ``partners``: 与X联合启动/开展Y, 配合, 协助, 参与.
* ``targets``: 为F打造/提供P, 对F实行/开展P, 将F纳入P, and a program whose clause group names F after
  为/对/与/面向/针对.
* ``partOf``: members of an enumerated set; a district and its municipality (both named); a sub-unit (…司/处)
  of its parent.
* ``operatesIn``: ``X的“Y”``, and a region that is a sentence subject with 推进/实施/开展 … Y.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from hfkg.extract.entities import Candidate
from hfkg.extract.fastre import branches
from hfkg.extract.normalize import NormText
from hfkg.extract.records import Relation
from hfkg.extract.sections import SectionInfo

LEAD_VERBS = ("联合开展", "联合实施", "牵头组织实施", "组织实施", "牵头", "领导", "开展", "实施", "启动", "发起", "推出",
              "主办", "举办", "打造", "创办", "组织", "筹建", "开设", "推行")
PARTNER_CUES = re.compile(r"(?:与(?P<agency>[^,;。与]{2,20}?)(?:联合|共同|合作)"
                          r"|(?:联合|会同)(?P<agency2>[^,;。与]{2,30}?)(?:共同)?)"
                          r"(?:启动|开展|实施|举办|推出|推进|组织)")
PASSIVE_LEAD = re.compile(r"由(?P<agency>[^,;。由]{2,30}?)(?:牵头|负责|组织实施|具体实施|主办|承办|发起)")
PILOT_PLACES = re.compile(r"在(?P<places>[^,;。在]{2,40}?)(?:等地)?(?:先行|率先|开展|进行)?(?:试点|推广|铺开|实施|推行)")
_PROVIDE_AFTER = re.compile(r"[”」』]?(?:[^,;。]{0,6})(?:提供|打造|开展|送|发放|购买)")
_FOR_WHOM = re.compile(r"为(?:全市|全区|全县|全省|全镇|辖区内?的?|本地区?的?|所有|广大)?$")
TARGET_CUES = ("为", "对", "面向", "针对", "帮扶", "关爱", "与", "纳入", "将", "把")
REGION_VERBS = ("推进", "实施", "开展", "推行", "启动", "实行", "深化")
_NOT_SUBJECT = re.compile(r"(?:[与同跟向对为和在把将从]|依托|通过|借助|利用|依靠|会同|协调|指导|联合|配合|支持)$")
_SENT_RE = re.compile(r"[^。!?！？\n]+[。!?！？]?")
_CLAUSE_SPLIT = re.compile(r"[,;:，；：]")
_CHAIN_GAP = re.compile(r"[、和及]?")
_PLACE_COUNT = re.compile(r"\d+个|全国|所属|各地")
_CUE_BEFORE = re.compile(r"(?:为|对|与|将|把)[^,;]{0,6}$")
_BREAK = re.compile(r"[,;。]")
_SENTENCE_BREAK = re.compile(r"[;。]")
_FAMILY_GAP = re.compile(r"[”」』]?[、和及与][“「『]?")


@dataclass
class M:
    """A resolved mention: candidate offsets plus entity key."""

    type: str
    start: int
    end: int
    name: str
    region: str | None
    info: dict[str, str]


def _mentions(keys: list[tuple[Candidate, tuple[str, str, str | None]]]) -> list[M]:
    return sorted((M(k[0], c.start, c.end, k[1], k[2], c.info) for c, k in keys), key=lambda m: (m.start, m.end))


def find_relations(norm: NormText, sections: list[SectionInfo],
                   keys: list[tuple[Candidate, tuple[str, str, str | None]]]) -> list[Relation]:
    """All relations the text states, without duplicates, in a stable order."""
    text = norm.text
    ms = _mentions(keys)
    out: dict[tuple[str, str, str], Relation] = {}
    defined = {m.name for m in ms}
    titles = {sec.title for sec in sections}

    def add(rtype: str, subj: M | str, obj: M | str, start: int, end: int) -> None:
        s = subj if isinstance(subj, str) else subj.name
        o = obj if isinstance(obj, str) else obj.name
        if s == o:
            return
        # A mention's name is an entity of the record by construction; a name passed as text must be one too (or,
        # as the object of authored, a section title), else the relation would name something the record does
        # not define.  The rules below only pass names they took from mentions, so this guards rules to come.
        if (isinstance(subj, str) and s not in defined) or (isinstance(obj, str) and o not in
                                                              (titles if rtype == "authored" else defined)):
            return
        key = (rtype, s, o)
        if key not in out:
            ends = [x for x in (subj, obj) if isinstance(x, M)]
            lo = min([start, end, *(x.start for x in ends)])
            hi = max([start, end, *(x.end for x in ends)])  # the phrase from the first to the last end
            rs, re_ = norm.raw_span(lo, hi)
            out[key] = Relation(rtype, s, o, start=rs, end=re_)

    agencies_at = {(x.start, x.end): x for x in ms if x.type == "Agency"}
    for sec in sections:
        for s, e, _raw in sec.author_spans:
            # each author token is an agency mention (entities.author_candidates), so this finds it; were it ever
            # missing, the section's author would be no entity and its authored relation is better left out
            author = agencies_at.get((s, e))
            if author is not None:
                add("authored", author, sec.title, s, e)
    _region_part_of(ms, add)
    _subunits(ms, add)
    _enumerations(ms, add)
    starts = [x.start for x in ms]
    for m in _SENT_RE.finditer(text):
        s, e = m.start(), m.end()
        lo, hi = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
        sent = [x for x in ms[lo:hi] if x.end <= e]
        if sent:
            _sentence(text, s, e, sent, add)
    return sorted(out.values(), key=lambda r: (r.start or 0, r.type, r.subject, r.object))


def _region_part_of(ms: list[M], add) -> None:  # type: ignore[no-untyped-def]
    regions = {m.name: m for m in ms if m.type == "Region"}
    for m in regions.values():
        if m.region and m.region in regions:
            add("partOf", m, m.region, m.start, m.end)


def _subunits(ms: list[M], add) -> None:  # type: ignore[no-untyped-def]
    """…委家庭发展司 is partOf …委 when the document names that body too."""
    agencies = {m.name: m for m in ms if m.type == "Agency"}
    for m in agencies.values():
        if not m.name.endswith(("司", "处", "科", "办公室")):
            continue
        for k in range(len(m.name) - 2, 2, -1):
            parent = m.name[:k]
            if parent in agencies:
                add("partOf", m, parent, m.start, m.end)
                break


def _enumerations(ms: list[M], add) -> None:  # type: ignore[no-untyped-def]
    heads = {m.info.get("enum_head"): m for m in ms if m.type == "Program" and m.info.get("enum_head")}
    for m in ms:
        group = m.info.get("enum_member")
        if m.type == "Program" and group and group in heads:
            add("partOf", m, heads[group], m.start, heads[group].end)


def _clauses(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out, pos = [], s
    for m in _CLAUSE_SPLIT.finditer(text, s, e):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, e))
    return out


def _verb_regex(verbs: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(branches(verbs))  # the verbs, longest first


_LEAD_VERB_RE = _verb_regex(LEAD_VERBS)
_REGION_VERB_RE = _verb_regex(REGION_VERBS)


def _verbs(text: str, s: int, e: int, rx: re.Pattern[str], inside: list[M]) -> list[tuple[int, str]]:
    """Positions of the verbs ``rx`` finds in ``[s, e)`` that are not part of a mention (领导 in 领导小组)."""
    return [(m.start(), m.group()) for m in rx.finditer(text, s, e)
            if not any(x.start <= m.start() < x.end for x in inside)]


def _chain(text: str, sent: list[M], lo: int, hi: int, types: tuple[str, ...]) -> list[M]:
    """Mentions of ``types`` that open the span ``[lo, hi)``, joined only by 、/和/及 (the span's subject)."""
    subj = [m for m in sent if m.type in types and lo <= m.start and m.end <= hi]
    if not subj or len(text[lo:subj[0].start]) > 8 or _NOT_SUBJECT.search(text[lo:subj[0].start]):
        return []
    chain = [subj[0]]
    for m in subj[1:]:
        if _CHAIN_GAP.fullmatch(text[chain[-1].end:m.start]):
            chain.append(m)
        else:
            break
    return chain


def _sentence(text: str, s: int, e: int, sent: list[M], add) -> None:  # type: ignore[no-untyped-def]
    programs = [m for m in sent if m.type == "Program" and not m.info.get("enum_member")]
    families = [m for m in sent if m.type == "FamilyType"]
    clauses = _clauses(text, s, e)
    subjects: dict[str, list[M]] = {}  # the sentence's subject chains, found when first needed

    def sentence_subject(etype: str) -> list[M]:
        if etype not in subjects:
            subjects[etype] = next((c for cs, ce in clauses[:3] if (c := _chain(text, sent, cs, ce, (etype,)))), [])
        return subjects[etype]

    # verbs found once per sentence (no verb spans a clause break), then taken clause by clause
    lead_verbs = _verbs(text, s, e, _LEAD_VERB_RE, sent)
    region_verbs = _verbs(text, s, e, _REGION_VERB_RE, sent)
    for cs, ce in clauses if lead_verbs or region_verbs else ():
        for vpos, verb in [v for v in lead_verbs if cs <= v[0] < ce]:
            agencies = _chain(text, sent, cs, vpos, ("Agency",))
            regions = _chain(text, sent, cs, vpos, ("Region",))
            if not agencies and not regions:
                agencies, regions = sentence_subject("Agency"), sentence_subject("Region")
            objs = _objects(text, programs, vpos, ce, verb)
            for a in agencies:
                for p in objs:
                    add("leads", a, p, a.start, p.end)
            if regions and verb in REGION_VERBS:
                for p in objs:
                    add("operatesIn", p, regions[-1], regions[-1].start, p.end)
        for vpos, _verb in [v for v in region_verbs if cs <= v[0] < ce]:
            regions = _chain(text, sent, cs, vpos, ("Region",)) or (sentence_subject("Region") if cs > s else [])
            for p in _objects(text, programs, vpos, ce, "")[:1]:
                for r in regions[-1:]:
                    add("operatesIn", p, r, r.start, p.end)
    for m in _partner_cues(text, s, e):
        group = "agency" if m.group("agency") else "agency2"
        partners = [x for x in sent if x.type == "Agency" and m.start(group) <= x.start and x.end <= m.end(group)]
        progs = [p for p in programs if p.start >= m.end()]
        for a in partners:
            for p in progs[:1]:
                add("partners", a, p, a.start, p.end)
    for m in PASSIVE_LEAD.finditer(text, s, e):  # “Y”由X牵头 / 由X组织实施
        leaders = [x for x in sent if x.type == "Agency" and m.start("agency") <= x.start and x.end <= m.end("agency")]
        before = [p for p in programs if p.end <= m.start()]
        for a in leaders:
            for p in before[-1:]:
                add("leads", a, p, p.start, a.end)
    for m in PILOT_PLACES.finditer(text, s, e):  # 在瑞金市、南康区、信丰县先行试点 / 在A县、B县试点“Y”
        if _PLACE_COUNT.search(m.group("places")):
            continue  # 在全国31个省…试点: a count of places, not a list of them
        places = [x for x in sent if x.type == "Region" and m.start("places") <= x.start and x.end <= m.end("places")]
        clause_end = next((ce for cs, ce in clauses if cs <= m.end() <= ce), e)
        after = [p for p in programs if m.end() <= p.start < clause_end]
        target = after[:1] or [p for p in programs if p.end <= m.start()][-1:]
        for r in places:
            for p in target:
                add("operatesIn", p, r, min(p.start, r.start), max(p.end, r.end))
    for p in programs:  # X的“Y”
        q = p.start - 1 if p.start > 0 and text[p.start - 1] in "“「『" else p.start
        if q < 1 or text[q - 1] != "的":
            continue
        for r in sent:
            if r.type == "Region" and r.end == q - 1:
                add("operatesIn", p, r, r.start, p.end)
    _targets(text, s, e, programs, families, add)


_PARTNER_START = re.compile("与|联合|会同")


def _partner_cues(text: str, s: int, e: int) -> Iterator[re.Match[str]]:
    """PARTNER_CUES in ``[s, e)``; each starts with 与, 联合 or 会同, so a sentence without them has none (and re
    cannot skip ahead by itself: the pattern opens with a group)."""
    if _PARTNER_START.search(text, s, e) is None:
        return iter(())
    return PARTNER_CUES.finditer(text, s, e)


def _objects(text: str, programs: list[M], vpos: int, ce: int, verb: str) -> list[M]:
    """The programs a verb at ``vpos`` governs: the first after it in its clause (all members of a plain list)."""
    after = [p for p in programs if vpos <= p.start < ce]
    if after:
        first = after[0]
        group = first.info.get("enum_list")
        if group:
            return [p for p in after if p.info.get("enum_list") == group]
        return [first]
    if verb in ("牵头", "牵头组织实施", "组织实施", "领导"):
        before = [p for p in programs if p.end <= vpos and vpos - p.end <= 30]
        return before[-1:]
    return []


def _targets(text: str, s: int, e: int, programs: list[M], families: list[M], add) -> None:  # type: ignore[no-untyped-def]
    for f in families:
        if f.info.get("nested"):
            continue
        q = f.start - 1 if f.start > 0 and text[f.start - 1] in "“「『" else f.start
        lead = text[max(s, q - 8):q]
        if not lead.endswith(TARGET_CUES) and not _CUE_BEFORE.search(lead):
            continue
        provides = bool(_FOR_WHOM.search(lead)) and bool(_PROVIDE_AFTER.match(text, f.end))
        fe = f.end + 1 if text[f.end:f.end + 1] in "”」』" else f.end
        topic = text[fe:fe + 1] == ","  # 对“主干家庭”,重点开展…: the whole clause names the target group
        after = [p for p in programs if p.start >= f.end and p.start - f.end <= 40
                 and not (_SENTENCE_BREAK if topic else _BREAK).search(text, f.end, p.start)]
        before = [p for p in programs if p.end <= q and q - p.end <= (80 if provides else 40)
                  and not _SENTENCE_BREAK.search(text, p.end, q)
                  and (provides or len(_CLAUSE_SPLIT.findall(text[p.end:q])) <= 1)]
        target = after[:1] or before[-1:]
        for p in target:
            for g in _coordinated(text, families, f):
                add("targets", p, g, min(p.start, g.start), max(p.end, g.end))


def _coordinated(text: str, families: list[M], f: M) -> list[M]:
    """``f`` and the family types listed with it (A、B和C家庭)."""
    out = [f]
    k = families.index(f)
    for g in families[k + 1:]:
        gap = text[out[-1].end:g.start]
        if _FAMILY_GAP.fullmatch(gap):
            out.append(g)
        else:
            break
    return out
