"""The embedded on-disk pyoxigraph store: open it, load a build's TriG into it, list and dump its graphs.

An hfkg store keeps every named graph of the TriG dump (one per source document, plus vocab, gazetteer,
meta, curated) and, in its default graph, the *materialised, deduplicated union* of all of them.  Queries
then read the default graph as the union without pyoxigraph 0.5's double counting (a triple held by two
document graphs is one triple of the default graph), while ``GRAPH ?g`` still says which document said it.

:func:`load_dataset` replaces every named graph found in the TriG, atomically: it bulk-loads a new store in
a temporary sibling folder (the TriG's graphs, the current store's other graphs, and their union) and swaps
it in by renaming, while the current store stays locked.  A rebuild never duplicates; an interrupted build
leaves the previous store (a crash between the two renames is undone at the next open).  A process that
already has the old store open (``hfkg serve``) keeps seeing the old data until it is restarted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
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
    if not read_only:
        _recover(target)
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
    except (RuntimeError, ValueError) as exc:  # RocksDB reports corruption as RuntimeError
        raise StoreError(f"the store {target} is damaged or not an hfkg store: {exc}",
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


def _read_trig(trig_path: Path) -> list[Any]:
    """The quads of a TriG file."""
    import pyoxigraph

    try:
        return list(pyoxigraph.parse(path=str(trig_path), format=pyoxigraph.RdfFormat.TRIG))
    except FileNotFoundError:
        raise StoreError(f"no dataset at {trig_path}", hint="run `hfkg build` first") from None
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"{trig_path} is not valid TriG: {exc}", hint="rebuild it with `hfkg build`") from None


def _group(quads: Iterable[Any]) -> dict[Any, list[Any]]:
    """Quads grouped by graph name; the default graph goes to :data:`UNNAMED_GRAPH`."""
    import pyoxigraph

    groups: dict[Any, list[Any]] = {}
    unnamed = pyoxigraph.NamedNode(UNNAMED_GRAPH)
    for quad in quads:
        graph = quad.graph_name
        if isinstance(graph, pyoxigraph.DefaultGraph):
            graph = unnamed
            quad = pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, unnamed)
        groups.setdefault(graph, []).append(quad)
    return groups


def _union_size(store: pyoxigraph.Store) -> int:
    rows = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    return int(rows[0]["n"].value)


def _old_copies(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.*.old"))


def _recover(target: Path) -> None:
    """Finish or undo a swap that a crash interrupted: with no store at ``target``, put the previous one back."""
    if _is_store(target):
        for old in _old_copies(target):
            shutil.rmtree(old, ignore_errors=True)
        return
    olds = [p for p in _old_copies(target) if _is_store(p)]
    if olds and (not target.exists() or (target.is_dir() and not any(target.iterdir()))):
        if target.exists():
            target.rmdir()
        os.replace(olds[-1], target)


def _write_new_store(tmp: Path, groups: dict[Any, list[Any]], kept: Any, files: tuple[tuple[Path, Any], ...] = (),
                     more: Callable[[Any], list[Any]] | None = None) -> int:
    """Bulk-load the new graphs, the kept graphs of the old store, and their union as the default graph.

    ``groups`` are quads by graph; ``files`` are (path, format) pairs parsed by Oxigraph itself: a TriG
    dump's named graphs and, with format Turtle, the union of the same graphs for the default graph.
    ``more`` is called with the store once the files are in (its default graph then holds their union) and
    returns quads to add; it may add graph names to the set ``kept`` was made with, which is read after it.
    """
    import pyoxigraph

    store = pyoxigraph.Store(str(tmp))
    default = pyoxigraph.DefaultGraph()
    for path, fmt in files:
        store.bulk_load(path=str(path), format=fmt, **({"to_graph": default} if fmt != pyoxigraph.RdfFormat.TRIG else {}))
    extra = more(store) if more is not None else []
    kept_quads = list(kept)
    store.bulk_extend(q for quads in groups.values() for q in quads)
    store.bulk_extend(extra)
    store.bulk_extend(kept_quads)
    store.bulk_extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, default)
                      for quads in [*groups.values(), extra, kept_quads] for q in quads)
    store.flush()
    union = _union_size(store)
    del store
    return union


def _kept_quads(old: Any, replaced: set[str]) -> Iterator[Any]:
    """The quads of the old store's named graphs that the new TriG does not replace."""
    import pyoxigraph

    for graph in old.named_graphs():
        if isinstance(graph, pyoxigraph.NamedNode) and graph.value in replaced:
            continue
        yield from old.quads_for_pattern(None, None, None, graph)


def load_dataset(store_dir: str | os.PathLike[str], trig_path: str | os.PathLike[str]) -> LoadReport:
    """Load the TriG dump into the store at ``store_dir``, replacing every graph it contains, atomically.

    See :func:`load_quads`, which does the work.
    """
    return load_quads(store_dir, _read_trig(Path(trig_path)))


