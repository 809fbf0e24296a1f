"""Naming rules for the builders: state-body suffixes, initiative head nouns and a small English glossary.

English labels are given only when every part of a name is known to the glossary (a region's English name
plus glossary words); otherwise an entity has no ``@en`` label.  No machine translation, no guessing.
"""

from __future__ import annotations

# Organisation names ending like this are state bodies (cv:PublicOrganisation) ...
STATE_SUFFIXES = ("人民政府", "政府", "委员会", "计生委", "卫生委", "卫计委", "局", "厅", "部", "委", "办公室", "办事处",
                  "办", "署", "人大", "政协", "法院", "检察院")
# ... unless the name shows they are associations, foundations or federations.
NON_STATE_MARKS = ("协会", "基金会", "联合会", "妇联", "学会", "俱乐部", "研究会", "促进会", "公司", "报社", "电视台",
                   "计生协", "志愿者")

# Head noun -> initiative-type concept slug (checked against the shipped vocabulary before use).
INITIATIVE_HEADS = (
    ("活动", "campaign"), ("行动", "campaign"), ("工程", "project-package"), ("项目", "project"),
    ("计划", "programme"), ("制度", "benefit-scheme"), ("政策", "policy"), ("工作", "programme"),
)

# Chinese words -> English, used only when the whole remainder of a name is covered.
GLOSSARY: dict[str, str] = {
    "人口和计划生育委员会": "Population and Family Planning Commission",
    "人口计生委": "Population and Family Planning Commission",
    "卫生和计划生育委员会": "Health and Family Planning Commission",
    "计划生育委员会": "Family Planning Commission",
    "计生委": "Family Planning Commission",
    "计划生育协会": "Family Planning Association",
    "计生协": "Family Planning Association",
    "计生协会": "Family Planning Association",
    "人口福利基金会": "Population Welfare Foundation",
    "妇女联合会": "Women's Federation",
    "妇联": "Women's Federation",
    "民政局": "Civil Affairs Bureau",
    "民政厅": "Civil Affairs Department",
    "财政局": "Finance Bureau",
    "财政厅": "Finance Department",
    "卫生局": "Health Bureau",
    "卫生厅": "Health Department",
    "教育委员会": "Education Commission",
    "教育局": "Education Bureau",
    "人力资源和社会保障局": "Human Resources and Social Security Bureau",
    "人民政府": "People's Government",
    "政府": "Government",
    "红十字会": "Red Cross Society",
    "老龄工作委员会": "Working Commission on Ageing",
    "共青团": "Communist Youth League",
    "总工会": "Federation of Trade Unions",
    "残疾人联合会": "Disabled Persons' Federation",
    "残联": "Disabled Persons' Federation",
    "人口计生部门": "population and family planning authorities",
}
PREFIXES: dict[str, str] = {"国家": "National", "中国": "China", "全国": "National"}


def is_state_body(name: str) -> bool:
    """True when an organisation name ends like a government body and names no association or foundation."""
    if any(mark in name for mark in NON_STATE_MARKS):
        return False
    return name.endswith(STATE_SUFFIXES)


def initiative_type(name: str) -> str | None:
    """The initiative-type slug given by a program name's head noun, or None."""
    for head, slug in INITIATIVE_HEADS:
        if name.endswith(head):
            return slug
    return None


def english_label(name: str) -> str | None:
    """An English label when ``name`` is (optional region or national prefix) + one glossary entry, else None.

    The region prefix is split off with the gazetteer (北京市人口和计划生育委员会 -> 北京市 + 人口和计划生育委员会)
    and named by its English gazetteer name; the rest must be a glossary entry as a whole.
    """
    from hfkg.extract.gazetteer import region_prefix

    if name in GLOSSARY:
        return GLOSSARY[name]
    split = region_prefix(name)
    if split is not None:
        region, rest = split
        if rest in GLOSSARY and region.en:
            return f"{region.en} {GLOSSARY[rest]}"
        return None
    for zh, en in PREFIXES.items():
        if name.startswith(zh) and name[len(zh):] in GLOSSARY:
            return f"{en} {GLOSSARY[name[len(zh):]]}"
    return None
