"""Domain lexicons of the extractor: general knowledge of the genre, never a list of one document's entities.

* organisation suffixes and the abbreviation rules of Chinese government bodies
  (计生 = 计划生育, 人口计生委 = 人口和计划生育委员会, 计生协 = 计划生育协会 …);
* program head nouns (计划, 工程, 项目, 活动, 行动, 制度, 政策 …) and the verbs
  that introduce a named initiative (实施, 开展, 启动 …);
* family-type modifiers for the open …家庭 / …户 pattern, and the taxonomy
  shipped as ``data/family_types.tsv``;
* person titles and common surnames.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# ----------------------------------------------------------------------------- organisations

# Longest first; each is the tail of an organisation name.
ORG_SUFFIXES = (
    "委员会办公室", "领导小组办公室", "领导小组", "工作小组", "工作委员会", "委员会", "联合会", "基金会", "促进会",
    "研究会", "协会", "学会", "俱乐部", "街道办事处", "办事处", "居民委员会", "村民委员会", "居委会",
    "村委会", "服务中心", "中心", "办公室", "管理局", "监督局", "总局", "局", "厅",
    "研究院", "研究所", "科学院", "医院", "妇幼保健院", "保健院", "服务站", "指导站", "服务所", "计生协", "计生委",
    "人口委", "卫计委", "卫健委", "卫生健康委", "健康委", "国资委", "政法委", "纪委", "民委", "民宗委",
    "发改委", "教委", "工委", "妇联", "残联", "侨联", "科协", "文联", "团委", "总工会",
    "工会", "国务院", "人民政府", "政府", "党委", "市委", "省委", "区委", "县委", "州委", "政协", "电视台", "广播电台", "电台",
    "日报", "晚报", "人口报", "政协报", "出版社", "新闻社", "通讯社", "办", "司", "处",
)
# Internal units: a name ending in one of these after a full organisation name is partOf that organisation.
SUBUNIT_SUFFIXES = ("司", "处", "科", "办公室")
# Bureau-like suffixes that need a known stem (部 alone is too common: 全部, 内部 …).
MINISTRY_STEMS = (
    "人社", "人力资源和社会保障", "卫生", "民政", "财政", "教育", "公安", "司法", "商务", "文化", "农业",
    "宣传", "组织", "统战", "中宣", "国土资源", "住房和城乡建设", "交通运输", "水利", "科技", "工业和信息化",
)
# Coordinations with 和/与 that occur inside the names of bodies.
AND_COMPOUNDS = (
    "人口和计划生育", "人口和家庭", "人力资源和社会保障", "发展和改革", "住房和城乡建设", "工业和信息化",
    "新闻出版和广电", "卫生和计划生育", "妇女和儿童", "人口与家庭", "人口和计生",
)
NATIONAL_PREFIXES = ("国家", "中国", "全国", "中央", "国务院")
# Generic stems that make a suffix match a class reference, not a name.
GENERIC_ORG_STEMS = frozenset({
    "服务", "活动", "文化", "社区", "示范", "工作", "相关", "有关", "职能", "各级", "基层", "分", "区县分", "该",
    "本", "这个", "那个", "其", "此", "各", "早教", "为", "中", "核心", "重点", "主管", "全", "一", "整体",
})

# ----------------------------------------------------------------------------- abbreviation rules


@lru_cache(maxsize=1 << 14)
def expand_abbreviation(body: str) -> str:
    """Spell out the abbreviations of government-body names (``人口计生委`` -> ``人口和计划生育委员会``)."""
    s = body
    s = re.sub(r"计生(?=委|协|局|办|家庭)", "计划生育", s)
    s = s.replace("卫计委", "卫生和计划生育委员会").replace("卫健委", "卫生健康委员会")
    s = s.replace("发改委", "发展和改革委员会").replace("人社部", "人力资源和社会保障部")
    s = s.replace("人社局", "人力资源和社会保障局")
    s = re.sub(r"^(人口|卫生)计划生育", r"\1和计划生育", s)
    s = re.sub(r"(?<=计划生育)委$", "委员会", s)
    s = re.sub(r"(?<=人口)委$", "委员会", s)
    s = re.sub(r"(?<=计划生育)协$", "协会", s)
    s = re.sub(r"(?<=计划生育)办$", "办公室", s)
    s = re.sub(r"^教委$", "教育委员会", s)
    s = re.sub(r"妇联$", "妇女联合会", s)
    s = re.sub(r"残联$", "残疾人联合会", s)
    s = re.sub(r"科协$", "科学技术协会", s)
    return s


# ----------------------------------------------------------------------------- programs

PROGRAM_HEADS = ("计划", "工程", "项目", "活动", "行动", "制度", "政策", "评选", "工作思路", "品牌", "服务圈")
# Heads that may follow a quoted name to complete it (“五保”政策, “好媳妇”评选).
QUOTE_HEADS = ("政策", "制度", "计划", "工程", "项目", "活动", "行动", "评选", "评选活动", "创建活动", "工作思路", "行动计划",
               "帮扶", "牵手", "服务")
# Generic activity words: an unquoted name made only of these is a description, not a named program.
GENERIC_PROGRAM_WORDS = (
    "宣传", "教育", "培训", "服务", "咨询", "指导", "文化", "健康", "文体", "志愿", "公益", "帮扶", "慰问", "走访",
    "关爱", "关怀", "主题", "系列", "专项", "相关", "各类", "各种", "多种", "社团", "实践", "评选", "表彰", "纪念",
    "宣教", "工作", "业务", "日常", "经常性", "特色", "示范", "试点", "重点", "群众", "社会", "家庭", "人口", "计生",
)
# Words that make an organisation mention part of a person's title, not an actor (区委主要领导, 基金会会长).
TITLE_AFTER_ORG = ("主要领导", "领导同志", "书记", "副书记", "主任", "副主任", "主席", "副主席", "会长", "副会长",
                   "秘书长", "局长", "部长", "理事长")
PLACE_SUFFIXES = ("基地", "馆", "站", "所", "院", "中心", "公园", "广场", "大学", "学院", "医院")
# Verbs that introduce a named initiative (实施了“…”, 联合开展…活动).
PROGRAM_VERBS = (
    "组织实施", "联合实施", "联合开展", "联合启动", "全面实施", "积极推进", "扎实推进", "深入开展", "广泛开展",
    "实施", "开展", "启动", "推进", "推出", "推行", "创办", "发起", "实行", "落实", "打造", "举办", "建立",
    "纳入", "列入", "参加", "参与", "围绕", "推动", "设立", "执行", "完善", "健全",
)
# Words that (almost) never occur inside a name: a leftward scan for a name's start stops after them.
STOP_WORDS = (
    "实施", "开展", "启动", "落实", "纳入", "列入", "打造", "推出", "推行", "发起", "举办", "参加", "参与", "围绕",
    "成立", "组建", "筹建", "依托", "通过", "协调", "制定", "完成", "承接", "购买", "获得", "授予", "召开", "出席",
    "主持", "领导", "负责", "牵头", "配合", "会同", "按照", "根据", "实行", "积极", "认真", "扎实", "深入", "大力",
    "着力", "努力", "持续", "连续", "不断", "已经", "正在", "陆续", "建立", "加强", "发挥", "形成", "实现", "确定",
    "确立", "坚持", "突出", "结合", "利用", "鼓励", "动员", "引导", "提高", "提升", "加大", "探索", "成为", "建成",
    "挂牌", "享受", "作为", "还有", "其中", "包括", "就是", "以及", "组成", "任组长", "为组长", "为成员", "召集",
    "邀请", "委托", "设在", "挂靠", "隶属", "主办", "承办", "协办", "资助", "捐赠", "捐助", "联合", "携手", "纪念",
    "有关", "相关", "借助", "依靠", "进一步", "完善", "健全", "地处", "位于", "简称",
    "根据", "依据", "据悉", "经过", "发表", "制作", "评为",
)
# Verbs that also stop a scan for an organisation's name (but occur inside program names: 健康指导服务项目).
ORG_STOP_WORDS = ("指导", "管理", "服务于", "帮助", "带领", "号召", "要求", "督促")
# Words stripped from the start of a candidate name when enough name remains (积极推进创建… -> 创建…).
LEADING_STRIP = (
    "全面推进", "积极推进", "扎实推进", "推进", "推动", "深化", "健全", "完善", "全面", "积极", "扎实", "深入",
    "全国", "全市", "全省", "全区", "全县", "我市", "我省", "本市", "各级", "各区县", "区县", "新时期", "各地",
    "组织", "开展", "实施", "启动",
)
STOP_CHARS = frozenset("的了在与由以对为将把向从到及或并等是有于被让使给经其该各这那此每也都就而且即—–·"
                       ",.;:!?()[]<>\"'“”‘’《》〈〉「」『』、，。；：！？（）【】 \n0123456789%~-")
FREE_MODIFIERS = ("全国", "全市", "全省", "全区", "全县", "新时期", "区县", "各地", "我市", "我省", "本市")
EVENT_HEADS = ("交流会", "座谈会", "研讨会", "推进会", "现场会", "表彰会", "大会", "论坛", "展览", "展")
DOCUMENT_QUOTES = ("《", "》")

# ----------------------------------------------------------------------------- family types

FAMILY_MODIFIERS = (
    "计划生育", "计生", "特殊困难", "特殊", "困难", "特困", "贫困", "低保", "低收入", "独生子女", "死亡", "伤残",
    "残疾", "失独", "单亲", "空巢", "留守", "流动", "流动人口", "新市民", "外来务工人员", "农民工", "新婚", "重组",
    "再婚", "核心", "主干", "联合", "双女", "纯女", "二女", "独女", "农村", "城镇", "城乡", "城市", "部分", "老年人",
    "老人", "独居", "高龄", "失能", "军人", "烈属", "多子女", "二孩", "三孩", "育龄", "婴幼儿", "离异", "隔代",
    "丁克", "奖扶", "特扶", "五保", "大病", "重病", "和",
)
FAMILY_HEADS = ("家庭", "户")

# ----------------------------------------------------------------------------- people

PERSON_TITLES = tuple(sorted((
    "主任", "副主任", "部长", "副部长", "司长", "副司长", "局长", "副局长", "厅长", "副厅长", "处长", "副处长",
    "主席", "副主席", "会长", "副会长", "常务副会长", "秘书长", "副秘书长", "书记", "副书记", "市长", "副市长",
    "省长", "副省长", "区长", "副区长", "县长", "副县长", "镇长", "乡长", "村主任", "总理", "副总理", "委员",
    "常委", "理事长", "副理事长", "院长", "副院长", "所长", "主编", "记者", "巡视员", "副巡视员", "党组书记",
    "党组成员", "主任委员", "董事长", "总经理", "校长", "教授", "专家", "负责人", "同志",
), key=len, reverse=True))
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙", "宇文", "夏侯")


# ----------------------------------------------------------------------------- the family-type taxonomy


@dataclass(frozen=True)
class FamilyType:
    slug: str
    name: str
    en: str
    broader: str | None
    synonyms: tuple[str, ...]
    generic: bool


@lru_cache(maxsize=1)
def family_taxonomy() -> dict[str, FamilyType]:
    """Every surface form (prefLabel or synonym) of the shipped taxonomy -> its concept."""
    text = (resources.files("hfkg.extract") / "data" / "family_types.tsv").read_text(encoding="utf-8")
    out: dict[str, FamilyType] = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        ft = FamilyType(
            slug=row["slug"], name=row["zh"], en=row["en"], broader=row["broader"] or None,
            synonyms=tuple(s for s in row["synonyms"].split("|") if s), generic=row.get("generic") == "yes",
        )
        for form in (ft.name, *ft.synonyms):
            out.setdefault(form, ft)
    return out
