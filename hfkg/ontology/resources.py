"""Loaders for the shipped ontology, vocabularies, shapes and family-type taxonomy, plus SHACL validation.

Everything is package data read with :mod:`importlib.resources`, parsed lazily on first use and cached.
The graph functions return a fresh copy each time, so callers may modify what they get.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from hfkg.errors import OntologyError

if TYPE_CHECKING:
    from rdflib import Graph

ONTOLOGY_FILE = "hfkg.ttl"
VOCAB_FILES = ("vocab.ttl", "family-types.ttl")
SHAPES_FILE = "shapes.ttl"
CONTEXT_FILE = "context.jsonld"
FAMILY_TYPES_TSV = ("extract", "data", "family_types.tsv")
FAMILY_TYPE_COLUMNS = ("slug", "zh", "en", "pinyin", "broader", "synonyms", "generic")
FAMILY_TYPE_SCHEME = "family-type"
VOCAB_BASE = "https://w3id.org/hfkg/vocab/"


@dataclass(frozen=True)
class FamilyType:
    """One row of the family-type taxonomy (``hfkg/extract/data/family_types.tsv``)."""

    slug: str
    zh: str
    en: str
    pinyin: str
    broader: str | None = None
    synonyms: tuple[str, ...] = field(default=())
    generic: bool = False

    @property
    def iri(self) -> str:
        """The concept IRI in the fixed family-type vocabulary namespace."""
        return f"{VOCAB_BASE}{FAMILY_TYPE_SCHEME}/{self.slug}"

    @property
    def labels(self) -> tuple[str, ...]:
        """The Chinese preferred label followed by all synonyms."""
        return (self.zh, *self.synonyms)


def read_text(*parts: str) -> str:
    """Read a UTF-8 package data file below ``hfkg`` (e.g. ``read_text("ontology", "hfkg.ttl")``)."""
    node = resources.files("hfkg")
    for part in parts:
        node = node / part
    try:
        return node.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OntologyError(f"cannot read package data hfkg/{'/'.join(parts)}: {exc}",
                            hint="reinstall hfkg; the package data is incomplete") from None


def parse_family_types(text: str, source: str = "family_types.tsv") -> list[FamilyType]:
    """Parse and check the family-type TSV; raise OntologyError naming the first problem."""
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != FAMILY_TYPE_COLUMNS:
        raise OntologyError(f"{source}: the header must be {' '.join(FAMILY_TYPE_COLUMNS)} (tab-separated)")
    types = [_family_type_row(row, n, source) for n, row in enumerate(rows[1:], start=2) if any(row)]
    _check_family_types(types, source)
    return types


def _family_type_row(row: list[str], line: int, source: str) -> FamilyType:
    if len(row) != len(FAMILY_TYPE_COLUMNS):
        raise OntologyError(f"{source} line {line}: expected {len(FAMILY_TYPE_COLUMNS)} columns, got {len(row)}")
    slug, zh, en, pinyin, broader, synonyms, generic = (cell.strip() for cell in row)
    if not slug.isascii() or not slug or slug.lower() != slug or not slug.replace("-", "").isalnum():
        raise OntologyError(f"{source} line {line}: slug {slug!r} must be lowercase ASCII letters, digits and '-'")
    if not (zh and en and pinyin):
        raise OntologyError(f"{source} line {line}: {slug} needs zh, en and pinyin labels")
    if generic not in ("yes", "no"):
        raise OntologyError(f"{source} line {line}: generic must be yes or no, not {generic!r}")
    syn = tuple(s.strip() for s in synonyms.split("|") if s.strip())
    return FamilyType(slug, zh, en, pinyin, broader or None, syn, generic == "yes")


def _check_family_types(types: list[FamilyType], source: str) -> None:
    slugs: set[str] = set()
    labels: dict[str, str] = {}
    for ft in types:
        if ft.slug in slugs:
            raise OntologyError(f"{source}: slug {ft.slug} appears twice")
        slugs.add(ft.slug)
        for label in ft.labels:
            if label in labels:
                raise OntologyError(f"{source}: label {label} is used by both {labels[label]} and {ft.slug}")
            labels[label] = ft.slug
    parent = {ft.slug: ft.broader for ft in types}
    for ft in types:
        if ft.broader is not None and ft.broader not in slugs:
            raise OntologyError(f"{source}: {ft.slug} has unknown broader type {ft.broader}")
        seen, node = {ft.slug}, ft.broader
        while node is not None:
            if node in seen:
                raise OntologyError(f"{source}: broader links of {ft.slug} form a cycle")
            seen.add(node)
            node = parent[node]


@lru_cache(maxsize=1)
def _family_types() -> tuple[FamilyType, ...]:
    return tuple(parse_family_types(read_text(*FAMILY_TYPES_TSV)))


def family_types() -> list[FamilyType]:
    """The shipped family-type taxonomy, in file order (top types before their narrower ones)."""
    return list(_family_types())


def family_type_index() -> dict[str, FamilyType]:
    """Every Chinese label of the taxonomy (preferred label and synonyms) -> its family type."""
    return {label: ft for ft in _family_types() for label in ft.labels}


@cache
def _parsed(*names: str) -> Graph:
    from rdflib import Graph

    graph = Graph()
    for name in names:
        try:
            graph.parse(data=read_text("ontology", name), format="turtle")
        except OntologyError:
            raise
        except Exception as exc:  # rdflib raises many parser exception types
            raise OntologyError(f"hfkg/ontology/{name} is not valid Turtle: {exc}") from None
    return graph


def _copy(graph: Graph) -> Graph:
    from rdflib import Graph

    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    out += graph
    return out


def ontology_graph() -> Graph:
    """The OWL ontology ``hfkg.ttl`` (a fresh copy)."""
    return _copy(_parsed(ONTOLOGY_FILE))


def vocab_graph() -> Graph:
    """All SKOS concept schemes, the family types included (a fresh copy)."""
    return _copy(_parsed(*VOCAB_FILES))


def shapes_graph() -> Graph:
    """The SHACL shapes ``shapes.ttl`` (a fresh copy)."""
    return _copy(_parsed(SHAPES_FILE))


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped for exports (the object under ``@context``)."""
    return json.loads(read_text("ontology", CONTEXT_FILE))["@context"]


