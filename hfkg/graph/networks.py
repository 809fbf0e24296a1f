"""networkx views of program similarity: the program graph, the region graph, communities, centrality, layout.

Every function is deterministic: nodes and edges are added in a sorted order, communities
use a fixed seed, and the layout is computed, not simulated, above a few hundred nodes.
"""

from __future__ import annotations

import colorsys
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from hfkg.graph.similarity import GROUPS, Features, ProgramRecord, Similarity, local_name

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

SEED = 42
LOUVAIN_LIMIT = 5000
EXACT_BETWEENNESS_LIMIT = 1000
UNKNOWN_REGION = "(region unknown)"


def region_key(p: ProgramRecord) -> str:
    """The region a program is grouped under: its region IRI, or a placeholder."""
    return p.region or UNKNOWN_REGION


def region_label(p: ProgramRecord) -> str:
    """The region's display name (Chinese label, else code, else IRI local name)."""
    if not p.region:
        return UNKNOWN_REGION
    return p.region_label or p.region_code or local_name(p.region)


def family_labels(features: Features, index: int) -> list[str]:
    """Labels of the family types a program targets directly (not their ancestors)."""
    return [features.labels.get(f"family:{ft}", local_name(ft)) for ft in features.programs[index].family_types]


def benefit_labels(features: Features, index: int) -> list[str]:
    """One readable line per benefit: type label plus amount and frequency when known."""
    out = []
    for b in features.programs[index].benefits:
        text = b.label or features.labels.get(f"benefit:{b.type}", local_name(b.type) if b.type else "benefit")
        if b.label and b.type:
            text = f"{b.label} ({features.labels.get(f'benefit:{b.type}', local_name(b.type))})"
        if b.value is not None:
            freq = local_name(b.frequency) if b.frequency else ""
            text += f": ¥{b.value:g}" + (f" {freq}" if freq else "")
        out.append(text)
    return sorted(set(out))


def program_graph(sim: Similarity) -> nx.Graph:
    """Programs as nodes (region, family types, benefits, names) and scored, explained edges."""
    import networkx as nx

    f = sim.features
    g = nx.Graph(level="program", top_k=sim.top_k, min_score=sim.min_score, within_region=sim.within_region)
    for i, p in enumerate(f.programs):
        g.add_node(p.iri, label=p.name, name_en=p.name_en, pinyin=p.pinyin, region=region_key(p),
                   region_label=region_label(p), region_code=p.region_code,
                   family_types=family_labels(f, i), benefits=benefit_labels(f, i))
    rows = sim.contributions.tolist()
    for e, (s, t, score) in enumerate(zip(sim.source.tolist(), sim.target.tolist(), sim.score.tolist(),
                                          strict=True)):
        g.add_edge(f.programs[s].iri, f.programs[t].iri, weight=score, explanation=sim.explanation[e],
                   shared=list(sim.shared[e]),
                   contributions={grp: v for grp, v in zip(GROUPS, rows[e], strict=True) if v > 0})
    return g


def region_graph(programs: nx.Graph, top: int = 5) -> nx.Graph:
    """Regions linked by the similar program pairs between them: count, total and mean score, top shared features."""
    import networkx as nx

    g = nx.Graph(level="region")
    members: dict[str, list[str]] = {}
    for node, data in sorted(programs.nodes(data=True)):
        members.setdefault(data["region"], []).append(node)
    for reg in sorted(members):
        first = programs.nodes[members[reg][0]]
        fams = Counter(ft for n in members[reg] for ft in programs.nodes[n]["family_types"])
        g.add_node(reg, label=first["region_label"], region_code=first["region_code"], programs=len(members[reg]),
                   program_names=sorted(programs.nodes[n]["label"] for n in members[reg]),
                   family_types=[k for k, _ in sorted(fams.items(), key=lambda kv: (-kv[1], kv[0]))[:top]])
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for u, v, data in programs.edges(data=True):
        ru, rv = programs.nodes[u]["region"], programs.nodes[v]["region"]
        if ru == rv:
            continue
        pairs.setdefault((min(ru, rv), max(ru, rv)), []).append(data)
    for (ru, rv), edges in sorted(pairs.items()):
        shared = Counter(label for d in edges for label in d["shared"])
        strength: dict[str, float] = {}
        for d in edges:  # labels come strongest first in each edge
            for rank, label in enumerate(d["shared"]):
                strength[label] = strength.get(label, 0.0) + d["weight"] / (rank + 1)
        top_shared = [k for k, _ in sorted(shared.items(), key=lambda kv: (-kv[1], -strength[kv[0]], kv[0]))[:top]]
        total = sum(d["weight"] for d in edges)
        g.add_edge(ru, rv, weight=round(total / len(edges), 6), total=round(total, 6), pairs=len(edges),
                   shared=top_shared,
                   explanation=f"{len(edges)} similar program pair{'s' if len(edges) != 1 else ''}"
                   + (f"; shared: {', '.join(top_shared)}" if top_shared else ""))
    return g


