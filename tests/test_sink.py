"""The builder's quad collector: distinct triples, lookups, a stable order, and the same quads as rdflib."""

from __future__ import annotations

import pyoxigraph
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from hfkg.builders.sink import QuadSink, add_all
from hfkg.exports.rdf import sort_quads, union_triples

EX = "https://example.org/"
A, B, G1, G2 = URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "g1"), URIRef(EX + "g2")


def _sink() -> QuadSink:
    sink = QuadSink()
    g2, g1 = sink.graph(G2), sink.graph(G1)
    g2.add((B, SKOS.prefLabel, Literal("乙", lang="zh")))
    g2.add((A, SKOS.prefLabel, Literal("甲", lang="zh")))
    g2.add((A, RDF.type, SKOS.Concept))
    g2.add((A, SKOS.prefLabel, Literal("jia", lang="zh-Latn-pinyin")))
    g1.add((A, RDF.type, SKOS.Concept))
    g1.add((A, SKOS.notation, Literal("7", datatype=XSD.nonNegativeInteger)))
    g1.add((A, RDF.type, SKOS.Concept))  # a repeat is one triple
    return sink


def test_graphs_hold_distinct_triples_with_lookups() -> None:
    sink = _sink()
    g1, g2 = sink.graph(G1), sink.graph(G2)
    assert len(g1) == 2 and len(g2) == 4 and len(sink) == 6
    assert (A, RDF.type, SKOS.Concept) in g1
    assert list(g2.objects(A, SKOS.prefLabel)) == [Literal("甲", lang="zh"), Literal("jia", lang="zh-Latn-pinyin")]
    g2.remove((A, SKOS.prefLabel, Literal("甲", lang="zh")))
    assert list(g2.objects(A, SKOS.prefLabel)) == [Literal("jia", lang="zh-Latn-pinyin")]
    assert (A, SKOS.prefLabel, Literal("甲", lang="zh")) not in g2
    g2.remove((A, SKOS.prefLabel, Literal("甲", lang="zh")))  # removing what is not there is a no-op
    assert [g.identifier for g in sink.graphs()] == [G1, G2]


def test_quads_are_sorted_and_match_rdflib_and_a_reparse() -> None:
    sink = _sink()
    quads = sink.ox_quads()
    keys = [(q.graph_name.value, q.subject.value, q.predicate.value) for q in quads]
    assert keys == sorted(keys)
    # objects of one subject and predicate keep the order they were added in
    labels = [q.object.value for q in quads if q.graph_name.value == str(G2) and q.subject.value == str(A)
              and q.predicate.value == str(SKOS.prefLabel)]
    assert labels == ["甲", "jia"]
    ds = sink.to_rdflib()
    assert [len(ds.graph(g)) for g in (G1, G2)] == [2, 4]
    text = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS)
    reparsed = list(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.N_QUADS))
    assert sort_quads(reparsed) == quads  # the export order is the build order
    assert union_triples(quads) == sink.ox_union()
    assert len(sink.ox_union()) == 5  # (a type Concept) is in both graphs


def test_add_all_is_independent_of_input_order() -> None:
    triples = [(A, SKOS.prefLabel, Literal(x, lang="zh")) for x in "丙甲乙"]
    one, two = QuadSink(), QuadSink()
    add_all(one.graph(G1), triples)
    add_all(two.graph(G1), reversed(triples))
    assert one.ox_quads() == two.ox_quads()
