"""RDF dumps: TriG, Turtle, N-Quads, N-Triples and JSON-LD, written with pyoxigraph in a stable order.

Quads are converted once, sorted by their N-Quads text, and serialised with a fixed prefix map, so the same
dataset always gives the same bytes.  Turtle and N-Triples are the union of all named graphs (each triple
once); TriG, N-Quads and JSON-LD keep the graphs.  Files are written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from hfkg._io import write_bytes
from hfkg.errors import ExportError

FORMATS = {"turtle": "ttl", "trig": "trig", "nquads": "nq", "ntriples": "nt", "jsonld": "jsonld"}
QUAD_FORMATS = ("trig", "nquads", "jsonld")


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


def _name(term: Any) -> str:
    return getattr(term, "value", "")


def sort_quads(quads: Iterable[Any]) -> list[Any]:
    """Distinct quads, sorted by graph, subject and predicate; objects keep their order (the dump order).

    The build writes its quads in this order (:meth:`hfkg.builders.sink.QuadSink.ox_quads`), so sorting a
    parsed dump again gives the same sequence, and an export gives the build's bytes.
    """
    return sorted(dict.fromkeys(quads), key=lambda q: (_name(q.graph_name), _name(q.subject), q.predicate.value))


def union_triples(quads: Iterable[Any]) -> list[Any]:
    """The distinct triples of all graphs, in first-seen order, sorted by subject and predicate (stable)."""
    return sorted(dict.fromkeys(q.triple for q in quads), key=lambda t: (_name(t.subject), t.predicate.value))


def jsonld_context() -> dict[str, Any] | None:
    """The JSON-LD context shipped with the ontology, if any."""
    folder = resources.files("hfkg.ontology")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".jsonld") and "context" in entry.name:
            data = json.loads(entry.read_text(encoding="utf-8"))
            return data.get("@context", data) if isinstance(data, dict) else None
    return None


def _sorted_prefix_block(data: bytes) -> bytes:
    """Put the leading ``@prefix`` lines in alphabetical order (pyoxigraph writes them in hash order)."""
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    return b"\n".join(sorted(lines[:n]) + lines[n:])


def serialize(quads: Iterable[Any], fmt: str, prefixes: dict[str, str], triples: Iterable[Any] | None = None) -> bytes:
    """Serialise sorted quads in ``fmt`` (one of :data:`FORMATS`); ``triples``: their union, if already known.

    ``quads`` and ``triples`` may be iterators for trig, nquads and turtle (with ``triples``).

    Control and bidi characters from documents are written as ``\\uXXXX`` escapes (the parsers read them
    back as the same characters), so ``cat`` of a dump cannot rewrite a terminal.
    """
    from hfkg.textutil import escape_controls_utf8

    return escape_controls_utf8(_serialize(quads, fmt, prefixes, triples))


def _serialize(quads: Iterable[Any], fmt: str, prefixes: dict[str, str], triples: Iterable[Any] | None) -> bytes:
    ox = _ox()
    pre = dict(sorted(prefixes.items()))
    if fmt == "trig":
        return _sorted_prefix_block(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=pre))
    if fmt == "nquads":
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    if fmt == "turtle":
        union = triples if triples is not None else union_triples(quads)
        return _sorted_prefix_block(ox.serialize(union, format=ox.RdfFormat.TURTLE, prefixes=pre))
    if fmt == "ntriples":
        return ox.serialize(union_triples(quads), format=ox.RdfFormat.N_TRIPLES)
    if fmt == "jsonld":
        return _jsonld(quads, pre)
    raise ExportError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(sorted(FORMATS))}")


def _jsonld(quads: list[Any], prefixes: dict[str, str]) -> bytes:
    """Expanded JSON-LD from pyoxigraph, wrapped with the shipped context (or the prefix map) as ``@context``.

    The graph stays in expanded form (full IRIs), which any JSON-LD processor reads with or without the
    context; the context is attached so that tools can compact it.
    """
    ox = _ox()
    expanded = json.loads(ox.serialize(quads, format=ox.RdfFormat.JSON_LD))
    context = jsonld_context() or prefixes
    doc = {"@context": context, "@graph": expanded}
    # The context only declares terms; the expanded node objects use absolute IRIs, so meaning is unchanged.
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def write_dumps(quads: list[Any], out_dir: Path, prefixes: dict[str, str]) -> dict[str, Path]:
    """Write ``graph.trig`` (all named graphs) and ``graph.ttl`` (their union) into ``out_dir``."""
    paths = {"trig": out_dir / "graph.trig", "turtle": out_dir / "graph.ttl"}
    data = {fmt: serialize(quads, fmt, prefixes) for fmt in paths}
    for fmt, path in paths.items():
        write_bytes(path, data[fmt])
    return paths


def read_quads(path: Path) -> list[Any]:
    """Parse a TriG/Turtle/N-Quads dump with pyoxigraph into sorted quads; :class:`ExportError` if unreadable."""
    ox = _ox()
    fmt = {".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
           ".nt": ox.RdfFormat.N_TRIPLES}.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"{path}: unknown RDF file type", hint="give a .trig, .ttl, .nq or .nt file")
    try:
        return sort_quads(ox.parse(path=str(path), format=fmt))
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file", hint="run 'hfkg build' first, or pass --out DIR") from None
    except (SyntaxError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExportError(f"{path} cannot be read as RDF: {first}") from None


def export(fmt: str, out_dir: str | Path, dest: str | Path | None = None, prefixes: dict[str, str] | None = None
           ) -> tuple[bytes, Path | None]:
    """Serialise the build in ``out_dir`` (its ``graph.trig``) as ``fmt``; write to ``dest`` unless it is ``-``/None.

    Returns the bytes and the path written (None for standard output).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(sorted(FORMATS))}")
    trig = Path(out_dir) / "graph.trig"
    quads = read_quads(trig)
    if prefixes is None:
        prefixes = prefixes_of(trig)
    data = serialize(quads, fmt, prefixes)
    if dest is None or str(dest) == "-":
        return data, None
    path = Path(dest)
    write_bytes(path, data)
    return data, path


def prefixes_of(path: Path) -> dict[str, str]:
    """The ``@prefix`` declarations at the top of a Turtle/TriG file (so exports keep the build's prefixes)."""
    out: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("@prefix"):
                    break
                name, _, iri = line[len("@prefix"):].strip().rstrip(".").strip().partition(" ")
                out[name.rstrip(":")] = iri.strip().strip("<>")
    except OSError:
        return {}
    return out
