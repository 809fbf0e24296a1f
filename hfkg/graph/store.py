"""The embedded on-disk pyoxigraph store: open it, load a build's TriG into it, list and dump its graphs.

An hfkg store keeps every named graph of the TriG dump (one per source document, plus vocab, gazetteer,
meta, curated) and, in its default graph, the *materialised, deduplicated union* of all of them.  Queries
then read the default graph as the union without pyoxigraph 0.5's double counting (a triple held by two
document graphs is one triple of the default graph), while ``GRAPH ?g`` still says which document said it.

:func:`load_dataset` replaces, in one write transaction (one SPARQL Update request, which pyoxigraph applies
all or nothing), every named graph found in the TriG and rebuilds the union: a rebuild never duplicates,
an interrupted build leaves the previous state.  A brand-new store is built in a temporary folder with the
bulk loader and renamed into place, so it too appears only when complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfkg.errors import StoreError

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

STORE_NAME = "store"
DEFAULT_OUT = "hfkg-out"
#: Triples of the TriG's default graph (outside any ``GRAPH``) are kept in this named graph, because the
#: store's own default graph is reserved for the materialised union.
UNNAMED_GRAPH = "urn:x-hfkg:graph:unnamed"
_LOCKED_HINT = "wait for the build to finish, or use --read-only to query the store as it was"
_REFRESH_UNION = "DROP SILENT DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_dataset` did: the graphs it replaced and the quads it wrote (named graphs only)."""

    store: Path
    graphs: int
    quads: int
    union_triples: int


def store_path(out: str | os.PathLike[str] | None = None, store: str | os.PathLike[str] | None = None) -> Path:
    """The store folder: ``store`` if given, else ``OUT/store`` (``OUT`` defaults to ``./hfkg-out``)."""
    if store is not None:
        return Path(store)
    return Path(out if out is not None else DEFAULT_OUT) / STORE_NAME


def _is_store(path: Path) -> bool:
    return (path / "CURRENT").is_file()


def _locked(exc: OSError) -> bool:
    text = str(exc)
    return "LOCK" in text or "lock" in text


def open_store(path: str | os.PathLike[str], *, read_only: bool = False, create: bool = False,
               fallback_read_only: bool = False) -> pyoxigraph.Store:
    """Open the store at ``path``.

    ``create`` makes a new store when the folder holds none; otherwise a missing store is a
    :class:`StoreError`.  A store locked by another process (a running ``hfkg build``) raises
    :class:`StoreError` saying so, unless ``read_only`` is set, or ``fallback_read_only`` is set, in which
    case the store is opened read-only (it then shows the data as of the open).
    """
    import pyoxigraph

    target = Path(path)
    if not _is_store(target):
        if not create:
            raise StoreError(f"no hfkg store at {target}",
                             hint="run `hfkg build` first, or give --out DIR / --store DIR of a build")
        if target.exists() and not target.is_dir():
            raise StoreError(f"{target} is a file, not a store folder", hint="give a folder with --store")
    try:
        if read_only:
            return pyoxigraph.Store.read_only(str(target))
        target.mkdir(parents=True, exist_ok=True)
        return pyoxigraph.Store(str(target))
    except OSError as exc:
        if not read_only and _locked(exc):
            if fallback_read_only:
                return open_store(target, read_only=True)
            raise StoreError(f"the store {target} is in use by another hfkg process; use --read-only "
                             "to query it as it was", hint=_LOCKED_HINT) from None
        raise StoreError(f"cannot open the store {target}: {exc}",
                         hint="remove the folder and run `hfkg build` again") from None


def has_union(store: pyoxigraph.Store) -> bool:
    """True when the store's default graph holds the materialised union (an hfkg store with data)."""
    return bool(store.query("ASK { ?s ?p ?o }"))


def named_graphs(store: pyoxigraph.Store) -> list[str]:
    """The IRIs of the store's named graphs, sorted."""
    import pyoxigraph

    return sorted(g.value for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode))