def load_quads(store_dir: str | os.PathLike[str], quads: Iterable[Any]) -> LoadReport:
    """Load pyoxigraph ``quads`` into the store at ``store_dir``, replacing every graph they name, atomically.

    The new store is bulk-loaded in a temporary sibling folder (the TriG's graphs, plus the graphs of the
    current store that the TriG does not mention, plus their union) and then swapped in by renaming, so
    readers see the old store or the new one, never a mix; a crash mid-swap is undone at the next open.
    The current store stays open (locked) while the new one is written, so two builds cannot interleave.
    Raises :class:`StoreError` when the store is locked by another process or cannot be written.
    """
    groups = _group(quads)
    return _swap_in(Path(store_dir), groups, {g.value for g in groups}, sum(len(v) for v in groups.values()))


def _swap_in(target: Path, groups: dict[Any, list[Any]], replaced: set[str], quads: int,
             files: tuple[tuple[Path, Any], ...] = (), more: Callable[[Any], list[Any]] | None = None) -> LoadReport:
    """Write a new store beside ``target`` (new graphs, kept old graphs, union) and swap it in by renaming."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _recover(target)
        if target.exists() and not _is_store(target) and (not target.is_dir() or any(target.iterdir())):
            raise StoreError(f"{target} exists and is not an hfkg store",
                             hint="remove it, or choose another --out folder")
        old = open_store(target) if _is_store(target) else None
        if old is not None:  # we hold the lock: no other build is running, so leftovers are from a crash
            for leftover in target.parent.glob(f".{target.name}.*.tmp"):
                shutil.rmtree(leftover, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        try:
            union = _write_new_store(tmp, groups, _kept_quads(old, replaced) if old is not None else (), files, more)
            del old
            if target.exists():
                parked = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
                parked.rmdir()
                os.replace(target, parked)
                os.replace(tmp, target)
                shutil.rmtree(parked, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except OSError as exc:
        raise StoreError(f"cannot write the store {target}: {exc.strerror or exc}",
                         hint="choose a folder you can write to (--out) and check the disk space") from None
    return LoadReport(store=target, graphs=len(replaced), quads=quads, union_triples=union)


def check_free(store_dir: str | os.PathLike[str]) -> None:
    """Raise :class:`StoreError` now if another process holds the store, so a build writes nothing at all."""
    target = Path(store_dir)
    if _is_store(target):
        store = open_store(target)
        del store  # releases the lock at once


def load_build(result: Any) -> LoadReport:
    """The step ``hfkg build`` runs after writing its dumps: load ``DIR/store`` and score similarity on it.

    ``result`` is the builders' ``BuildResult``.  A new store is bulk-loaded from ``DIR/graph.trig`` (named
    graphs) and ``DIR/graph.ttl`` (their union, the default graph); the program similarity is scored on that
    union (:mod:`hfkg.graph.similarity`), written to ``DIR/similarity.trig``, kept in ``result.similarity``
    for the maps and added to the store; then the store is swapped in.  ``paths["store"]``,
    ``paths["similarity"]`` and ``summary["store"]`` are set.
    """
    import pyoxigraph

    out_dir = Path(result.out_dir)
    trig = Path(result.paths.get("trig", out_dir / "graph.trig"))
    ttl = Path(result.paths.get("turtle", out_dir / "graph.ttl"))
    replaced = set(result.graph_names)
    counts: dict[str, int] = {}

    def score(store: Any) -> list[Any]:
        extra = _similarity(result, store)
        replaced.update(q.graph_name.value for q in extra[:1])
        counts["extra"] = len(extra)
        return extra

    files = ((trig, pyoxigraph.RdfFormat.TRIG), (ttl, pyoxigraph.RdfFormat.TURTLE))
    report = _swap_in(out_dir / STORE_NAME, {}, replaced, result.summary["quads"], files, score)
    report = LoadReport(report.store, report.graphs, report.quads + counts.get("extra", 0), report.union_triples)
    result.paths["store"] = report.store
    result.summary["store"] = {"graphs": report.graphs, "quads": report.quads,
                               "union_triples": report.union_triples}
    return report


def _similarity(result: Any, store: Any) -> list[Any]:
    """Score similarity on ``store``'s default graph, write DIR/similarity.trig, return the graph's quads."""
    from hfkg._io import write_bytes
    from hfkg.graph.similarity import SIMILARITY_NAME, similarity, similarity_quads, similarity_trig

    sim = similarity(store)
    result.similarity = sim
    # without programs there is no base to name the similarity graph: a previous build's links stay (README)
    extra = similarity_quads(sim) if sim.features.programs else []
    path = Path(result.out_dir) / SIMILARITY_NAME
    write_bytes(path, similarity_trig(sim, quads=extra))
    result.paths["similarity"] = path
    return extra
