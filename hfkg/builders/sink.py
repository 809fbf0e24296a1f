"""A light quad collector for the graph builder: named graphs of distinct triples, in insertion order.

The builder writes millions of triples at corpus scale; an rdflib ``Dataset`` (three indexes and a context
map per triple) spent most of the build's Python time on bookkeeping nobody read.  :class:`QuadSink`
keeps each named graph as an insertion-ordered set of rdflib triples with the few lookups the builder
needs (membership, ``objects(s, p)``, ``remove``), converts to pyoxigraph quads for the dumps and the store,
and makes an rdflib ``Dataset`` only when a caller asks for one (:meth:`QuadSink.to_rdflib`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

Triple = tuple[Any, Any, Any]


class TripleSet:
    """One named graph: distinct triples in the order they were first added."""

    __slots__ = ("_objects", "_triples", "identifier")

    def __init__(self, identifier: Any) -> None:
        self.identifier = identifier
        self._triples: dict[Triple, None] = {}
        self._objects: dict[tuple[Any, Any], list[Any]] = {}

    def add(self, triple: Triple) -> None:
        if triple not in self._triples:
            self._triples[triple] = None
            self._objects.setdefault((triple[0], triple[1]), []).append(triple[2])

    def remove(self, triple: Triple) -> None:
        if triple in self._triples:
            del self._triples[triple]
            self._objects[(triple[0], triple[1])].remove(triple[2])

    def objects(self, subject: Any, predicate: Any) -> Iterator[Any]:
        yield from list(self._objects.get((subject, predicate), ()))

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples

    def __iter__(self) -> Iterator[Triple]:
        return iter(list(self._triples))

    def __len__(self) -> int:
        return len(self._triples)


class QuadSink:
    """Named graphs by IRI (rdflib ``URIRef``), each a :class:`TripleSet`."""

    def __init__(self) -> None:
        self._graphs: dict[Any, TripleSet] = {}
        self.union_size: int | None = None

    def graph(self, identifier: Any) -> TripleSet:
        g = self._graphs.get(identifier)
        if g is None:
            g = self._graphs[identifier] = TripleSet(identifier)
        return g

    def graphs(self) -> list[TripleSet]:
        """The non-empty graphs, sorted by IRI."""
        return [self._graphs[k] for k in sorted(self._graphs) if len(self._graphs[k])]

    def __len__(self) -> int:
        return sum(len(g) for g in self._graphs.values())

    def ox_quads(self) -> list[Any]:
        """The quads as pyoxigraph quads, sorted by graph, subject and predicate; objects keep their build order."""
        return list(self.iter_ox_quads())

    def iter_ox_quads(self) -> Iterator[Any]:
        """:meth:`ox_quads` one at a time (a serialiser can stream them without a second copy in memory)."""
        import pyoxigraph as ox

        term = _Converter()
        for g in self.graphs():
            gname = ox.NamedNode(str(g.identifier))
            for s, p, o in sorted(g, key=_subject_key):
                yield ox.Quad(term(s), term(p), term(o), gname)

    def ox_union(self) -> list[Any]:
        """The distinct triples of all graphs as pyoxigraph triples, sorted by subject and predicate (stable)."""
        return list(self.iter_ox_union())

    def iter_ox_union(self) -> Iterator[Any]:
        """:meth:`ox_union` one at a time; afterwards :attr:`union_size` is their number."""
        import pyoxigraph as ox

        seen: dict[Triple, None] = {}
        for g in self.graphs():
            for t in sorted(g, key=_subject_key):
                seen.setdefault(t, None)
        self.union_size = len(seen)
        term = _Converter()
        for s, p, o in sorted(seen, key=_subject_key):
            yield ox.Triple(term(s), term(p), term(o))

    def to_rdflib(self) -> Any:
        """An rdflib ``Dataset`` with the same named graphs (made on demand: it is slow at scale)."""
        from rdflib import Dataset

        ds = Dataset()
        for g in self.graphs():
            target = ds.graph(g.identifier)
            for t in g:
                target.add(t)
        return ds


def _subject_key(triple: Triple) -> tuple[str, str]:
    return str(triple[0]), str(triple[1])


class _Converter:
    """rdflib terms to pyoxigraph terms, with IRIs cached (a build repeats each IRI many times)."""

    def __init__(self) -> None:
        import pyoxigraph as ox
        from rdflib import BNode, Literal, URIRef

        self.ox, self.URIRef, self.Literal, self.BNode = ox, URIRef, Literal, BNode
        self.iris: dict[str, Any] = {}

    def __call__(self, term: Any) -> Any:
        ox = self.ox
        if isinstance(term, self.URIRef):
            node = self.iris.get(term)
            if node is None:
                node = self.iris[term] = ox.NamedNode(str(term))
            return node
        if isinstance(term, self.Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=self(term.datatype))
            return ox.Literal(str(term))
        if isinstance(term, self.BNode):
            return ox.BlankNode(str(term))
        from hfkg.errors import BuildError

        raise BuildError(f"cannot write the RDF term {term!r}")


def add_all(target: TripleSet, triples: Iterable[Triple]) -> None:
    """Add every triple of ``triples`` (e.g. an rdflib Graph, whose order depends on the hash seed), sorted."""
    for t in sorted(triples, key=lambda t: tuple(term.n3() for term in t)):
        target.add(t)


__all__ = ["QuadSink", "TripleSet", "add_all"]
