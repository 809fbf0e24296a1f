"""Benefit recogniser: cash, insurance and service entitlements stated in a report.

:func:`find_benefits` reads the normalised text (:class:`NormText`) with the
mentions the entity recognisers found and returns :class:`BenefitHit` objects
in normalised offsets; :meth:`BenefitHit.to_record` maps one back to the raw
text as a :class:`~hfkg.records.Benefit`.

Rules (general to the genre, no document's strings):

* **cash**: an amount in yuan with an entitlement cue (发放, 补助, 扶助, 标准,
  每人每月 …).  Period from 每月/每年/一次性 (每季度 gives ``None``), basis from
  每人/每户.  ``由A提高到B``, ``提高至B(原为A)``, ``A、B分别提高到C、D`` give the
  previous amount; floors (不低于, 以上) keep the number with qualifier
  ``at_least``.  Funding totals, donations, budgets, income thresholds and
  totals over many households are rejected: the cue nearest before the amount
  decides, and an amount with no per-person/per-household/period reading needs
  a cue, no count of people and a size below 100 000 yuan.
* **insurance**: ``…保险`` with a provision verb (购买, 代缴, 参加, 实施 …) or
  ``…保险全覆盖``.
* **service**: a list of services (``为X提供A、B等服务``, ``对X重点开展A、B服务``)
  for a named family type or an anaphor (为其, 他们, 这些家庭) referring back to one.

Family type: the FamilyType mentions of the clause, else of the nearest
preceding clause of the sentence that names one, else the anaphor's referent,
else ``None``; several coordinated types give one benefit each, ``分别`` pairs
types with amounts in order.  A scoped type named only inside a program name
(``农村部分计划生育家庭奖励扶助制度``) stands for its broader type.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from hfkg.extract.mentions import Mention, MentionIndex
from hfkg.extract.normalize import NormText
from hfkg.extract.numbers import Quantity, find_money, find_quantities, to_number
from hfkg.extract.records import Benefit

__all__ = ["BenefitHit", "find_benefits"]

RegionOf = Callable[[int], "str | None"]
SectionSpan = tuple[int, int, "str | None"]


@dataclass(frozen=True)
class BenefitHit:
    """One benefit found in the normalised text (``start``/``end`` are normalised offsets)."""

    kind: str  # cash | insurance | service
    region: str | None
    program: str | None
    family_type: str | None
    amount: int | float | None
    previous_amount: int | float | None
    period: str | None  # month | year | once | None
    basis: str | None  # person | family | None
    description: str
    start: int
    end: int
    qualifier: str | None = None  # at_least | about | at_most | None
    amount_max: int | float | None = None  # upper end of a range (amount is the lower end)
    rule: str = ""  # which rule produced it (for debugging and error listings)

    def to_record(self, norm: NormText) -> Benefit:
        """The extraction record, with offsets mapped back to the raw text."""
        start, end = norm.raw_span(self.start, self.end)
        return Benefit(kind=self.kind, region=self.region, program=self.program, family_type=self.family_type,
                       amount=self.amount, previous_amount=self.previous_amount, period=self.period,
                       basis=self.basis, description=self.description, start=start, end=end,
                       qualifier=self.qualifier)


# ----------------------------------------------------------------------------- patterns

_SENTENCE = re.compile(r"[^。!?;\n]+")
_CLAUSE = re.compile(r"[^,:。!?;\n]+(?:(?<=\d),(?=\d{3}(?!\d))[^,:。!?;\n]+)*")
_MONEY_HINT = re.compile(r"[0-9零〇一二两三四五六七八九十千百万亿壹贰叁肆伍陆柒捌玖拾佰仟](?:多|余)?(?:元|圆|块)")

_CASH_CUE = re.compile(
    r"发放|补助|扶助|补贴|奖励|救助|慰问|抚慰|标准|资助|津贴|帮扶金|养老金|奖金|生活费|给予|享受|领取|扶持金|营养费")
_THRESHOLD = re.compile(r"收入|低(?<!不低)于|高(?<!不高)于|不足|不到|工资|存款|资产")  # 低于/高于 not after 不
_FUNDING = re.compile(
    r"投入|资金|经费|预算|捐赠|捐款|捐助|捐资|募集|筹集|募捐|集资|累计|共计|总计|合计|总额|拨付|下拨|安排|价值|产值|"
    r"造价|贷款|投资|共(?=\d)|共[为向给对有]|总共|一共")
_AFTER_THRESHOLD = re.compile(r"(?:以下|以内|以上)?的(?:家庭|人|户|群众|对象|老人)")
_RAISE = re.compile(r"提高|提升|增加|增长|上调|调高|调整|上涨|增至|提至|增为")
_WAS_CLAUSE = re.compile(r"\(?(?:原标准|原来|原先|原(?=为|是|每|按)|此前|以前|过去|调整前)")
_INCREMENT = re.compile(r"(?:提高|增加|上调|增长|提升|上涨|增发|多发)了?$")
_WAS = re.compile(r"[^,]{0,3}?\(?(?:原标准|原来|原先|此前|原)(?:为|是|的)?")
_WAS_SHORT = re.compile(r"[^,]{0,3}?原")
_GROUP_GAP = re.compile(r"\s*(?:、|和|与|及|以及|或)\s*")
_BASIS = re.compile(r"每(?:个|位|名)?(?:人次|人)|每[名位]|/人|每(?:个)?(?:户|家庭)|每个[\u4e00-\u9fff]{1,8}?家庭|/户|"
                    r"户均(?=补|发|领|获|享|给)|人均(?=补|发|领|获|享|给)")
_PERIOD = re.compile(r"每(?:个)?月|按月|/月|每(?:个)?年(?:度)?|按年|/年|每(?:个)?季度?|按季度?|一次性")
_FLOOR = re.compile(r"不低于|不少于|最低(?!生活)|至少")
_CEILING = re.compile(r"最高|不超过|不高于|最多|封顶|上限")
_SLASH_UNIT = re.compile(r"\s*/\s*(?:人|户|月|年)(?:\s*[/·.]\s*(?:人|户|月|年))?")
_COUNT_UNITS = ("户", "名", "人", "位", "个", "家", "人次")
_CASH_NOUN = re.compile(
    r"(长效|特别|奖励|专项|一次性|生活|临时|医疗|养老|护理|困难|节日|春节|特殊)?"
    r"(扶助|抚慰|慰问|补助|补贴|救助|奖励|资助|津贴|帮扶|扶持)(金|费|款)?")

_INS_KIND = (r"人身意外伤害|意外伤害|重大疾病|补充医疗|大额医疗|长期护理|养老|医疗|生育|失业|工伤|意外|大病|重疾|健康|"
             r"人寿|住院|护理|团体|财产|综合|安康|关爱|平安|计生|商业|社会|居民|基本")
_INSURANCE = re.compile(r"保险(?!公司|机构|业|行业|经纪|代理|条款|合同|理赔|产品|制度|改革|基金|经办|统筹|费率|缴费基数)")
_INS_VERB = re.compile(
    r"购买|代缴|缴纳|代为缴纳|资助|参加|参保|投保|办理|赠送|提供|实施|开展|纳入|享受|落实|给予|统一|免费|赠")
_INS_AFTER = re.compile(r"[^,]{0,4}?(?:全覆盖|覆盖)|[^,]{0,12}?(?:代缴|代为缴纳|全额补贴|全额资助)")
_INS_BOUNDARY = re.compile(
    r"购买|代缴|缴纳|缴|参加|参保|投保|办理|赠送|提供|实施|开展|纳入|享受|落实|给予|为|的|、|和|及|与|对|等|了|”|“|统一|免费")
_INS_KIND_START = re.compile(rf"(?:{_INS_KIND})")
_INS_KIND_END = re.compile(rf"(?:{_INS_KIND})$")

_SERVICE_VERB = re.compile(r"提供|开展|给予")
_TARGET_BEFORE = re.compile(r"(?:为|对|向|给)(?:全市|全区|全县|辖区内?|本地区?|广大|所有|各类)?“?$")
# (each branch opens with a literal, so re can skip to the possible first characters)
_ANAPHOR = re.compile(r"为(?:其|他们|她们)|对(?:其|他们|她们)|向(?:其|他们|她们)|给(?:其|他们|她们)|帮助(?:其|他们|她们)|"
                      r"使(?:其|他们|她们)|让(?:其|他们|她们)|与(?:其|他们|她们)|这些家庭|这类家庭|此类家庭|该类家庭|"
                      r"上述家庭|该家庭|这部分家庭|以上家庭|他(?<![为对向给]他)们|她(?<![为对向给]她)们")
_ITEM_SPLIT = re.compile(r"、|以及|及|和(?!谐)|与(?!生俱)")
_CASHLIKE = re.compile(r"\d|元|补助|补贴|扶助金|慰问金|抚慰金|奖励金|救助金")
_VAGUE = frozenset(("帮助", "支持", "便利", "保障", "服务", "条件", "平台", "温暖", "机会", "关爱", "关心", "关怀",
                    "帮扶", "照顾", "优惠", "政策", "资金", "场地", "工作"))
_SERVICE_NOUN = re.compile(r"(?:服务|咨询|指导|慰藉|抚慰|照料|培训|检查|体检|巡访|探访|疏导|护理|康复|教育)$")
_NATIONAL = re.compile(r"全国|中央")
_SCOPED = re.compile(r"^(?:农村|城镇|城市|城乡)(?:部分)?")
_PROGRAM_HEAD_AFTER = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:制度|政策|计划|工程|项目)")


# ----------------------------------------------------------------------------- document layout


class _Layout:
    """Sentences and clauses of the normalised text, with lookups by position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences = [m.span() for m in _SENTENCE.finditer(text)]
        self.sent_starts = [s for s, _ in self.sentences]
        self.clauses = [m.span() for m in _CLAUSE.finditer(text)]
        self.clause_starts = [s for s, _ in self.clauses]
        self.para_breaks = [m.start() for m in re.finditer("\n", text)]

    def clause_at(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.clause_starts, pos) - 1)

    def sentence_at(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, pos) - 1)

    def sentence_of_clause(self, ci: int) -> tuple[int, int]:
        return self.sentences[self.sentence_at(self.clauses[ci][0])]

    def same_paragraph(self, a: int, b: int) -> bool:
        lo, hi = min(a, b), max(a, b)
        i = bisect.bisect_left(self.para_breaks, lo)
        return i >= len(self.para_breaks) or self.para_breaks[i] >= hi


