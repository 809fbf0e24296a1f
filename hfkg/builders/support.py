"""Adapters the builders read through: the shipped SKOS vocabulary, family-type matching and the gazetteer.

Each adapter reads package data lazily (``importlib.resources``) and degrades to an honest minimum when a
part is missing: an unknown family type becomes a new concept, an unknown region a name-keyed node.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from hfkg.builders.ns import FT, VOCAB

FAMILY_SCHEME = URIRef(VOCAB + "family-type")


@cache
def vocab_graph() -> Graph:
    """The SKOS concept schemes shipped with the ontology (an empty graph if the ontology has none yet)."""
    try:
        from hfkg.ontology import resources as ont_resources  # type: ignore[attr-defined]
    except ImportError:
        ont_resources = None
    for name in ("vocab_graph", "vocabulary", "load_vocab"):
        fn = getattr(ont_resources, name, None) if ont_resources else None
        if callable(fn):
            g = fn()
            out = Graph()
            for t in g:
                out.add(t)
            return out
    g = Graph()
    folder = resources.files("hfkg.ontology")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ttl") and "vocab" in entry.name:
            g.parse(data=entry.read_text(encoding="utf-8"), format="turtle")
    return g


@dataclass(frozen=True)
class FamilyTypes:
    """zh label or synonym -> concept IRI, and the labels of each concept."""

    by_label: dict[str, URIRef]
    suffixes: tuple[tuple[str, URIRef], ...]

    def match(self, name: str) -> URIRef | None:
        return self.by_label.get(name)

    def broader_by_suffix(self, name: str) -> URIRef | None:
        """The known type whose label ``name`` ends with (longest first), for a new narrower concept."""
        for label, iri in self.suffixes:
            if name.endswith(label) and name != label:
                return iri
        return None


@cache
def family_types() -> FamilyTypes:
    """Index of the family-type scheme by zh prefLabel and altLabel (vocab first, then the taxonomy TSV)."""
    index: dict[str, URIRef] = {}
    g = vocab_graph()
    concepts = sorted({c for c in g.subjects(SKOS.inScheme, FAMILY_SCHEME) if isinstance(c, URIRef)})
    for c in concepts:
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for lit in g.objects(c, prop):
                if getattr(lit, "language", None) == "zh":
                    index.setdefault(str(lit), c)
    if not index:
        for row in _family_rows():
            iri = URIRef(str(FT) + row["slug"])
            index.setdefault(row["zh"], iri)
            for syn in filter(None, (row.get("synonyms") or "").split("|")):
                index.setdefault(syn, iri)
    suffixes = tuple(sorted(index.items(), key=lambda kv: (-len(kv[0]), kv[0])))
    return FamilyTypes(index, suffixes)


def _family_rows() -> list[dict[str, str]]:
    f = resources.files("hfkg.extract").joinpath("data/family_types.tsv")
    if not f.is_file():
        return []
    return list(csv.DictReader(io.StringIO(f.read_text(encoding="utf-8")), delimiter="\t"))


def concept_exists(iri: URIRef) -> bool:
    """True when the shipped vocabulary declares ``iri`` as a concept."""
    return (iri, RDF.type, SKOS.Concept) in vocab_graph()


def vocab_term(scheme: str, slug: str) -> URIRef | None:
    """The shipped concept ``slug`` of ``scheme``, or None when the vocabulary has no such concept."""
    iri = URIRef(f"{VOCAB}{scheme}/{slug}")
    return iri if concept_exists(iri) else None


# ----------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class RegionInfo:
    """What the builders need to know of a region."""

    name: str
    code: str | None
    level: str | None
    parent: str | None
    en: str | None = None


@cache
def _gazetteer() -> Any:
    from hfkg.extract.gazetteer import load_gazetteer

    return load_gazetteer()


@lru_cache(maxsize=8192)  # the gazetteer is fixed: a build asks about the same few hundred names again and again
def region_info(name: str, parent: str | None = None) -> RegionInfo | None:
    """Code, level, parent and English name of a canonical region name (None when the gazetteer has no unique one)."""
    gaz = _gazetteer()
    found = gaz.lookup(name, parent=parent) if parent else None
    found = found or gaz.lookup(name)
    if found is None:
        return None
    parent_region = gaz.by_code(found.parent_code) if found.parent_code else None
    return RegionInfo(name=found.name, code=found.code, level=found.level,
                      parent=parent_region.name if parent_region else None, en=found.en or None)
