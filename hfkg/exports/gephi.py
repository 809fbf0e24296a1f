"""The program similarity graph for Gephi and other tools: GraphML, GEXF (with layout and colours), edge CSV.

Node and edge attributes are flattened to scalars (lists joined with ``; ``, per-group
contributions as ``c_<group>`` columns).  GEXF carries ``viz`` positions (the map's layout),
region colours and sizes by degree; its date stamp is removed so the same input gives the
same bytes.  CSV cells that a spreadsheet would run as a formula (starting with
``= + - @``, tab or carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfkg.errors import ExportError

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from hfkg.graph.similarity import Similarity

FORMATS = {"graphml": "graphml", "gexf": "gexf", "edges-csv": "csv"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell that spreadsheets show as text and terminals print safely: control and bidi characters are
    dropped, and formula-like strings get a leading apostrophe."""
    if isinstance(value, str):
        from hfkg.textutil import strip_controls

        value = strip_controls(value)
        if value.startswith(_FORMULA):
            return "'" + value
    return value


def flat_graph(sim: Similarity) -> nx.Graph:
    """The program graph with communities, centrality, layout and colours, every attribute a scalar."""
    import networkx as nx

    from hfkg.graph.networks import GROUPS, annotate, layout, program_graph, region_colours

    g = annotate(program_graph(sim))
    pos = layout(g)
    colours = region_colours(sorted({d["region"] for _, d in g.nodes(data=True)}))
    out = nx.Graph()
    for node, d in sorted(g.nodes(data=True)):
        out.add_node(node, label=d["label"], name_en=d["name_en"], pinyin=d["pinyin"], region=d["region"],
                     region_label=d["region_label"], region_code=d["region_code"],
                     family_types="; ".join(d["family_types"]), benefits="; ".join(d["benefits"]),
                     community=int(d["community"]), degree=int(d["degree"]), strength=float(d["strength"]),
                     betweenness=float(d["betweenness"]), x=float(pos[node][0]), y=float(pos[node][1]),
                     color=colours[d["region"]])
    for u, v, d in sorted(g.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))):
        a, b = sorted((u, v))
        attrs = {"weight": float(d["weight"]), "explanation": d["explanation"], "shared": "; ".join(d["shared"])}
        attrs.update({f"c_{grp}": float(d["contributions"].get(grp, 0.0)) for grp in GROUPS})
        out.add_edge(a, b, **attrs)
    return out


def graphml_bytes(g: nx.Graph) -> bytes:
    """GraphML of the flattened graph."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue()


def gexf_bytes(g: nx.Graph) -> bytes:
    """GEXF 1.2 with ``viz`` colour, position and size per node; no date stamp."""
    import networkx as nx

    from hfkg.graph.networks import hex_rgb

    h = g.copy()
    for _, d in h.nodes(data=True):
        r, gg, b = hex_rgb(d["color"])
        d["viz"] = {"color": {"r": r, "g": gg, "b": b, "a": 1.0},
                    "position": {"x": d["x"], "y": d["y"], "z": 0.0},
                    "size": round(10 + 4 * d["degree"] ** 0.5, 2)}
    buf = io.BytesIO()
    nx.write_gexf(h, buf, encoding="utf-8")
    return re.sub(rb' lastmodifieddate="[^"]*"', b"", buf.getvalue())


def edges_csv_bytes(g: nx.Graph) -> bytes:
    """One row per similarity edge: both programs (IRI, name, region), score, explanation, group contributions."""
    from hfkg.graph.networks import GROUPS

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["source", "source_name", "source_region", "target", "target_name", "target_region", "score",
                "explanation", *[f"c_{grp}" for grp in GROUPS]])
    for u, v, d in g.edges(data=True):
        nu, nv = g.nodes[u], g.nodes[v]
        row = [u, nu["label"], nu["region_label"], v, nv["label"], nv["region_label"], f"{d['weight']:.6f}",
               d["explanation"], *[f"{d[f'c_{grp}']:.6f}" for grp in GROUPS]]
        w.writerow([safe_cell(c) for c in row])
    return buf.getvalue().encode("utf-8")


_WRITERS = {"graphml": graphml_bytes, "gexf": gexf_bytes, "edges-csv": edges_csv_bytes}


def _xml_clean(data: bytes) -> bytes:
    """Well-formed and safe to print: XML-forbidden controls dropped, C1 and bidi controls as references."""
    from hfkg.textutil import xml_escape_controls, xml_safe

    return xml_escape_controls(xml_safe(data.decode("utf-8"))).encode("utf-8")


def render(sim: Similarity, fmt: str) -> bytes:
    """The similarity graph of ``sim`` as ``fmt`` (graphml, gexf or edges-csv)."""
    if fmt not in _WRITERS:
        raise ExportError(f"unknown similarity format {fmt!r}", hint=f"use one of {', '.join(sorted(_WRITERS))}")
    data = _WRITERS[fmt](flat_graph(sim))
    return data if fmt == "edges-csv" else _xml_clean(data)


def export(fmt: str, out_dir: str | Path, dest: str | Path | None = None, **options: Any
           ) -> tuple[bytes, Path | None]:
    """Score the build in ``out_dir`` and write its similarity graph as ``fmt`` to ``dest`` (None or ``-``: return only)."""
    from hfkg._io import write_bytes
    from hfkg.graph.similarity import similarity

    folder = Path(out_dir)
    if not (folder / "graph.trig").is_file():
        raise ExportError(f"{folder / 'graph.trig'}: no such file", hint="run 'hfkg build' first, or pass --out DIR")
    data = render(similarity(folder / "graph.trig", **options), fmt)
    if dest is None or str(dest) == "-":
        return data, None
    write_bytes(dest, data)
    return data, Path(dest)
