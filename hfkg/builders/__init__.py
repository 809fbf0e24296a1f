"""Builders: extraction records to the RDF knowledge graph, and the ``build`` API behind ``hfkg build``.

:func:`build` reads sources (texts are extracted, extraction JSON files are read as they are), applies the
curation file, builds the dataset (:mod:`hfkg.builders.graphs`), validates it with the shipped SHACL shapes
and writes ``DIR/extractions/*.json``, ``DIR/graph.trig``, ``DIR/graph.ttl`` and ``DIR/iri_registry.json``.
Everything is computed before the first file is written, and every file is written atomically.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hfkg._io import write_text
from hfkg.errors import BuildError, RecordError

DEFAULT_OUT = "hfkg-out"
EXTRACTIONS = "extractions"
OWN_FILES = ("iri_registry.json",)


@dataclass
class BuildResult:
    """What :func:`build` made: the dataset, the files written, the counts and the SHACL outcome.

    ``dataset`` is an rdflib ``Dataset``, read from ``DIR/graph.trig`` the first time it is asked for.
    """

    out_dir: Path
    paths: dict[str, Path]
    summary: dict[str, Any]
    validation: Any = None
    warnings: list[str] = field(default_factory=list)
    #: the IRIs of the named graphs the build wrote (the store step replaces these)
    graph_names: list[str] = field(default_factory=list)
    #: the program similarity, once the store step has scored it (hfkg.graph.similarity.Similarity)
    similarity: Any = field(default=None, repr=False)
    _dataset: Any = field(default=None, repr=False)

    @property
    def dataset(self) -> Any:
        """The built dataset as an rdflib ``Dataset`` (parsed from graph.trig on first use; slow for large builds)."""
        if self._dataset is None:
            from rdflib import Dataset

            self._dataset = Dataset()
            self._dataset.parse(self.paths["trig"], format="trig")
        return self._dataset

    @property
    def conforms(self) -> bool | None:
        return None if self.validation is None else bool(self.validation.conforms)

    def summary_text(self) -> str:
        """The summary ``hfkg build`` prints."""
        s = self.summary
        lines = [f"Built {s['documents']} document(s) into {self.out_dir}/"]
        ents = ", ".join(f"{k} {v}" for k, v in s["entities"].items()) or "none"
        lines.append(f"  entities:  {ents}")
        lines.append(f"  benefits:  {s['benefits']}")
        lines.append(f"  relations: {s['relations']}")
        lines.append(f"  triples:   {s['triples']} ({s['quads']} quads in {s['graphs']} named graphs)")
        if self.validation is not None:
            v = self.validation
            state = "conforms" if v.conforms else "DOES NOT CONFORM"
            lines.append(f"  SHACL:     {state} ({v.violations} violations, {v.warnings} warnings)")
        for name in ("trig", "turtle", "extractions", "store", "similarity", "map", "regions_map"):
            if name in self.paths:
                lines.append(f"  wrote {self.paths[name]}")
        sim = s.get("similarity")
        if isinstance(sim, dict) and sim:
            counts = ", ".join(f"{k} {v}" for k, v in sim.items() if isinstance(v, int))
            if counts:
                lines.append(f"  similarity: {counts}")
        return "\n".join(lines)


def _store_free(out_dir: Path) -> None:
    """Refuse before writing anything when another process (a running build, hfkg serve) holds DIR/store."""
    from hfkg.graph.store import STORE_NAME, check_free

    check_free(Path(out_dir) / STORE_NAME)


# Checks run after everything is computed and before the first file is written.
PRE_WRITE: list[Any] = [_store_free]


# Steps run after the dumps are written.
def _load_store(result: BuildResult) -> None:
    """Score similarity into DIR/similarity.trig, load it and the dataset into DIR/store (see hfkg.graph.store)."""
    from hfkg.graph.store import load_build

    load_build(result)


def _maps(result: BuildResult) -> None:
    """Write DIR/map.html and DIR/regions.html from the similarity the store step scored."""
    from hfkg.exports.maps import build_step

    build_step(result)


POST_BUILD: list[Callable[[BuildResult], None]] = [_load_store, _maps]


@dataclass
class _Input:
    record: Any
    text: str | None
    origin: str
    text_name: str | None = None


def _source_files(sources: list[str]) -> list[Path]:
    from hfkg.extract.reader import expand_sources, sample_paths

    if not sources:
        return sample_paths()
    files = [Path(p) for p in expand_sources(list(sources), suffixes=(".txt", ".json"))]
    return [p for p in files if p.name not in OWN_FILES]


def _find_text(record: Any, json_path: Path, texts: dict[str, Any], encoding: str | None) -> Any:
    """The decoded source text of a record: among the given texts by hash, else beside the JSON by name."""
    from hfkg.extract.reader import read_file

    sha = record.source.sha256
    if sha and sha in texts:
        return texts[sha]
    name = Path(record.source.name).name
    for folder in (json_path.parent, json_path.parent.parent):
        candidate = folder / name
        if candidate.is_file() and candidate.suffix.lower() == ".txt":
            src = read_file(candidate, encoding)
            if not sha or src.sha256 == sha:
                return src
    return None


def collect_inputs(sources: list[str] | None, encoding: str | None = None,
                   jobs: int | None = 1) -> tuple[list[_Input], list[str]]:
    """Read every source: extraction JSON files as records, texts extracted unless a record already covers them."""
    from hfkg.extract.reader import read_file, read_stdin
    from hfkg.extract.records import load_record

    files = _source_files(list(sources or []))
    texts = {}
    records = []
    for f in files:
        if str(f) == "-":
            src = read_stdin(encoding)
            texts.setdefault(src.sha256, src)
        elif f.suffix.lower() == ".json":
            records.append((f, load_record(f)))
        else:
            src = read_file(f, encoding)
            texts.setdefault(src.sha256, src)
    inputs: list[_Input] = []
    warnings: list[str] = []
    covered: set[str] = set()
    for path, rec in records:
        src = _find_text(rec, path, texts, encoding)
        if src is not None:
            if not rec.source.sha256:
                rec.source.sha256 = src.sha256
            covered.add(src.sha256)
        elif not rec.source.sha256:
            raise RecordError(f"{path}: source.sha256 is empty and the text {rec.source.name} was not found",
                              hint="put the .txt beside the JSON file or give it as a source too")
        else:
            warnings.append(f"{path}: text {rec.source.name} not found (or its SHA-256 differs from the record's); "
                            "spans get offsets but no quotes")
        inputs.append(_Input(rec, src.text if src else None, str(path), src.name if src else None))
    pending = [src for sha, src in texts.items() if sha not in covered]
    if pending:
        from hfkg.extract.parallel import extract_many  # same records, in order, whatever the number of jobs

        for src, rec in zip(pending, extract_many(pending, jobs), strict=True):
            inputs.append(_Input(rec, src.text, src.name, src.name))
    seen: dict[str, str] = {}
    unique: list[_Input] = []
    for item in inputs:
        doc_id = item.record.source.sha256[:16]
        if doc_id in seen:
            warnings.append(f"{item.origin}: same document as {seen[doc_id]}; using the first")
            continue
        seen[doc_id] = item.origin
        unique.append(item)
    unique.sort(key=lambda i: i.record.source.sha256)
    return unique, warnings


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"output folder {out_dir} is a file", hint="choose another --out folder")
    probe = out_dir if out_dir.exists() else next((p for p in out_dir.parents if p.exists()), Path("."))
    if not probe.is_dir():
        raise BuildError(f"cannot create {out_dir}: {probe} is not a folder", hint="choose another --out folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BuildError(f"cannot write to {out_dir}: permission denied", hint="choose a folder you can write to (--out)")


def _extraction_names(inputs: list[_Input]) -> list[str]:
    names: list[str] = []
    used: set[str] = set()
    for item in inputs:
        stem = Path(item.record.source.name).stem or item.record.source.sha256[:16]
        name = f"{stem}.json" if f"{stem}.json" not in used else f"{stem}-{item.record.source.sha256[:16]}.json"
        used.add(name)
        names.append(name)
    return names


def _write_outputs(out_dir: Path, inputs: list[_Input], data: dict[str, bytes], registry: Any,
                   update_registry: bool) -> dict[str, Path]:
    """Write extractions, dumps and the registry, each atomically; an OS failure becomes a one-line BuildError."""
    from hfkg._io import write_bytes
    from hfkg.builders.iri import REGISTRY_NAME, committed_registry_path, registry_json
    from hfkg.extract.records import dumps_record

    paths: dict[str, Path] = {"extractions": out_dir / EXTRACTIONS}
    target = out_dir
    try:
        for item, name in zip(inputs, _extraction_names(inputs), strict=True):
            target = out_dir / EXTRACTIONS / name
            write_text(target, dumps_record(item.record))
            if item.text is not None and item.text_name:
                target = out_dir / EXTRACTIONS / Path(item.record.source.name).name
                write_text(target, item.text)
        for fmt, fname in (("trig", "graph.trig"), ("turtle", "graph.ttl")):
            target = out_dir / fname
            write_bytes(target, data[fmt])
            paths[fmt] = target
        target = out_dir / REGISTRY_NAME
        write_text(target, registry_json(registry.output_entries()))
        paths["registry"] = target
        if update_registry and registry.minted:
            target = committed_registry_path()
            write_text(target, registry_json({**registry.committed, **registry.local, **registry.minted}))
    except OSError as exc:
        raise BuildError(f"cannot write {target}: {exc.strerror or exc}",
                         hint="choose a folder you can write to (--out)") from None
    return paths


def build(sources: list[str] | None = None, out: str | Path | None = None, base: str | None = None,
          curation: str | Path | None = None, *, stamp: bool = False, update_registry: bool = False,
          license: str | None = None, encoding: str | None = None, validate: bool | None = None,
          jobs: int | None = 1) -> BuildResult:
    """Build the knowledge graph from ``sources`` (texts, extraction JSON files, folders; none: the sample).

    Writes into ``out`` (default ``./hfkg-out``) and returns a :class:`BuildResult` whose ``dataset`` is an
    ``rdflib.Dataset``.  ``base`` (else ``$HFKG_BASE``) is the IRI base of the instance data.
    """
    with _no_cyclic_gc():
        return _build(sources, out, base, curation, stamp=stamp, update_registry=update_registry, license=license,
                      encoding=encoding, validate=validate, jobs=jobs)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a build holds millions of long-lived triples, and every full
    collection would walk them all again (they form no cycles; reference counting frees them)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(sources: list[str] | None, out: str | Path | None, base: str | None, curation: str | Path | None, *,
           stamp: bool, update_registry: bool, license: str | None, encoding: str | None, validate: bool | None,
           jobs: int | None) -> BuildResult:
    from hfkg.builders.curation import apply_curation, load_curation
    from hfkg.builders.graphs import Document, GraphBuilder
    from hfkg.builders.iri import Minter, load_registry, resolve_base
    from hfkg.builders.ns import prefixes
    from hfkg.exports.rdf import serialize

    base_iri = resolve_base(base)
    out_dir = Path(out if out is not None else DEFAULT_OUT)
    _check_out_dir(out_dir)
    cur = load_curation(curation) if curation is not None else None
    license_iri = _check_license(license or (cur.license if cur else None))
    inputs, warnings = collect_inputs(sources, encoding, jobs)
    if not inputs:
        raise BuildError("no documents to build", hint="give .txt or extraction .json files")
    registry = load_registry(out_dir)
    doc_ids = [i.record.source.sha256[:16] for i in inputs]
    records, log = apply_curation(cur, list(zip(doc_ids, [i.record for i in inputs], strict=True)))
    warnings.extend(log.warnings)
    builder = GraphBuilder(Minter(base_iri, registry), log, stamp=stamp, license_iri=license_iri)
    docs = [Document(rec, item.text, item.origin) for rec, item in zip(records, inputs, strict=True)]
    sink = builder.build(docs)
    warnings.extend(builder.warnings)

    pre = prefixes(base_iri)
    # streamed from the builder's triples, so no list of millions of pyoxigraph terms is ever held
    data = {"trig": serialize(sink.iter_ox_quads(), "trig", pre),
            "turtle": serialize((), "turtle", pre, triples=sink.iter_ox_union())}
    n_quads, n_triples = len(sink), sink.union_size or 0
    validation, dataset = None, None
    if validate is None and n_triples > AUTO_VALIDATE_LIMIT:
        warnings.append(f"SHACL check skipped: {n_triples:,} triples is above {AUTO_VALIDATE_LIMIT:,} "
                        "(pyshacl needs minutes there); run 'hfkg validate' or build with --validate")
    elif validate is not False:
        from hfkg.ontology.resources import validate as shacl_validate

        dataset = sink.to_rdflib()
        validation = shacl_validate(dataset)

    # everything is computed: check nothing holds the outputs, then write, each file atomically
    for check in PRE_WRITE:
        check(out_dir)
    paths = _write_outputs(out_dir, inputs, data, registry, update_registry)
    counts = builder.counts
    summary = {
        "documents": counts.documents,
        "entities": {k: len(counts.entities[k]) for k in sorted(counts.entities)},
        "benefits": len(counts.benefits),
        "relations": counts.relations,
        "triples": n_triples,
        "quads": n_quads,
        "graphs": len(sink.graphs()),
        "curation_changes": log.changes,
    }
    result = BuildResult(out_dir, paths, summary, validation, warnings,
                         graph_names=[str(g.identifier) for g in sink.graphs()], _dataset=dataset)
    del sink, builder  # the dumps hold everything now; BuildResult.dataset reads graph.trig back when asked
    for step in POST_BUILD:  # e.g. loading the embedded store (hfkg.graph.store)
        step(result)
    return result


#: graphs larger than this are not SHACL-checked by default (pyshacl takes minutes there)
AUTO_VALIDATE_LIMIT = 200_000


def validate_output(target: str | Path | None = None, out: str | Path | None = None) -> Any:
    """SHACL-validate a dump (``target``) or ``out/graph.trig``; returns the ontology's ValidationResult."""
    from rdflib import Dataset

    from hfkg.ontology.resources import validate as shacl_validate

    path = Path(target) if target is not None else Path(out if out is not None else DEFAULT_OUT) / "graph.trig"
    if not path.is_file():
        raise BuildError(f"{path}: no such file", hint="run 'hfkg build' first, or give the dump to validate")
    fmt = {".trig": "trig", ".ttl": "turtle", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld"}.get(
        path.suffix.lower())
    if fmt is None:
        raise BuildError(f"{path}: unknown RDF file type", hint="give a .trig, .ttl, .nq, .nt or .jsonld file")
    ds = Dataset()
    try:
        ds.parse(path, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many exception types
        raise BuildError(f"{path} cannot be read as RDF: {_one_line(exc)}") from None
    return shacl_validate(ds)


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _check_license(value: str | None) -> str | None:
    """The licence must be an absolute IRI (it becomes ``dct:license``)."""
    if value is not None and not _IRI.match(value):
        raise BuildError(f"licence {value!r} is not an absolute IRI",
                         hint="e.g. --license https://creativecommons.org/licenses/by/4.0/")
    return value


def _one_line(exc: Exception, limit: int = 240) -> str:
    """A parser's (often multi-line) message folded into one line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["POST_BUILD", "BuildResult", "build", "collect_inputs", "validate_output"]