# ----------------------------------------------------------------------------- family types


@lru_cache(maxsize=1)
def _broader() -> dict[str, str]:
    """Canonical family-type name -> canonical name of its broader type (from the shipped taxonomy)."""
    data = resources.files("hfkg.extract").joinpath("data/family_types.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(data.splitlines(), delimiter="\t"))
    by_slug = {r["slug"]: r["zh"] for r in rows}
    return {r["zh"]: by_slug[r["broader"]] for r in rows if r.get("broader") in by_slug}


class _Context:
    """Everything the rules need about one document."""

    def __init__(self, norm: NormText, mentions: MentionIndex, region_of: RegionOf | None) -> None:
        self.text = norm.text
        self.layout = _Layout(norm.text)
        self.mentions = mentions
        self.region_of = region_of

    # -- family types

    def ft_name(self, m: Mention) -> str:
        """The family type a mention stands for in a benefit (scoped types inside a program name: broader)."""
        if _SCOPED.match(m.name) and self._in_program_name(m):
            return _broader().get(m.name, m.name)
        return m.name

    def _in_program_name(self, m: Mention) -> bool:
        if any(p.start <= m.start and m.end <= p.end and (p.start, p.end) != (m.start, m.end)
               for p in self.mentions.between(m.start - 40, m.end + 40, ("Program",))):
            return True
        return bool(_PROGRAM_HEAD_AFTER.match(self.text, m.end))

    def fts_in(self, start: int, end: int) -> list[Mention]:
        """FamilyType mentions in [start, end), outermost only, ``X中的Y`` keeping Y."""
        found = self.mentions.between(start, end, ("FamilyType",))
        if any(not m.optional for m in found):
            found = [m for m in found if not m.optional]  # a generic type (城乡家庭) yields to a specific one
        flat: list[Mention] = []
        for m in found:
            if any(o.start <= m.start and m.end <= o.end and o is not m for o in found):
                continue
            flat.append(m)
        out: list[Mention] = []
        for m in flat:
            if out and self.text[out[-1].end:m.start] in ("中的", "中", "”中的"):
                out.pop()
            out.append(m)
        return out

    def coordinated(self, fts: list[Mention], anchor: Mention) -> list[Mention]:
        """``anchor`` and the mentions directly coordinated with it (、/和/及/与)."""
        i = fts.index(anchor)
        lo = hi = i
        while lo > 0 and _is_coord_gap(self.text[fts[lo - 1].end:fts[lo].start]):
            lo -= 1
        while hi + 1 < len(fts) and _is_coord_gap(self.text[fts[hi].end:fts[hi + 1].start]):
            hi += 1
        return fts[lo:hi + 1]

    def resolve_anaphor(self, start: int, end: int) -> list[Mention]:
        """Referent of an anaphor in [start, end): nearest family type before it in this or the previous sentence."""
        a = _ANAPHOR.search(self.text, start, end)
        if not a:
            return []
        lay = self.layout
        si = lay.sentence_at(a.start())
        lo = lay.sentences[si - 1][0] if si > 0 else lay.sentences[si][0]
        if not lay.same_paragraph(lo, a.start()):
            lo = lay.sentences[si][0]
        fts = self.fts_in(lo, a.start())
        if not fts:
            return []
        return self.coordinated(fts, fts[-1])

    def clause_fts(self, ci: int, limit: int = 3) -> tuple[list[Mention], str]:
        """Family types for clause ``ci``: its own, else its anaphor's referent, else the nearest earlier clause of
        the sentence that names one."""
        cs, ce = self.layout.clauses[ci]
        own = self.fts_in(cs, ce)
        if own:
            return own, "clause"
        ref = self.resolve_anaphor(cs, ce)
        if ref:
            return ref, "anaphor"
        ss, _ = self.layout.sentence_of_clause(ci)
        j = ci - 1
        while j >= 0 and self.layout.clauses[j][0] >= ss and ci - j <= limit:
            got = self.fts_in(*self.layout.clauses[j])
            if got:
                return got, "sentence"
            j -= 1
        return [], ""

    # -- programs, regions

    def program_for(self, ci: int, pos: int) -> Mention | None:
        cs, ce = self.layout.clauses[ci]
        inside = self.mentions.between(cs, ce, ("Program",))
        if inside:
            return min(inside, key=lambda p: (abs(p.start - pos), p.start))
        ss, _ = self.layout.sentence_of_clause(ci)
        before = [p for p in self.mentions.before(cs, ("Program",), limit=cs - ss) if p.start >= ss]
        return before[0] if before else None

    def region_for(self, ci: int, pos: int) -> str | None:
        cs, _ = self.layout.clauses[ci]
        named = self.mentions.between(cs, pos, ("Region",))
        if named:
            return named[-1].name
        if _NATIONAL.search(self.text, cs, pos):
            return None  # 全国…标准: a national standard, whatever the section's region
        return self.region_of(pos) if self.region_of else None

    def span(self, ci: int, extra: Sequence[Mention | None]) -> tuple[int, int]:
        """Whole clauses of the sentence covering clause ``ci`` and the mentions it names in that sentence."""
        lay = self.layout
        ss, se = lay.sentence_of_clause(ci)
        lo, hi = ci, ci
        for m in extra:
            if m is None or m.start < ss or m.end > se:
                continue
            k = lay.clause_at(m.start)
            lo, hi = min(lo, k), max(hi, lay.clause_at(max(m.start, m.end - 1)))
        return lay.clauses[lo][0], lay.clauses[hi][1]


_COORD_GAP = re.compile(r"[”“]?\s*(?:、|和|与|及|以及|或)?\s*[”“]?")


def _is_coord_gap(gap: str) -> bool:
    return _COORD_GAP.fullmatch(gap) is not None


# ----------------------------------------------------------------------------- cash


@dataclass
class _Amount:
    q: Quantity
    previous: Quantity | None = None
    consumed: bool = False


def _groups(text: str, amounts: list[Quantity]) -> list[list[Quantity]]:
    groups: list[list[Quantity]] = []
    for q in amounts:
        if groups and _GROUP_GAP.fullmatch(text, groups[-1][-1].end, q.start):
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


def _link_raises(text: str, groups: list[list[Quantity]]) -> list[_Amount]:
    """Pair earlier and raised amounts (由A提高到B, A、B分别提高到C、D, B(原为A))."""
    items = [[_Amount(q) for q in g] for g in groups]
    for gi in range(len(groups) - 1):
        left, right = groups[gi], groups[gi + 1]
        gap = text[left[-1].end:right[0].start]
        if _RAISE.search(gap):
            new, old = items[gi + 1], items[gi]
        elif (_WAS.match(gap) and "(" in gap) or _WAS_SHORT.match(gap):
            new, old = items[gi], items[gi + 1]
        else:
            continue
        if any(a.consumed for a in new):
            continue
        for k, a in enumerate(new):
            src = old[k] if len(old) == len(new) else old[-1] if len(old) == 1 else None
            if src is not None:
                a.previous = src.q
        for a in old:
            a.consumed = True
    return [a for g in items for a in g]


def _last(pattern: re.Pattern[str], text: str, start: int, end: int) -> re.Match[str] | None:
    last = None
    for m in pattern.finditer(text, start, end):
        last = m
    return last


def _per_unit(text: str, lo: int, cs: int, prev_cs: int, q: Quantity) -> tuple[str | None, str | None, bool, int]:
    """(basis, period, quarterly, position of the nearest per-unit cue) for amount ``q``.

    Looked for before the amount in its clause, else (ellipsis: ``每人每月500元,伤残家庭400元``) in the
    previous clause of the sentence, else as a slash unit after it (``300元/户/月``).
    """
    after = _SLASH_UNIT.match(text, q.end)
    windows = [(lo, q.start), (cs, q.start), (prev_cs, cs)]
    basis = period = None
    quarterly = False
    pos = -1
    for a, b in windows:
        bm = _last(_BASIS, text, a, b)
        pm = _last(_PERIOD, text, a, b)
        if bm or pm:
            if bm:
                basis = "family" if ("户" in bm.group() or "家" in bm.group()) else "person"
            if pm:
                period, quarterly = _period_of(pm.group())
            pos = max(bm.end() if bm else -1, pm.end() if pm else -1)
            break
    if after:
        s = after.group()
        if basis is None and ("人" in s or "户" in s):
            basis = "person" if "人" in s else "family"
        if period is None and ("月" in s or "年" in s):
            period = "month" if "月" in s else "year"
        pos = max(pos, q.start)
    return basis, period, quarterly, pos


def _period_of(word: str) -> tuple[str | None, bool]:
    if "季" in word:
        return None, True
    if "月" in word:
        return "month", False
    if "年" in word:
        return "year", False
    return "once", False


def _cash_description(text: str, cs: int, ce: int, q: Quantity) -> str:
    best: re.Match[str] | None = None
    best_d = 10**9
    for m in _CASH_NOUN.finditer(text, cs, ce):
        d = m.start() - q.end if m.start() >= q.end else (q.start - m.end()) + 3
        if d < best_d:
            best, best_d = m, d
    if best is None:
        return "现金补助"
    head, noun, suffix = best.group(1) or "", best.group(2), best.group(3)
    if suffix:
        return head + noun + suffix
    return head + noun + ("金" if noun in ("扶助", "抚慰", "慰问", "救助", "奖励", "资助", "帮扶", "扶持") else "")


def _find_cash(ctx: _Context) -> list[BenefitHit]:
    text, lay = ctx.text, ctx.layout
    by_clause: dict[int, list[Quantity]] = {}
    for ci in sorted({lay.clause_at(m.start()) for m in _MONEY_HINT.finditer(text)}):
        cs, ce = lay.clauses[ci]
        found = find_money(text, cs, ce)
        if found:
            by_clause[ci] = found
    hits: list[BenefitHit] = []
    last: tuple[int, list[BenefitHit]] = (-1, [])
    for ci in sorted(by_clause):
        cs, ce = lay.clauses[ci]
        was = _WAS_CLAUSE.match(text, cs, ce)
        if was:
            # 提高到340元,原标准为135元: the earlier standard completes the previous clause's benefits
            prev_ci, prev_hits = last
            amounts = by_clause[ci]
            same_sentence = lay.sentence_of_clause(prev_ci) == lay.sentence_of_clause(ci)
            if prev_ci == ci - 1 and len(amounts) == 1 and same_sentence:
                done = [replace(h, previous_amount=to_number(amounts[0].value), end=ce)
                        if h.previous_amount is None else h for h in prev_hits]
                del hits[len(hits) - len(prev_hits):]
                hits.extend(done)
            continue
        found = _cash_in_clause(ctx, ci, by_clause[ci])
        hits.extend(found)
        last = (ci, found)
    return hits


def _cash_in_clause(ctx: _Context, ci: int, amounts: list[Quantity]) -> list[BenefitHit]:
    text, lay = ctx.text, ctx.layout
    cs, ce = lay.clauses[ci]
    ss, _ = lay.sentence_of_clause(ci)
    prev_cs = lay.clauses[ci - 1][0] if ci > 0 and lay.clauses[ci - 1][0] >= ss else cs
    items = _link_raises(text, _groups(text, amounts))
    kept: list[tuple[_Amount, str | None, str | None, bool, str | None]] = []
    prev_end = cs
    for it in items:
        q = it.q
        lo = prev_end
        prev_end = q.end
        if it.consumed or _INCREMENT.search(text, max(cs, q.start - 4), q.start):
            continue  # 每人每月提高50元: an increment, not an amount
        basis, period, quarterly, unit_pos = _per_unit(text, lo, cs, prev_cs, it.previous or q)
        if basis is None and period is None and it.previous is not None:
            basis, period, quarterly, unit_pos = _per_unit(text, lo, cs, prev_cs, q)
        once_or_unit = basis is not None or period is not None or quarterly
        if not _is_entitlement(text, cs, ce, prev_cs, q, it.previous, once_or_unit, unit_pos,
                               bool(basis and period), basis is not None):
            continue
        qualifier = q.qualifier if q.qualifier in ("at_least", "at_most", "about") else None
        floor = _last(_FLOOR, text, lo, q.start)
        ceiling = _last(_CEILING, text, lo, q.start)
        if floor and (not ceiling or floor.end() > ceiling.end()):
            qualifier = "at_least"
        elif ceiling:
            qualifier = "at_most"
        kept.append((it, basis, period, quarterly, qualifier))
    if not kept:
        return []
    fts, _how = ctx.clause_fts(ci)
    names = _dedup_names([ctx.ft_name(m) for m in fts])
    slots = _pair_slots(text, prev_cs, ce, [it.q for it, *_ in kept], len(names))
    hits = []
    for k, (it, basis, period, quarterly, qualifier) in enumerate(kept):
        q = it.q
        targets: list[str | None] = [names[slots[k]]] if slots else (list(names) or [None])
        anchors: list[Mention | None] = [m for m in fts if ctx.ft_name(m) in targets]
        program = ctx.program_for(ci, q.start)
        start, end = ctx.span(ci, [*anchors, program])
        desc = _cash_description(text, prev_cs, ce, q)
        if quarterly:
            desc += "(每季度)"
        for ft in targets:
            hits.append(BenefitHit(
                kind="cash", region=ctx.region_for(ci, q.start), program=program.name if program else None,
                family_type=ft, amount=to_number(q.value),
                previous_amount=to_number(it.previous.value) if it.previous else None,
                period=period, basis=basis, description=desc, start=start, end=end, qualifier=qualifier,
                amount_max=to_number(q.max_value) if q.max_value is not None else None,
                rule="cash.raise" if it.previous else "cash"))
    return hits


def _pair_slots(text: str, cs: int, ce: int, amounts: list[Quantity], n_types: int) -> list[int]:
    """With 分别 (in the clause or the one before), the family type index of each amount: in order, per group
    of amounts (城镇A、B,农村C、D)."""
    if "分别" not in text[cs:ce] or n_types < 2:
        return []
    if len(amounts) == n_types:
        return list(range(n_types))
    groups = _groups(text, amounts)
    if all(len(g) == n_types for g in groups):
        return [k for g in groups for k in range(len(g))]
    return []


def _dedup_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        if n not in out:
            out.append(n)
    return out


def _is_entitlement(text: str, cs: int, ce: int, prev_cs: int, q: Quantity, previous: Quantity | None,
                    per_unit: bool, unit_pos: int, basis_and_period: bool, has_basis: bool) -> bool:
    """Is amount ``q`` an entitlement (not a total, budget, donation or income threshold)?"""
    first = previous or q
    # the nearest cue before the amount decides between threshold/funding and entitlement
    bad = max((m.end() for m in (_last(_THRESHOLD, text, cs, first.start), _last(_FUNDING, text, cs, first.start))
               if m), default=-1)
    cue_before = _last(_CASH_CUE, text, cs, first.start)
    good = max(unit_pos, cue_before.end() if cue_before else -1)
    if bad > good:
        return False
    if _AFTER_THRESHOLD.match(text, q.end):
        return False
    cue = bool(_CASH_CUE.search(text, prev_cs, ce))
    if not has_basis and q.value >= 100_000:
        return False  # per-year or undivided sums this large are budgets, not entitlements
    if basis_and_period:
        return True
    if per_unit or previous is not None:
        return cue
    if not cue:
        return False
    counts = [c for c in find_quantities(text, cs, first.start) if c.unit in _COUNT_UNITS]
    return not counts


# ----------------------------------------------------------------------------- insurance


def _find_insurance(ctx: _Context) -> list[BenefitHit]:
    text, lay = ctx.text, ctx.layout
    hits: list[BenefitHit] = []
    for m in _INSURANCE.finditer(text):
        ci = lay.clause_at(m.start())
        cs, ce = lay.clauses[ci]
        if not (_INS_VERB.search(text, cs, m.start()) or _INS_AFTER.match(text, m.end())):
            continue
        dstart = _insurance_start(ctx, cs, m.start())
        description = text[dstart:m.end()]
        fts = _insurance_fts(ctx, cs, dstart)
        if not fts:
            fts = ctx.resolve_anaphor(cs, m.start())
        if not fts and "覆盖" in text[m.end():ce]:
            fts = ctx.fts_in(cs, dstart)[-1:]
        names = _dedup_names([ctx.ft_name(f) for f in fts]) or [None]
        program = ctx.program_for(ci, dstart)
        start, end = ctx.span(ci, [*fts, program])
        for ft in names:
            hits.append(BenefitHit(kind="insurance", region=ctx.region_for(ci, dstart),
                                   program=program.name if program else None, family_type=ft, amount=None,
                                   previous_amount=None, period=None, basis=None, description=description,
                                   start=start, end=end, rule="insurance"))
    return hits


def _insurance_start(ctx: _Context, cs: int, pos: int) -> int:
    """Start of the insurance name ending at ``pos`` (``养老和医疗保险``, ``生育保险``)."""
    text = ctx.text
    start = cs
    for b in _INS_BOUNDARY.finditer(text, cs, pos):
        if b.group() in ("、", "和", "及", "与") and _INS_KIND_END.search(text, cs, b.start()) \
                and _INS_KIND_START.match(text, b.end()):
            continue  # 养老和医疗保险: the conjunction is inside the name
        start = b.end()
    for f in ctx.fts_in(cs, pos):
        start = max(start, f.end)
    if pos - start > 10:
        start = pos - 10
    return start


def _insurance_fts(ctx: _Context, cs: int, dstart: int) -> list[Mention]:
    fts = ctx.fts_in(cs, dstart)
    for f in reversed(fts):
        gap = ctx.text[f.end:dstart]
        if len(gap) <= 14 and not _LIST_MARK.search(gap):
            return ctx.coordinated(fts, f)
        if len(gap) <= 30 and _SIBLING_INSURANCE.fullmatch(gap):
            return ctx.coordinated(fts, f)  # 为X办理了意外伤害保险和住院护理保险: X has both
    return []


_LIST_MARK = re.compile(r"[、和及与,]")
_SIBLING_INSURANCE = re.compile(r"[^,;、和及与]*保险(?:[、和及与][^,;、和及与]*保险)*[、和及与]")


# ----------------------------------------------------------------------------- services


def _find_services(ctx: _Context) -> list[BenefitHit]:
    text, lay = ctx.text, ctx.layout
    hits: list[BenefitHit] = []
    for v in _SERVICE_VERB.finditer(text):
        ci = lay.clause_at(v.start())
        ce = lay.clauses[ci][1]
        fts, target_ci = _service_target(ctx, ci, v.start())
        if not fts:
            continue
        items = _service_items(text[v.end():ce])
        if not items:
            continue
        names = _dedup_names([ctx.ft_name(f) for f in fts])
        program = ctx.program_for(ci, v.start())
        anchors = [f for f in fts if lay.clause_at(f.start) >= target_ci] if target_ci is not None else []
        start, end = ctx.span(ci, [*anchors, program])
        if target_ci is not None:
            start = min(start, lay.clauses[target_ci][0])
        for ft in names:
            for item in items:
                hits.append(BenefitHit(kind="service", region=ctx.region_for(ci, v.start()),
                                       program=program.name if program else None, family_type=ft, amount=None,
                                       previous_amount=None, period=None, basis=None, description=item,
                                       start=start, end=end, rule="service"))
    return hits


_FOR_THEM = re.compile(r"(?:为|对|向|给)(?:其|他们|她们)")
_FOR_MARK = re.compile(r"[为对向给]")


def _service_target(ctx: _Context, ci: int, vpos: int) -> tuple[list[Mention], int | None]:
    """The family types a service verb at ``vpos`` is for: 为/对/向 X in the clause or the clause before."""
    lay, text = ctx.layout, ctx.text
    cs, _ = lay.clauses[ci]
    own = _targets_in(ctx, cs, vpos)
    if own:
        return own, ci
    ana = _FOR_THEM.search(text, cs, vpos)
    if ana:
        return ctx.resolve_anaphor(ana.start(), ana.end()), None
    if _FOR_MARK.search(text, cs, vpos):
        return [], None  # the clause has its own (non family-type) target
    ss, _ = lay.sentence_of_clause(ci)
    if ci > 0 and lay.clauses[ci - 1][0] >= ss:
        pcs, pce = lay.clauses[ci - 1]
        prev = _targets_in(ctx, pcs, pce)
        if prev and not _SERVICE_VERB.search(text, prev[-1].end, pce):
            return prev, ci - 1
    return [], None


def _targets_in(ctx: _Context, start: int, end: int) -> list[Mention]:
    fts = ctx.fts_in(start, end)
    for f in fts:
        if _TARGET_BEFORE.search(ctx.text, max(start, f.start - 8), f.start):
            return ctx.coordinated(fts, f)
    return []


_ITEMS_LEAD = re.compile(r"^(?:了|着)?(?:包括)?")
_ITEMS_TAIL = re.compile(r"在内的.*$")
_HOURS = re.compile(r"\d+小时")


def _service_items(tail: str) -> list[str]:
    tail = _ITEMS_LEAD.sub("", tail)
    tail = _ITEMS_TAIL.sub("", tail)
    if "等" in tail:
        tail = tail[: tail.rindex("等")]
    parts = [p.replace("“", "").replace("”", "") for p in _ITEM_SPLIT.split(tail)]
    parts = [p for p in parts if p]
    if not parts or any(len(p) < 2 or len(p) > 20 for p in parts):
        return []
    if any(_CASHLIKE.search(p) and not _HOURS.search(p) for p in parts):
        return []
    parts = [p for p in parts if p not in _VAGUE]
    if len(parts) == 1 and not _SERVICE_NOUN.search(parts[0]):
        return []  # a single vague object (帮扶工作, 关心) is not a clear service
    return parts


# ----------------------------------------------------------------------------- entry point


def _region_from_sections(sections: Sequence[SectionSpan]) -> RegionOf:
    ordered = sorted(sections)
    starts = [s for s, _e, _r in ordered]

    def region_of(pos: int) -> str | None:
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and pos < ordered[i][1]:
            return ordered[i][2]
        return None

    return region_of


def find_benefits(norm: NormText, mentions: MentionIndex, sections: Sequence[SectionSpan] = (),
                  region_of: RegionOf | None = None) -> list[BenefitHit]:
    """Cash, insurance and service benefits stated in ``norm.text``, in normalised offsets, sorted by position.

    ``mentions`` supplies FamilyType, Program and Region mentions (normalised offsets).  The region of a
    benefit is a Region mention in its clause before it, else ``region_of(start)``, else the region of the
    ``(start, end, region)`` section containing it.
    """
    if region_of is None and sections:
        region_of = _region_from_sections(sections)
    ctx = _Context(norm, mentions, region_of)
    hits = _find_cash(ctx) + _find_insurance(ctx) + _find_services(ctx)
    hits.sort(key=lambda h: (h.start, h.end, h.kind, h.family_type or "", h.description))
    # one record per distinct item: a restatement (a summary, a heading) of the same item in the same region is dropped
    unique: dict[tuple, BenefitHit] = {}
    for h in hits:
        key = (h.kind, h.region, h.family_type, h.amount, h.previous_amount, h.period, h.basis, h.description)
        unique.setdefault(key, h)
    return list(unique.values())