def communities(g: nx.Graph, seed: int = SEED, louvain_limit: int = LOUVAIN_LIMIT) -> list[list[str]]:
    """Communities, largest first: Louvain (seeded) up to ``louvain_limit`` nodes, label propagation above."""
    import networkx as nx

    if g.number_of_nodes() == 0:
        return []
    if g.number_of_nodes() <= louvain_limit:
        parts = nx.community.louvain_communities(g, weight="weight", seed=seed)
    else:
        parts = nx.community.label_propagation_communities(g)
    return sorted((sorted(c) for c in parts), key=lambda c: (-len(c), c[0]))


def annotate(g: nx.Graph, seed: int = SEED, betweenness: bool = True,
             louvain_limit: int = LOUVAIN_LIMIT) -> nx.Graph:
    """Add ``community``, ``degree``, ``strength`` and ``betweenness`` to every node (in place) and return ``g``.

    Betweenness is exact up to 1,000 nodes and estimated from 200 seeded sources above;
    with ``betweenness=False`` it is only computed up to 500 nodes (0.0 above), which keeps
    large maps fast.
    """
    import networkx as nx

    for idx, members in enumerate(communities(g, seed, louvain_limit)):
        for n in members:
            g.nodes[n]["community"] = idx
    n = g.number_of_nodes()
    if n and g.number_of_edges() and (betweenness or n <= 500):
        k = None if n <= EXACT_BETWEENNESS_LIMIT else min(200, n)
        between = nx.betweenness_centrality(g, k=k, seed=seed, weight=None)
    else:
        between = dict.fromkeys(g.nodes, 0.0)
    for node in g.nodes:
        g.nodes[node]["degree"] = g.degree(node)
        g.nodes[node]["strength"] = round(g.degree(node, weight="weight"), 6)
        g.nodes[node]["betweenness"] = round(between.get(node, 0.0), 6)
    return g


# --------------------------------------------------------------------------- colours and layout


def region_colours(regions: list[str]) -> dict[str, str]:
    """A distinct, stable colour per region (golden-angle hues in sorted region order)."""
    out = {}
    for i, reg in enumerate(sorted(regions)):
        if reg == UNKNOWN_REGION:
            out[reg] = "#9e9e9e"
            continue
        hue = (i * 0.381966) % 1.0
        light = 0.45 if i % 2 == 0 else 0.58
        r, gg, b = colorsys.hls_to_rgb(hue, light, 0.62)
        out[reg] = f"#{round(r * 255):02x}{round(gg * 255):02x}{round(b * 255):02x}"
    return out


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as an ``(r, g, b)`` tuple."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def layout(g: nx.Graph, group: str = "region", scale: float = 1000.0, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions without a force simulation over all nodes: groups laid out, members on a sunflower around them.

    Groups (by the node attribute ``group``) are placed by a seeded spring layout of the
    group graph (a circle when there are more than 300 groups); each group's members sit on
    a phyllotaxis spiral around its centre.  Cost is linear in the nodes.
    """
    import networkx as nx

    groups: dict[str, list[str]] = {}
    for node, data in sorted(g.nodes(data=True)):
        groups.setdefault(str(data.get(group, node)), []).append(node)
    names = sorted(groups)
    if not names:
        return {}
    if len(names) == 1:
        centres = {names[0]: (0.0, 0.0)}
    elif len(names) <= 300:
        gg = nx.Graph()
        gg.add_nodes_from(names)
        for u, v, d in g.edges(data=True):
            a, b = str(g.nodes[u].get(group, u)), str(g.nodes[v].get(group, v))
            if a != b:
                w = gg.get_edge_data(a, b, {"weight": 0.0})["weight"] + float(d.get("weight", 1.0))
                gg.add_edge(a, b, weight=w)
        pos = nx.spring_layout(gg, seed=seed, weight="weight", k=2.0 / math.sqrt(len(names)))
        centres = {k: (float(v[0]), float(v[1])) for k, v in pos.items()}
    else:
        centres = {k: (math.cos(2 * math.pi * i / len(names)), math.sin(2 * math.pi * i / len(names)))
                   for i, k in enumerate(names)}
    unit = scale * 0.04
    biggest = max(len(v) for v in groups.values())
    spread = max(scale * 0.5, 2.5 * unit * math.sqrt(biggest), unit * math.sqrt(g.number_of_nodes()))
    out: dict[str, tuple[float, float]] = {}
    golden = math.pi * (3 - math.sqrt(5))
    for name in names:
        cx, cy = centres[name]
        for j, node in enumerate(groups[name]):
            r = unit * math.sqrt(j)
            out[node] = (round(cx * spread + r * math.cos(j * golden), 2), round(cy * spread + r * math.sin(j * golden), 2))
    return out


__all__ = ["GROUPS", "annotate", "communities", "layout", "program_graph", "region_colours", "region_graph"]