def graph_turtle(store: pyoxigraph.Store, graph: str) -> bytes:
    """One named graph as N-Triples-compatible Turtle bytes (no prefixes, one triple a line, sorted)."""
    import pyoxigraph

    data = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.NamedNode(graph))
    lines = sorted(line for line in data.decode("utf-8").splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _read_trig(trig_path: Path) -> dict[Any, list[Any]]:
    """Quads of a TriG file grouped by graph name; the default graph goes to :data:`UNNAMED_GRAPH`."""
    import pyoxigraph

    try:
        quads = list(pyoxigraph.parse(path=str(trig_path), format=pyoxigraph.RdfFormat.TRIG))
    except FileNotFoundError:
        raise StoreError(f"no dataset at {trig_path}", hint="run `hfkg build` first") from None
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"{trig_path} is not valid TriG: {exc}", hint="rebuild it with `hfkg build`") from None
    groups: dict[Any, list[Any]] = {}
    unnamed = pyoxigraph.NamedNode(UNNAMED_GRAPH)
    for quad in quads:
        graph = quad.graph_name
        if isinstance(graph, pyoxigraph.DefaultGraph):
            graph = unnamed
            quad = pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, unnamed)
        groups.setdefault(graph, []).append(quad)
    return groups


def _replace_update(groups: dict[Any, list[Any]]) -> str:
    """One SPARQL Update request that drops the given graphs, inserts their quads and rebuilds the union.

    The text is made only of terms written by pyoxigraph's own N-Triples serialiser (``str(term)``), which
    escapes every literal and IRI, so document text cannot change the request's structure.
    """
    drops = "".join(f"DROP SILENT GRAPH {graph} ;\n" for graph in sorted(groups, key=str))
    body = "\n".join(
        f"GRAPH {graph} {{\n" + "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads) + "\n}"
        for graph, quads in sorted(groups.items(), key=lambda item: str(item[0])))
    return f"{drops}INSERT DATA {{\n{body}\n}} ;\n{_REFRESH_UNION}"


def _union_size(store: pyoxigraph.Store) -> int:
    rows = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    return int(rows[0]["n"].value)


def _load_fresh(target: Path, groups: dict[Any, list[Any]]) -> int:
    """Build a new store in a temporary sibling folder with the bulk loader, then rename it onto ``target``."""
    import pyoxigraph

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        store = pyoxigraph.Store(str(tmp))
        store.bulk_extend(q for quads in groups.values() for q in quads)
        store.bulk_extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, pyoxigraph.DefaultGraph())
                          for quads in groups.values() for q in quads)
        store.flush()
        union = _union_size(store)
        del store
        if target.exists():
            target.rmdir()  # only an empty folder gets here (see load_dataset)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return union


def load_dataset(store_dir: str | os.PathLike[str], trig_path: str | os.PathLike[str]) -> LoadReport:
    """Load the TriG dump into the store at ``store_dir``, replacing every graph it contains, atomically.

    Graphs of the store that the TriG does not mention (documents built earlier into the same store) are
    kept.  Returns a :class:`LoadReport`; raises :class:`StoreError` when the store is locked or unreadable.
    """
    target = Path(store_dir)
    groups = _read_trig(Path(trig_path))
    quads = sum(len(v) for v in groups.values())
    if not _is_store(target) and (not target.exists() or (target.is_dir() and not any(target.iterdir()))):
        try:
            union = _load_fresh(target, groups)
        except OSError as exc:
            raise StoreError(f"cannot write the store {target}: {exc}",
                             hint="choose a folder you can write to (--out)") from None
    else:
        store = open_store(target)
        try:
            store.update(_replace_update(groups))
            store.flush()
        except OSError as exc:
            raise StoreError(f"cannot write the store {target}: {exc}", hint="check the disk space") from None
        union = _union_size(store)
        del store
    return LoadReport(store=target, graphs=len(groups), quads=quads, union_triples=union)


def load_build(result: Any) -> LoadReport:
    """The step ``hfkg build`` runs after writing its dumps: load ``DIR/graph.trig`` into ``DIR/store``.

    ``result`` is the builders' ``BuildResult``; its ``paths["store"]`` and ``summary["store"]`` are set.
    """
    out_dir = Path(result.out_dir)
    trig = Path(result.paths.get("trig", out_dir / "graph.trig"))
    report = load_dataset(out_dir / STORE_NAME, trig)
    result.paths["store"] = report.store
    result.summary["store"] = {"graphs": report.graphs, "quads": report.quads,
                               "union_triples": report.union_triples}
    return report
