"""Interactive similarity maps: one self-contained, offline HTML file drawn with vis-network.

Choice: pyvis is used for the vis-network *options* (``pyvis.options.Options``: physics,
stabilisation, edges, interaction), not for its ``Network`` class or template.  Its
``add_edge`` is quadratic, its template pulls Bootstrap from a CDN, inserts the heading
unescaped and switches tooltips to ``innerHTML``; so the page is our own template: the
vendored vis-network standalone build (hfkg/exports/static, MIT/Apache-2.0) inlined, the
graph as a JSON data island, and a small script that builds every tooltip, legend entry
and option from that data with ``textContent`` (never ``innerHTML``).

The file contains no ``http://`` or ``https://`` at all: the vendored script's URLs (in its
licence banner and a core-js string) are written with ``\\/\\/``, which JavaScript reads back
as ``//``, and the JSON escapes every ``/``, ``<``, ``>`` and ``&``.  The same input gives
the same bytes.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfkg.errors import ExportError

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from hfkg.graph.similarity import Similarity

LEVELS = ("program", "region")
MAX_PROGRAMS = 2000
PHYSICS_LIMIT = 300
MAP_LOUVAIN_LIMIT = 1000  # label propagation above, to keep large maps fast
MAP_NAME = "map.html"
REGIONS_NAME = "regions.html"
_URL = re.compile(r"(?i)(https?):(//)")


@dataclass(frozen=True)
class MapResult:
    """What was drawn: the level actually used, node and edge counts, and a message for the user."""

    html: str
    level: str
    nodes: int
    edges: int
    message: str
    path: Path | None = None


# --------------------------------------------------------------------------- assets


@cache
def vis_network_js() -> str:
    """The vendored vis-network standalone UMD build, made URL-free and safe to inline."""
    text = resources.files("hfkg.exports").joinpath("static").joinpath("vis-network.min.js").read_text(encoding="utf-8")
    text = re.sub(r"//# sourceMappingURL=\S*", "", text)
    text = _URL.sub(lambda m: m.group(1) + r":\/\/", text)
    if re.search(r"(?i)</script|<!--", text):
        raise ExportError("the vendored vis-network script contains '</script' or '<!--' and cannot be inlined")
    return text


def _vis_options(physics: bool) -> dict[str, Any]:
    """vis-network options, built with pyvis's Options object."""
    from pyvis.options import Options

    opts = Options()
    opts.physics.use_barnes_hut({"gravity": -2500, "central_gravity": 1.2, "spring_length": 140,
                                 "spring_strength": 0.04, "damping": 0.3, "overlap": 0.4})
    opts.physics.enabled = physics
    opts.physics.stabilization.iterations = 150
    opts.physics.stabilization.updateInterval = 25
    opts.edges.smooth.enabled = False
    opts.edges.color.inherit = False
    data = json.loads(opts.to_json())
    data["interaction"].update({"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True})
    data["edges"]["color"] = {"color": "#8a8a8a", "highlight": "#222222", "hover": "#444444", "opacity": 0.55}
    data["nodes"] = {"shape": "dot", "font": {"size": 14, "face": "Noto Sans CJK SC, sans-serif"}}
    data["layout"] = {"improvedLayout": False, "randomSeed": 1}
    return data


def _json_island(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for a, b in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("/", "\\/"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


# --------------------------------------------------------------------------- data


def _filter_programs(sim: Similarity, regions: tuple[str, ...], family_types: tuple[str, ...]) -> list[int]:
    """Indices of the programs kept by the region and family-type filters (matched by label, code, IRI or slug)."""
    from hfkg.graph.similarity import local_name

    f = sim.features
    want_r = {r.strip() for r in regions if r.strip()}
    want_f = {x.strip() for x in family_types if x.strip()}
    keep = []
    for i, p in enumerate(f.programs):
        if want_r and not want_r & {p.region, p.region_label, p.region_code, local_name(p.region) if p.region else ""}:
            continue
        if want_f:
            names = set()
            for key in f.items[i]:
                if key.startswith("family:"):
                    iri = key.split(":", 1)[1]
                    names |= {iri, local_name(iri), f.labels.get(key, "")}
            if not want_f & names:
                continue
        keep.append(i)
    return keep


def _subgraph(sim: Similarity, keep: list[int]) -> nx.Graph:
    from hfkg.graph.networks import program_graph

    g = program_graph(sim)
    if len(keep) == g.number_of_nodes():
        return g
    iris = {sim.features.programs[i].iri for i in keep}
    return g.subgraph(sorted(iris)).copy()


def _node_size(degree: int) -> float:
    return round(10 + 4 * degree ** 0.5, 2)


def _program_data(g: nx.Graph) -> dict[str, Any]:
    from hfkg.graph.networks import annotate, layout, region_colours

    annotate(g, betweenness=False, louvain_limit=MAP_LOUVAIN_LIMIT)
    colours = region_colours(sorted({d["region"] for _, d in g.nodes(data=True)}))
    pos = layout(g)
    nodes = []
    for node, d in sorted(g.nodes(data=True)):
        x, y = pos[node]
        nodes.append({
            "id": node, "label": d["label"], "x": x, "y": y, "size": _node_size(d["degree"]),
            "color": colours[d["region"]], "region": d["region"], "regionLabel": d["region_label"],
            "familyTypes": d["family_types"],
            "tip": [["名称 Name", d["label"]], ["English", d["name_en"]], ["Pinyin", d["pinyin"]],
                    ["地区 Region", d["region_label"] + (f" ({d['region_code']})" if d["region_code"] else "")],
                    ["家庭类型 Family types", "、".join(d["family_types"])],
                    ["待遇 Benefits", "; ".join(d["benefits"])],
                    ["Similar programs", str(d["degree"])], ["Community", str(d["community"] + 1)]],
            "search": _search_text(d["label"], d["name_en"], d["pinyin"]),
        })
    edges = _edge_data(g, lambda u: g.nodes[u]["label"])
    return {"nodes": nodes, "edges": edges, "legend": _legend(g, colours, "region", "region_label")}


def _search_text(*names: str) -> str:
    """What the search box matches: names, pinyin with and without tone marks, with and without spaces."""
    import unicodedata

    parts = [n for n in names if n]
    plain = ["".join(c for c in unicodedata.normalize("NFD", n) if not unicodedata.combining(c)) for n in parts]
    words = parts + plain + [p.replace(" ", "") for p in plain]
    return " | ".join(dict.fromkeys(w.lower() for w in words))


def _region_data(g: nx.Graph) -> dict[str, Any]:
    from hfkg.graph.networks import annotate, layout, region_colours

    annotate(g, betweenness=False, louvain_limit=MAP_LOUVAIN_LIMIT)
    colours = region_colours(sorted(g.nodes))
    pos = layout(g, group="__self__")
    nodes = []
    for node, d in sorted(g.nodes(data=True)):
        x, y = pos[node]
        nodes.append({
            "id": node, "label": d["label"], "x": x, "y": y, "size": round(10 + 5 * d["programs"] ** 0.5, 2),
            "color": colours[node], "region": node, "regionLabel": d["label"], "familyTypes": d["family_types"],
            "tip": [["地区 Region", d["label"] + (f" ({d['region_code']})" if d["region_code"] else "")],
                    ["Programs", str(d["programs"])], ["项目 Program names", "、".join(d["program_names"][:12])
                                                      + ("…" if len(d["program_names"]) > 12 else "")],
                    ["家庭类型 Family types", "、".join(d["family_types"])],
                    ["Linked regions", str(d["degree"])]],
            "search": d["label"].lower(),
        })
    edges = _edge_data(g, lambda u: g.nodes[u]["label"])
    legend = [{"label": f"{d['label']} ({d['programs']})", "color": colours[n], "value": n}
              for n, d in sorted(g.nodes(data=True), key=lambda nd: (nd[1]["label"], nd[0]))]
    return {"nodes": nodes, "edges": edges, "legend": legend}


def _edge_data(g: nx.Graph, name: Any) -> list[dict[str, Any]]:
    edges = []
    ordered = sorted((u, v, d) if u <= v else (v, u, d) for u, v, d in g.edges(data=True))
    for a, b, d in ordered:
        score = float(d["weight"])
        tip = [["Link", f"{name(a)} — {name(b)}"], ["Score", f"{score:.3f}"], ["Why", d["explanation"]]]
        if "pairs" in d:
            tip.insert(2, ["Program pairs", str(d["pairs"])])
        edges.append({"from": a, "to": b, "width": round(1 + 6 * score, 2), "score": round(score, 4), "tip": tip})
    return edges


def _legend(g: nx.Graph, colours: dict[str, str], key: str, label_key: str) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for _, d in g.nodes(data=True):
        counts[d[key]] = counts.get(d[key], 0) + 1
        labels[d[key]] = d[label_key]
    return [{"label": f"{labels[r]} ({counts[r]})", "color": colours[r], "value": r}
            for r in sorted(counts, key=lambda r: (labels[r], r))]


# --------------------------------------------------------------------------- page


def render_map(sim: Similarity, *, level: str = "program", regions: tuple[str, ...] = (),
               family_types: tuple[str, ...] = (), max_programs: int = MAX_PROGRAMS,
               title: str | None = None) -> MapResult:
    """Render the similarity map as HTML text (nothing is written)."""
    from hfkg.graph.networks import region_graph

    if level not in LEVELS:
        raise ExportError(f"unknown map level {level!r}", hint="use --level program or --level region")
    keep = _filter_programs(sim, tuple(regions), tuple(family_types))
    notes = []
    total = len(sim.features)
    if total == 0:
        notes.append("The graph has no programs (hfkg:Initiative), so there is nothing to map. "
                     "Build from reports that name programs.")
    elif not keep:
        notes.append("No program matches the filters"
                     + (f" --region {' '.join(regions)}" if regions else "")
                     + (f" --family-type {' '.join(family_types)}" if family_types else "") + ".")
    used = level
    if level == "program" and len(keep) > max_programs:
        used = "region"
        notes.append(f"{len(keep):,} programs are too many to draw one by one (limit {max_programs:,}): "
                     "this is the region map; filter by --region or --family-type to see programs.")
    g = _subgraph(sim, keep)
    pairs = 0
    if used == "region":
        rg = region_graph(g)
        pairs = sum(d["pairs"] for _, _, d in rg.edges(data=True))
        data = _region_data(rg)
    else:
        data = _program_data(g)
    if keep and len({sim.features.programs[i].region for i in keep}) == 1 and not sim.within_region:
        notes.append("All programs are in one region; cross-region similarity has no pairs to draw here "
                     "(use --within-region to compare programs of the same region).")
    elif keep and not data["edges"]:
        notes.append(f"No pair of programs reaches the minimum score {sim.min_score:g}.")
    n_nodes, n_edges = len(data["nodes"]), len(data["edges"])
    noun = "programs" if used == "program" else "regions"
    links = "similarity link" + ("" if n_edges == 1 else "s")
    if used == "region":
        links = ("link" + ("" if n_edges == 1 else "s")
                 + f" from {pairs} similar program pair{'' if pairs == 1 else 's'}")
    summary = (f"{n_nodes} {noun}, {n_edges} {links} (top {sim.top_k} per program, score ≥ "
               f"{sim.min_score:g}, {'all pairs' if sim.within_region else 'cross-region pairs'}).")
    payload = {
        "level": used, "nodes": data["nodes"], "edges": data["edges"], "legend": data["legend"],
        "familyTypes": sorted({ft for nd in data["nodes"] for ft in nd["familyTypes"]}),
        "options": _vis_options(physics=n_nodes <= PHYSICS_LIMIT and n_nodes > 0),
        "physics": n_nodes <= PHYSICS_LIMIT,
        "empty": " ".join(notes) if n_nodes == 0 else "",
    }
    heading = title or ("hfkg: similar programs across regions" if used == "program"
                        else "hfkg: regions linked by similar programs")
    page = _page(heading, summary, " ".join(notes), payload)
    if _URL.search(page):
        raise ExportError("internal error: the map would reference a remote URL")
    message = summary + (" " + " ".join(notes) if notes else "")
    return MapResult(page, used, n_nodes, n_edges, message)


def _page(heading: str, summary: str, notice: str, payload: dict[str, Any]) -> str:
    esc = html.escape
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(heading)}</title>\n<style>\n{_CSS}</style>\n</head>\n"
        f"<body data-ready=\"0\" data-level=\"{esc(payload['level'])}\">\n"
        f"<header><h1>{esc(heading)}</h1>\n<p id=\"summary\">{esc(summary)}</p>\n"
        f"<p id=\"notice\"{'' if notice else ' hidden'}>{esc(notice)}</p></header>\n"
        "<div id=\"controls\">\n"
        "<input id=\"search\" type=\"search\" placeholder=\"Search: 名称 / name / pinyin\" aria-label=\"Search\">\n"
        "<select id=\"region-filter\" aria-label=\"Region\"><option value=\"\">All regions</option></select>\n"
        "<select id=\"family-filter\" aria-label=\"Family type\"><option value=\"\">All family types</option></select>\n"
        "<span id=\"match-count\"></span>\n</div>\n"
        "<main><div id=\"network\"></div>\n<aside id=\"legend\"><h2>Regions</h2><ul id=\"legend-list\"></ul>\n"
        "<p class=\"hint\">Node size: number of similar programs. Edge width: similarity score. "
        "Hover for details.</p></aside></main>\n"
        f"<div id=\"empty\"{'' if payload['empty'] else ' hidden'}>{esc(payload['empty'])}</div>\n"
        f"<script type=\"application/json\" id=\"map-data\">{_json_island(payload)}</script>\n"
        f"<script>\n{vis_network_js()}\n</script>\n<script>\n{_APP_JS}</script>\n</body>\n</html>\n"
    )


_CSS = """body{margin:0;font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;color:#222;background:#fafafa}
header{padding:8px 16px;border-bottom:1px solid #ddd;background:#fff}
h1{font-size:20px;margin:4px 0}h2{font-size:15px;margin:4px 0}
#summary,#notice{margin:2px 0;font-size:13px}#notice{color:#8a4b00}
#controls{padding:6px 16px;display:flex;gap:8px;align-items:center;flex-wrap:wrap;font-size:13px}
#controls input{width:260px;padding:3px}
main{display:flex;height:calc(100vh - 130px);min-height:420px}
#network{flex:1;border-top:1px solid #ddd;background:#fff}
#legend{width:240px;overflow:auto;padding:6px 10px;border-left:1px solid #ddd;font-size:13px}
#legend ul{list-style:none;margin:0;padding:0}#legend li{cursor:pointer;margin:2px 0}
.swatch{display:inline-block;width:11px;height:11px;border-radius:6px;margin-right:6px;vertical-align:middle}
.hint{color:#666;font-size:12px}
#empty{position:absolute;top:45%;left:10%;right:10%;padding:16px;background:#fff8e1;border:1px solid #e0c060;
text-align:center;font-size:16px}
.tip{max-width:420px;font-size:13px;white-space:normal}.tip div{margin:1px 0}
"""

_APP_JS = r"""(function () {
  "use strict";
  var body = document.body;
  var data = JSON.parse(document.getElementById("map-data").textContent);
  function tip(rows) {
    var box = document.createElement("div");
    box.className = "tip";
    rows.forEach(function (r) {
      if (!r[1]) { return; }
      var line = document.createElement("div");
      var key = document.createElement("b");
      key.textContent = r[0] + ": ";
      line.appendChild(key);
      line.appendChild(document.createTextNode(r[1]));
      box.appendChild(line);
    });
    return box;
  }
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, color: n.color, title: tip(n.tip),
            region: n.region, familyTypes: n.familyTypes, search: n.search, hidden: false};
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    return {id: "e" + i, from: e.from, to: e.to, width: e.width, title: tip(e.tip), hidden: false};
  }));
  function fill(select, items) {
    items.forEach(function (it) {
      var opt = document.createElement("option");
      opt.value = it.value;
      opt.textContent = it.label;
      select.appendChild(opt);
    });
  }
  var regionSel = document.getElementById("region-filter");
  var familySel = document.getElementById("family-filter");
  fill(regionSel, data.legend);
  fill(familySel, data.familyTypes.map(function (f) { return {value: f, label: f}; }));
  var list = document.getElementById("legend-list");
  data.legend.forEach(function (it) {
    var li = document.createElement("li");
    var sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = it.color;
    li.appendChild(sw);
    li.appendChild(document.createTextNode(it.label));
    li.addEventListener("click", function () { regionSel.value = it.value; apply(); });
    list.appendChild(li);
  });
  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.hfkgMap = {network: network, nodes: nodes, edges: edges};
  function counts() {
    var shownNodes = nodes.get({filter: function (n) { return !n.hidden; }});
    var ids = {};
    shownNodes.forEach(function (n) { ids[n.id] = true; });
    var shownEdges = edges.get({filter: function (e) { return !e.hidden && ids[e.from] && ids[e.to]; }});
    body.setAttribute("data-nodes-drawn", String(shownNodes.length));
    body.setAttribute("data-edges-drawn", String(shownEdges.length));
    body.setAttribute("data-nodes-total", String(data.nodes.length));
    body.setAttribute("data-edges-total", String(data.edges.length));
  }
  function apply() {
    var r = regionSel.value, f = familySel.value, visible = {};
    nodes.update(nodes.get().map(function (n) {
      var ok = (!r || n.region === r) && (!f || n.familyTypes.indexOf(f) >= 0);
      if (ok) { visible[n.id] = true; }
      return {id: n.id, hidden: !ok};
    }));
    edges.update(edges.get().map(function (e) {
      return {id: e.id, hidden: !(visible[e.from] && visible[e.to])};
    }));
    document.getElementById("match-count").textContent =
      Object.keys(visible).length + " / " + data.nodes.length + " shown";
    counts();
  }
  regionSel.addEventListener("change", apply);
  familySel.addEventListener("change", apply);
  document.getElementById("search").addEventListener("input", function (ev) {
    var q = ev.target.value.trim().toLowerCase().replace(/\s+/g, " ");
    if (!q) { network.unselectAll(); return; }
    var hits = nodes.get({filter: function (n) {
      return !n.hidden && (n.search.indexOf(q) >= 0 || n.search.indexOf(q.replace(/ /g, "")) >= 0);
    }}).map(function (n) { return n.id; });
    network.selectNodes(hits);
    if (hits.length) { network.fit({nodes: hits, animation: false}); }
    document.getElementById("match-count").textContent = hits.length + " match" + (hits.length === 1 ? "" : "es");
  });
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({physics: {enabled: false}}); });
  }
  network.on("afterDrawing", function () {
    counts();
    body.setAttribute("data-ready", "1");
  });
  counts();
  if (!data.nodes.length) { body.setAttribute("data-ready", "1"); }
})();
"""


# --------------------------------------------------------------------------- files


def write_map(sim: Similarity, path: str | Path, **options: Any) -> MapResult:
    """Render and write the map (UTF-8, atomically); see :func:`render_map` for the options."""
    from hfkg._io import write_text

    result = render_map(sim, **options)
    write_text(path, result.html)
    return MapResult(result.html, result.level, result.nodes, result.edges, result.message, Path(path))


def make_map(source: Any, out_file: str | Path | None = None, *, level: str = "program",
             regions: tuple[str, ...] = (), family_types: tuple[str, ...] = (), top_k: int = 10,
             min_score: float = 0.3, within_region: bool = False) -> MapResult:
    """Read the graph in ``source`` (a build folder, RDF file or store), score it and write one map.

    Without ``out_file`` the map goes to ``SOURCE/map.html`` (program level) or
    ``SOURCE/regions.html`` (region level) when ``source`` is a folder.
    """
    from hfkg.graph.similarity import similarity

    sim = similarity(source, top_k=top_k, min_score=min_score, within_region=within_region)
    if out_file is None:
        folder = Path(source) if Path(str(source)).is_dir() else Path(str(source)).parent
        out_file = folder / (MAP_NAME if level == "program" else REGIONS_NAME)
    return write_map(sim, out_file, level=level, regions=regions, family_types=family_types)


def write_maps(source: Any, folder: str | Path, sim: Similarity | None = None, **options: Any) -> list[MapResult]:
    """Write ``map.html`` (programs) and ``regions.html`` into ``folder``, as ``hfkg build`` does."""
    from hfkg.graph.similarity import similarity

    sim = sim if sim is not None else similarity(source, **options)
    folder = Path(folder)
    return [write_map(sim, folder / MAP_NAME, level="program"),
            write_map(sim, folder / REGIONS_NAME, level="region")]


def build_step(result: Any) -> None:
    """What ``hfkg build`` runs after loading the store: ``map.html`` and ``regions.html``.

    The similarity was scored by the store step (``result.similarity``, see :func:`hfkg.graph.store.load_build`);
    without it (a build with another step list) it is scored from ``DIR/graph.trig``.
    """
    from hfkg.graph.similarity import similarity

    out_dir = Path(result.out_dir)
    sim = getattr(result, "similarity", None)
    if sim is None:
        sim = similarity(out_dir / "graph.trig")
    maps = write_maps(None, out_dir, sim=sim)
    result.paths["map"], result.paths["regions_map"] = maps[0].path, maps[1].path
    result.summary["similarity"] = {"programs": len(sim.features), "links": len(sim),
                                    "map": maps[0].message, "regions_map": maps[1].message}
