"""Test helpers: compare RDF graphs and datasets by isomorphism, with a readable diff when they differ."""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import XSD


def _norm(term):  # type: ignore[no-untyped-def]
    """RDF 1.1 equivalences rdflib does not apply: language tags are case-insensitive (pyoxigraph writes
    them lowercase) and a simple literal is an xsd:string (rdflib's JSON-LD parser keeps the datatype)."""
    if isinstance(term, Literal) and term.language:
        return Literal(str(term), lang=term.language.lower())
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def normalised(triples) -> Graph:  # type: ignore[no-untyped-def]
    g = Graph()
    for s, p, o in triples:
        g.add((_norm(s), p, _norm(o)))
    return g


def diff_text(a: Graph, b: Graph, limit: int = 20) -> str:
    """The triples only in ``a`` and only in ``b``, as N-Triples lines (at most ``limit`` each)."""
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    lines = [f"only in first ({len(only_a)}):"]
    lines += sorted(f"  - {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_a)[:limit]
    lines.append(f"only in second ({len(only_b)}):")
    lines += sorted(f"  + {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_b)[:limit]
    return "\n".join(lines)


def assert_isomorphic(a, b) -> None:  # type: ignore[no-untyped-def]
    """Assert two graphs (or triple iterables) are isomorphic; the message lists the differing triples."""
    ga, gb = normalised(a), normalised(b)
    assert to_isomorphic(ga) == to_isomorphic(gb), "graphs differ:\n" + diff_text(ga, gb)


def graphs_of(ds: Dataset) -> dict[str, Graph]:
    """Named graphs of a dataset by IRI (empty ones left out)."""
    out: dict[str, Graph] = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        gid = str(getattr(g, "identifier", g))
        out.setdefault(gid, Graph()).add((s, p, o))
    return out


def assert_same_dataset(a: Dataset, b: Dataset) -> None:
    """Same named graphs, each isomorphic."""
    ga, gb = graphs_of(a), graphs_of(b)
    assert sorted(ga) == sorted(gb), f"graph names differ: {sorted(set(ga) ^ set(gb))}"
    for name in ga:
        assert_isomorphic(ga[name], gb[name])


def union(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g
