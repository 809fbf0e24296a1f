"""Seeded generator of synthetic report corpora in the genre of hfkg's input, for measuring cost.

``python -m benchmarks.generate --reports N --seed S --out DIR`` writes ``DIR/report-00000.txt`` ... Each
report is a compilation like the campaign's: a preface, then two to four regional reports (a title line or two,
an author line of organisations separated by full-width spaces, numbered headings, body text wrapped as a PDF
is, about 30 characters a line with blank lines between, page-break lines starting with a space, full-width
digits).  The text names divisions of the shipped gazetteer, quoted programs with head nouns and
enumerations, family types, agencies and their short forms, benefits in varied phrasings, funding totals and
volunteer counts.  Report ``i`` depends only on ``(seed, i)``, so a corpus of 100 is the first 100 reports
of a corpus of 1,000.

The corpus exists to measure cost, not quality: the templates are written from the genre, not from the
extractor's rules, and nothing here is a source of truth for extraction.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CN_NUM = "一二三四五六七八九十"
WRAP = 30
TARGET_BYTES = (15_000, 20_000)

# agency body -> short form used after the first mention (level prefix 省/市/区/县 added in the text)
AGENCIES: tuple[tuple[str, str], ...] = (
    ("人口和计划生育委员会", "人口计生委"),
    ("计划生育协会", "计生协"),
    ("人口和计划生育局", "人口计生局"),
    ("民政局", "民政局"),
    ("财政局", "财政局"),
    ("卫生局", "卫生局"),
    ("教育局", "教育局"),
    ("妇女联合会", "妇联"),
    ("总工会", "总工会"),
    ("人力资源和社会保障局", "人社局"),
    ("发展和改革委员会", "发改委"),
    ("人口福利基金会", "人口福利基金会"),
    ("老龄工作委员会办公室", "老龄办"),
    ("残疾人联合会", "残联"),
)
FAMILY_TYPES = (
    "计划生育特殊家庭", "失独家庭", "独生子女伤残家庭", "独生子女死亡家庭", "计划生育困难家庭", "农村独女户",
    "农村二女户", "空巢老人家庭", "留守儿童家庭", "单亲家庭", "流动人口家庭", "低保家庭", "残疾人家庭",
    "独生子女家庭", "计划生育家庭", "贫困家庭", "新婚家庭", "育龄妇女家庭",
)
PROGRAM_WORDS = (
    "幸福", "暖心", "关爱", "阳光", "健康", "温馨", "和谐", "春蕾", "安康", "亲情", "连心", "牵手", "助学", "致富",
    "爱心", "护航", "圆梦", "夕阳红", "新家庭", "母亲", "青春", "生育关怀", "家庭发展", "优生", "康乐", "惠民",
    "邻里", "书香", "银龄", "同心", "筑梦", "小康",
)
PROGRAM_HEADS = ("计划", "工程", "行动", "项目", "活动", "服务", "基金", "驿站", "课堂", "俱乐部")
BENEFIT_NAMES = ("扶助金", "特别扶助金", "奖励扶助金", "慰问金", "救助金", "生活补贴", "养老补贴", "助学金", "护理补贴")
INSURANCE = ("养老保险", "医疗保险", "意外伤害保险", "住院护理保险", "生育保险")
SERVICES = ("心理疏导", "精神慰藉", "医疗咨询", "家政服务技能培训", "上门探视", "健康体检", "法律援助", "技术培训", "生殖健康检查")
THEMES = ("文明", "健康", "优生", "致富", "奉献", "和谐", "幸福", "发展")
FILLER = (
    "坚持以人为本，统筹推进，把创建幸福家庭活动作为改善民生的重要抓手",
    "各级党委、政府高度重视，将此项工作纳入年度目标管理考核",
    "充分发挥基层网络优势，整合资源，形成工作合力",
    "广泛宣传新型婚育文化，营造全社会关心支持家庭发展的良好氛围",
    "通过典型示范、以点带面，推动活动在城乡深入开展",
    "创新服务方式，拓展服务领域，不断提升服务水平和质量",
    "建立健全长效机制，确保各项政策落到实处",
    "群众满意度和参与率明显提高，活动取得了阶段性成效",
    "加强调查研究，及时总结推广基层的好经验、好做法",
    "坚持政府主导、部门协作、社会参与、群众受益的原则",
    "注重家庭成员的全面发展，促进家庭和睦与社会和谐",
    "以社区为依托，打造十五分钟便民服务圈",
)
OPENINGS = (
    "在上级部门的指导下", "按照年初确定的工作目标", "围绕群众最关心的问题", "结合本地实际", "针对新形势新任务",
    "在深入调研的基础上", "为进一步巩固创建成果", "以开展试点工作为契机",
)
ENDINGS = (
    "得到了广大群众的普遍认可", "为下一步工作打下了坚实基础", "工作水平得到了整体提升", "取得了良好的社会效果",
    "基层干部群众的积极性明显增强", "有力促进了家庭和谐与社会稳定",
)
HEADINGS = (
    "加强组织领导，健全工作机制", "完善政策体系，强化利益导向", "创新服务模式，提升服务能力",
    "突出重点人群，开展关怀帮扶", "整合社会资源，形成工作合力", "加强宣传倡导，营造良好氛围",
    "注重示范引领，推进全面创建", "强化督导考核，确保工作实效", "存在问题与下一步打算",
)
TITLE_PARTS = (
    "创新工作机制", "提升家庭发展能力", "全面推进幸福家庭建设", "构建公共服务体系", "关注民生改善",
    "促进家庭和谐幸福", "以人为本惠民生", "扎实开展创建活动", "打造幸福家庭品牌", "服务家庭发展",
)


@dataclass
class _Place:
    """The region a regional report is about, with the names its text uses."""

    name: str
    level_word: str  # 省 / 市 / 区 / 县: the prefix of short agency names
    nearby: list[str]  # subdivisions named in the text


def _gazetteer() -> tuple[list, dict[str | None, list]]:
    from hfkg.extract.gazetteer import load_gazetteer

    regions = [r for r in load_gazetteer().regions if r.status == "current" and r.code]
    children: dict[str | None, list] = {}
    for r in regions:
        children.setdefault(r.parent_code, []).append(r)
    return regions, children


def _level_word(name: str, level: str) -> str:
    if level == "province":
        return "省" if name.endswith("省") else ("市" if name.endswith("市") else "区")
    last = name[-1]
    return last if last in "市区县州旗盟" else "市"


def _pick_place(rng: random.Random, regions: list, children: dict[str | None, list]) -> _Place:
    region = rng.choice(regions)
    subs = children.get(region.code, [])
    if len(subs) < 2 and region.parent_code:
        subs = [r for r in children.get(region.parent_code, []) if r is not region]
    nearby = [r.name for r in rng.sample(subs, min(len(subs), rng.randint(2, 6)))] if subs else []
    return _Place(region.name, _level_word(region.name, region.level), nearby)


def _digits(text: str, full: bool) -> str:
    return text.translate(FULL_WIDTH) if full else text


class _Writer:
    """Sentences of one regional report; remembers which agencies and programs it has introduced."""

    def __init__(self, rng: random.Random, place: _Place) -> None:
        self.rng = rng
        self.place = place
        self.agencies = rng.sample(AGENCIES, rng.randint(4, 8))
        self.introduced: set[str] = set()
        self.programs: list[str] = []

    def agency(self) -> str:
        body, short = self.rng.choice(self.agencies)
        if body in self.introduced and self.rng.random() < 0.7:
            return f"{self.place.level_word}{short}" if self.rng.random() < 0.7 else short
        self.introduced.add(body)
        return f"{self.place.name}{body}"

    def program(self) -> str:
        if self.programs and self.rng.random() < 0.35:
            return self.rng.choice(self.programs)
        words = self.rng.sample(PROGRAM_WORDS, self.rng.randint(1, 2))
        name = "".join(words) + self.rng.choice(PROGRAM_HEADS)
        self.programs.append(name)
        return name

    def quoted(self) -> str:
        return f"“{self.program()}”"

    def money(self, low: int, high: int, step: int = 10) -> int:
        return self.rng.randrange(low, high, step)

    def sentence(self) -> str:
        r = self.rng
        kind = r.choices(
            ("filler", "program", "enumeration", "benefit_month", "benefit_raise", "benefit_floor", "funding",
             "volunteers", "insurance", "service", "lead", "subregion", "once"),
            weights=(12, 3, 1, 1, 1, 0.5, 2, 1, 0.5, 1, 2, 2, 0.5))[0]
        return getattr(self, f"_{kind}")()

    def _filler(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return r.choice(FILLER)
        return f"{r.choice(OPENINGS)}，{r.choice(FILLER)}，{r.choice(ENDINGS)}"

    def _program(self) -> str:
        ft = self.rng.choice(FAMILY_TYPES)
        return f"{self.agency()}组织实施{self.quoted()}，为{ft}提供{self.rng.choice(SERVICES)}等服务"

    def _enumeration(self) -> str:
        names = [self.quoted() for _ in range(self.rng.randint(3, 5))]
        head = self.rng.choice(("工程", "行动", "计划"))
        return f"重点实施了{'、'.join(names[:-1])}和{names[-1]}{CN_NUM[len(names) - 1]}大{head}"

    def _benefit_month(self) -> str:
        ft = self.rng.choice(FAMILY_TYPES)
        amount = self.money(50, 600)
        return f"对{ft}实行每人每月{amount}元{self.rng.choice(BENEFIT_NAMES)}政策"

    def _benefit_raise(self) -> str:
        ft = self.rng.choice(FAMILY_TYPES)
        old = self.money(60, 1200)
        new = old + self.money(20, 600)
        period = self.rng.choice(("每人每年", "每人每月", "每户每年"))
        return f"将{ft}的{self.rng.choice(BENEFIT_NAMES)}标准由{period}{old}元提高到{new}元"

    def _benefit_floor(self) -> str:
        ft = self.rng.choice(FAMILY_TYPES)
        return f"{ft}{self.rng.choice(BENEFIT_NAMES)}每人每月不低于{self.money(100, 500)}元"

    def _once(self) -> str:
        ft = self.rng.choice(FAMILY_TYPES)
        return f"春节期间为{ft}一次性发放{self.rng.choice(BENEFIT_NAMES)}每户{self.money(200, 3000, 100)}元"

    def _funding(self) -> str:
        r = self.rng
        amount = r.choice((f"{r.randint(10, 5000)}", f"{r.randint(1, 999)}.{r.randint(1, 9)}"))
        verb = r.choice(("累计投入资金", "财政投入专项资金", "筹集资金", "共落实扶助资金"))
        return f"{r.randint(2009, 2012)}年全{self.place.level_word}{verb}{amount}万元，惠及{r.randint(100, 90000)}户家庭"

    def _volunteers(self) -> str:
        r = self.rng
        return f"组建志愿者服务队{r.randint(3, 400)}支，注册志愿者{r.randint(50, 30000)}名，开展{self.quoted()}"

    def _insurance(self) -> str:
        ft = self.rng.choice(FAMILY_TYPES)
        ins = self.rng.choice(INSURANCE)
        return f"由财政出资为{ft}购买{ins}，每人每年{self.money(30, 300)}元由财政代缴"

    def _service(self) -> str:
        ft = self.rng.choice(FAMILY_TYPES)
        services = self.rng.sample(SERVICES, 3)
        return f"针对{ft}的实际需求，开展{services[0]}、{services[1]}和{services[2]}等服务"

    def _lead(self) -> str:
        a, b = self.agency(), self.agency()
        return f"由{a}牵头，{b}配合，联合开展{self.quoted()}"

    def _subregion(self) -> str:
        if not self.place.nearby:
            return self._filler()
        sub = self.rng.choice(self.place.nearby)
        return f"{sub}探索建立{self.quoted()}，{self.rng.choice(FILLER)}"


def _wrap(paragraph: str, rng: random.Random) -> list[str]:
    """PDF-style lines of about WRAP characters (the last one shorter)."""
    width = WRAP + rng.choice((-1, 0, 0, 1))
    return [paragraph[i:i + width] for i in range(0, len(paragraph), width)]


def _paragraph(w: _Writer, sentences: int) -> str:
    parts = [w.sentence() for _ in range(sentences)]
    return "".join(p + ("；" if i < len(parts) - 1 and w.rng.random() < 0.3 else "。") for i, p in enumerate(parts))


def _section(rng: random.Random, place: _Place, budget: int) -> list[str]:
    """One regional report as a list of lines (blank lines included), about ``budget`` UTF-8 bytes."""
    w = _Writer(rng, place)
    full = rng.random() < 0.8
    title = rng.sample(TITLE_PARTS, 3)
    lines = [f" {title[0]}\u3000{title[1]}", title[2], ""]
    authors = [f"{place.name}{body}" for body, _ in w.agencies[:rng.randint(1, 3)]]
    w.introduced.update(body for body, _ in w.agencies[:len(authors)])
    lines += ["\u3000".join(authors), ""]
    size = sum(len(x.encode("utf-8")) for x in lines)
    heads = rng.sample(HEADINGS, len(HEADINGS))
    h = 0
    while size < budget:
        if rng.random() < 0.25 and h < len(heads):
            heading = f"{CN_NUM[h]}、{heads[h]}" if rng.random() < 0.6 else f"（{CN_NUM[h]}）{heads[h]}"
            h += 1
            block = [heading]
        else:
            block = _wrap(_digits(_paragraph(w, rng.randint(2, 5)), full), rng)
        for line in block:
            lines += [line, ""]
            size += len(line.encode("utf-8")) + 2
    return lines


def _page_breaks(lines: list[str], rng: random.Random) -> list[str]:
    """Every 40-60 lines a new page starts: its first line begins with a space."""
    out = []
    count = 0
    next_break = rng.randint(40, 60)
    for line in lines:
        count += 1
        if line and count >= next_break and not line.startswith(" "):
            line = " " + line
            count, next_break = 0, rng.randint(40, 60)
        out.append(line)
    return out


def _preface(rng: random.Random, places: list[_Place]) -> list[str]:
    year = rng.randint(2009, 2013)
    theme = "、".join(rng.sample(THEMES, 5))
    text = (f"{year}年{rng.randint(1, 12)}月，国家人口计生委、中国计划生育协会、中国人口福利基金会联合开展"
            f"创建幸福家庭活动，在全国{rng.randint(10, 31)}个省（区、市）先行试点。各试点围绕“{theme}”主题，"
            f"因地制宜，开拓创新，有效解决了城乡家庭在生产、生活、生育及养老等方面存在的困难和问题。"
            f"本册收录{'、'.join(p.name for p in places)}等地的交流材料，供各级人口计生部门学习参考。")
    lines = [" 前 言", ""]
    for line in _wrap(text, rng):
        lines += [line, ""]
    lines += ["中国人口福利基金会", f"{year + 1} 年 {rng.randint(1, 12)} 月"]
    return lines


def generate_report(seed: int, index: int, gazetteer: tuple[list, dict] | None = None) -> str:
    """The text of report ``index`` of the corpus seeded with ``seed`` (the same text on every call)."""
    regions, children = gazetteer or _gazetteer()
    rng = random.Random(f"hfkg-bench:{seed}:{index}")
    places = [_pick_place(rng, regions, children) for _ in range(rng.randint(2, 4))]
    total = rng.randint(*TARGET_BYTES)
    lines = _preface(rng, places)
    budget = (total - sum(len(x.encode("utf-8")) for x in lines)) // len(places)
    for place in places:
        lines += _section(rng, place, budget)
    return "\n".join(_page_breaks(lines, rng)) + "\n"


def generate_corpus(reports: int, seed: int, out: str | Path) -> list[Path]:
    """Write ``reports`` reports into ``out`` (created if needed); returns their paths in order."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    gaz = _gazetteer()
    paths = []
    for i in range(reports):
        path = folder / f"report-{i:05d}.txt"
        path.write_text(generate_report(seed, i, gaz), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10, help="number of reports (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)
    if args.reports < 1:
        parser.error("--reports must be at least 1")
    paths = generate_corpus(args.reports, args.seed, args.out)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} reports ({size / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
