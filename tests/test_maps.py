"""Map HTML (offline, escaped, deterministic, explained when empty), the Gephi/CSV exports and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from hfkg.cli import cli
from hfkg.exports import EXPORTERS
from hfkg.exports.gephi import edges_csv_bytes, flat_graph, gexf_bytes, graphml_bytes, render, safe_cell
from hfkg.exports.maps import _search_text, render_map, write_map
from hfkg.graph.similarity import ProgramRecord, build_features, compute_similarity, similarity

SMALL = Path(__file__).parent / "data" / "similarity" / "small.trig"
INJECTION = "<img src=x onerror=alert(1)>"
URL = re.compile(r"(?i)https?://")


def _data(page: str) -> dict:
    island = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)
    assert island
    return json.loads(island.group(1))


def _injected_sim(tmp_path: Path):
    trig = tmp_path / "g.trig"
    trig.write_text(SMALL.read_text(encoding="utf-8").replace("甲市暖家计划", INJECTION.replace('"', "")),
                    encoding="utf-8")
    return similarity(trig, min_score=0.05)


def test_map_is_offline_escaped_and_deterministic(tmp_path: Path) -> None:
    sim = _injected_sim(tmp_path)
    for level in ("program", "region"):
        page = render_map(sim, level=level).html
        assert not URL.search(page), "the map must not reference any remote URL"
        assert "<img" not in page and "onerror=alert" not in page.replace("onerror=alert(1)\\u003e", "")
        assert page == render_map(sim, level=level).html
    page = render_map(sim).html
    data = _data(page)
    names = {n["label"] for n in data["nodes"]}
    assert INJECTION in names  # shown as text: the JSON carries it literally, the script sets it with textContent
    assert "innerHTML" not in page.split('id="map-data"')[1].split("</script>", 2)[2]
    jia = next(n for n in data["nodes"] if n["label"] == INJECTION)
    assert ["家庭类型 Family types", "失独家庭"] in jia["tip"] and jia["regionLabel"] == "甲市"
    assert len(data["edges"]) == len(sim) and data["physics"] is True


def test_write_map_is_utf8_and_reports_counts(tmp_path: Path) -> None:
    sim = similarity(SMALL, min_score=0.05)
    result = write_map(sim, tmp_path / "out" / "map.html")
    text = (tmp_path / "out" / "map.html").read_bytes().decode("utf-8")
    assert result.nodes == 4 and result.edges == len(sim) == 3 and "甲市暖家计划" in text
    assert result.message.startswith("4 programs, 3 similarity links")
    regions = write_map(sim, tmp_path / "regions.html", level="region")
    assert regions.level == "region" and regions.nodes == 3 and regions.edges == 3
    edge = next(e for e in _data(regions.html)["edges"] if {e["from"], e["to"]} == {
        "https://example.org/hfkg/id/region/A", "https://example.org/hfkg/id/region/B"})
    assert any("失独家庭" in v for _, v in edge["tip"])


def test_empty_single_region_and_unmatched_filters_are_explained(tmp_path: Path) -> None:
    empty = tmp_path / "empty.trig"
    empty.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n", encoding="utf-8")
    res = render_map(similarity(empty))
    assert res.nodes == 0 and "has no programs" in res.message
    assert 'id="empty">' in res.html and "has no programs" in _data(res.html)["empty"]

    one = compute_similarity(build_features([ProgramRecord(f"p:{i}", region="r:1", family_types=["ft:a"])
                                             for i in range(3)]))
    res = render_map(one)
    assert res.nodes == 3 and res.edges == 0 and "--within-region" in res.message

    res = render_map(similarity(SMALL), regions=("不存在市",))
    assert res.nodes == 0 and "No program matches the filters --region 不存在市" in res.message


def test_filters_select_programs_by_region_and_family_type_hierarchy() -> None:
    sim = similarity(SMALL, min_score=0.05)
    assert render_map(sim, regions=("甲市",)).nodes == 2
    assert render_map(sim, regions=("900200",)).nodes == 1
    assert render_map(sim, family_types=("失独家庭",)).nodes == 2
    # a broader family type matches the programs aimed at its narrower types
    assert render_map(sim, family_types=("计划生育特殊家庭",)).nodes == 3
    assert render_map(sim, family_types=("special-fp",)).nodes == 3


def test_too_many_programs_draw_the_region_map() -> None:
    sim = similarity(SMALL, min_score=0.05)
    res = render_map(sim, max_programs=2)
    assert res.level == "region" and res.nodes == 3 and "this is the region map" in res.message


def test_gephi_exports(tmp_path: Path) -> None:
    sim = similarity(SMALL, min_score=0.05)
    g = flat_graph(sim)
    gexf = gexf_bytes(g)
    assert gexf == gexf_bytes(flat_graph(similarity(SMALL, min_score=0.05)))
    assert b"lastmodifieddate" not in gexf
    assert gexf.count(b"<viz:position") == 4 and gexf.count(b"<viz:color") == 4
    back = nx.read_graphml(io.BytesIO(graphml_bytes(g)))
    assert back.number_of_nodes() == 4 and back.number_of_edges() == 3
    assert "失独家庭" in back.edges["https://example.org/hfkg/id/initiative/jia",
                                    "https://example.org/hfkg/id/initiative/yi"]["explanation"]
    rows = list(csv.DictReader(io.StringIO(edges_csv_bytes(g).decode("utf-8"))))
    assert len(rows) == 3 and {"source_name", "target_region", "score", "c_family"} <= set(rows[0])
    assert set(EXPORTERS) >= {"graphml", "gexf", "edges-csv", "turtle", "trig"}
    with pytest.raises(Exception, match="unknown similarity format"):
        render(sim, "dot")


def test_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    assert [safe_cell(v) for v in ("=1+1", "+x", "-x", "@x", "\tx", "ok", 1.5)] == \
        ["'=1+1", "'+x", "'-x", "'@x", "'\tx", "ok", 1.5]
    trig = tmp_path / "g.trig"
    trig.write_text(SMALL.read_text(encoding="utf-8").replace("甲市暖家计划", "=HYPERLINK(1)"), encoding="utf-8")
    rows = list(csv.reader(io.StringIO(edges_csv_bytes(flat_graph(similarity(trig, min_score=0.05))).decode())))
    assert any(cell == "'=HYPERLINK(1)" for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_cli_map_and_exports(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    shutil.copy(SMALL, out / "graph.trig")
    runner = CliRunner()
    res = runner.invoke(cli, ["map", "--out", str(out), "--min-score", "0.05"])
    assert res.exit_code == 0, res.output
    assert (out / "map.html").is_file() and "4 programs, 3 similarity links" in res.output
    res = runner.invoke(cli, ["map", "--out", str(out), "--level", "region", "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0 and (tmp_path / "r.html").is_file()
    res = runner.invoke(cli, ["map", "--out", str(out), "--family-type", "留守家庭", "--family-type", "失独家庭",
                              "--min-score", "0.05", "-o", str(tmp_path / "f.html")])
    assert res.exit_code == 0 and "3 programs" in res.output
    res = runner.invoke(cli, ["map", "--out", str(tmp_path / "nothing")])
    assert res.exit_code == 1 and res.output.startswith("Error: ") and "no such folder or file" in res.output
    res = runner.invoke(cli, ["map", "--out", str(out), "--min-score", "3"])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["export", "gexf", "--out", str(out), "-o", str(tmp_path / "g.gexf")])
    assert res.exit_code == 0, res.output
    assert b"<viz:position" in (tmp_path / "g.gexf").read_bytes()
    res = runner.invoke(cli, ["export", "edges-csv", "--out", str(out)])
    assert res.exit_code == 0 and res.output.startswith("source,source_name")


def test_build_writes_maps_joining_beijing_and_tianjin(tmp_path: Path) -> None:
    from hfkg.builders import build

    result = build(None, out=tmp_path / "out", validate=False)
    for name in ("map.html", "regions.html", "similarity.trig"):
        assert (tmp_path / "out" / name).is_file()
    data = _data((tmp_path / "out" / "map.html").read_text(encoding="utf-8"))
    region = {n["id"]: n["regionLabel"] for n in data["nodes"]}
    joined = [e for e in data["edges"] if {region[e["from"]], region[e["to"]]} == {"北京市", "天津市"}]
    assert joined and any("失独家庭" in dict(e["tip"])["Why"] for e in joined)
    assert result.summary["similarity"]["links"] >= len(joined)


def test_search_matches_pinyin_without_tone_marks() -> None:
    text = _search_text("暖家计划", "Warm Home Plan", "nuǎn jiā jì huà")
    for query in ("暖家", "warm home", "nuan jia", "nuanjia", "nuǎn jiā"):
        assert query in text