# ---------------------------------------------------------------- validation

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationIssue:
    """One SHACL result, reduced to what a reader needs."""

    severity: str
    focus: str
    path: str
    message: str
    value: str = ""

    def line(self) -> str:
        where = f"{self.focus} {self.path}".strip()
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :func:`validate`: ``conforms`` is False only when there is a Violation."""

    conforms: bool
    issues: tuple[ValidationIssue, ...]
    report_graph: Any = field(repr=False, compare=False, default=None)

    @property
    def violations(self) -> int:
        return sum(1 for i in self.issues if i.severity == "Violation")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "Warning")

    @property
    def infos(self) -> int:
        return sum(1 for i in self.issues if i.severity == "Info")

    @property
    def messages(self) -> list[str]:
        return [i.message for i in self.issues]

    @property
    def text(self) -> str:
        """A readable report: one summary line, then one line per result (violations first)."""
        head = (f"SHACL: {'conforms' if self.conforms else 'does not conform'} "
                f"({self.violations} violations, {self.warnings} warnings, {self.infos} infos)")
        return "\n".join([head, *(i.line() for i in self.issues)])


def flatten(data: Any) -> Graph:
    """Merge every graph of a Dataset/ConjunctiveGraph (or a plain Graph) into one new Graph."""
    from rdflib import Graph

    out = Graph()
    quads = getattr(data, "quads", None)
    if callable(quads) and hasattr(data, "contexts"):
        for s, p, o, _ in quads((None, None, None, None)):
            out.add((s, p, o))
    elif isinstance(data, Graph):
        out += data
    else:
        raise OntologyError(f"cannot validate a {type(data).__name__}; give an rdflib Graph or Dataset")
    return out


def validate(data: Any, *, with_vocab: bool = True, shapes: Graph | None = None) -> ValidationResult:
    """Validate a Graph or Dataset (flattened to one graph) against the shipped SHACL shapes.

    With ``with_vocab`` the shipped SKOS schemes that the data does not already carry are added
    first, so concepts referenced by IRI are typed and in their schemes (a dump with its own copy of
    a scheme is checked against that copy). pyshacl runs with advanced features (SPARQL
    constraints), warnings allowed and no inference.
    """
    import pyshacl

    graph = flatten(data)
    if with_vocab:
        graph += _missing_schemes(graph)
    shacl = shapes if shapes is not None else _parsed(SHAPES_FILE)
    conforms, report, _text = pyshacl.validate(graph, shacl_graph=shacl, advanced=True, allow_warnings=True,
                                               inference="none", meta_shacl=False)
    issues = _issues(report)
    return ValidationResult(conforms=bool(conforms), issues=issues, report_graph=report)


def _missing_schemes(data: Graph) -> Graph:
    """The shipped vocabulary triples of every concept scheme not declared in ``data``."""
    from rdflib import RDF, SKOS, Graph

    vocab = _parsed(*VOCAB_FILES)
    out = Graph()
    for scheme in vocab.subjects(RDF.type, SKOS.ConceptScheme):
        if (scheme, RDF.type, SKOS.ConceptScheme) in data:
            continue
        for s, p, o in vocab:
            if str(s).startswith(str(scheme)) and str(s)[len(str(scheme)):][:1] in ("", "/", "#"):
                out.add((s, p, o))
    return out


def _issues(report: Graph) -> tuple[ValidationIssue, ...]:
    from rdflib.namespace import SH

    def short(term: Any) -> str:
        from rdflib import Literal, URIRef

        if term is None:
            return ""
        if isinstance(term, Literal):  # one line, however long or multi-line the literal is
            body = str(term) if len(str(term)) <= 60 else str(term)[:57] + "..."
            suffix = f"@{term.language}" if term.language else ""
            return json.dumps(body, ensure_ascii=False) + suffix
        if isinstance(term, URIRef):
            try:
                return report.namespace_manager.normalizeUri(term)
            except Exception:  # an IRI that cannot be written with a prefix
                return f"<{term}>"
        return str(term)

    out = []
    # top-level results only; the results nested under sh:detail (from sh:node) only lend their messages
    for res in report.objects(None, SH.result):
        sev = str(report.value(res, SH.resultSeverity)).rsplit("#", 1)[-1]
        msgs = sorted(str(m) for m in report.objects(res, SH.resultMessage))
        details = sorted({str(m) for d in report.objects(res, SH.detail) for m in report.objects(d, SH.resultMessage)})
        if details and all(m.startswith("Value does not conform to Shape") for m in msgs):
            msgs = ["; ".join(details)]
        path = report.value(res, SH.resultPath)
        out.append(ValidationIssue(
            severity=sev,
            focus=short(report.value(res, SH.focusNode)),
            path=short(path) if path is not None and not _is_bnode(path) else ("<path>" if path else ""),
            message=msgs[0] if msgs else "(no message)",
            value=_value(report, res, short),
        ))
    order = {s: n for n, s in enumerate(SEVERITIES)}
    return tuple(sorted(set(out), key=lambda i: (order.get(i.severity, 9), i.focus, i.path, i.message, i.value)))


def _value(report: Graph, res: Any, short: Any) -> str:
    from rdflib.namespace import SH

    value, focus = report.value(res, SH.value), report.value(res, SH.focusNode)
    return "" if value is None or value == focus else short(value)


def _is_bnode(term: Any) -> bool:
    from rdflib import BNode

    return isinstance(term, BNode)
