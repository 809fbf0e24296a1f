"""The embedded store: loading a TriG dump, replacing graphs atomically, the union without duplicates, locks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph
import pytest

from hfkg.errors import StoreError
from hfkg.graph.store import (
    has_union,
    load_dataset,
    named_graphs,
    open_store,
    store_path,
)

DATA = Path(__file__).parent / "data" / "mini.trig"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _count(store: pyoxigraph.Store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)


def _quads_in_named_graphs(store_dir: Path) -> int:
    store = open_store(store_dir, read_only=True)
    return _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")


def _trig_quads(path: Path) -> list[pyoxigraph.Quad]:
    return list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TRIG))


def test_load_creates_store_with_every_graph(tmp_path: Path) -> None:
    report = load_dataset(tmp_path / "store", DATA)
    quads = _trig_quads(DATA)
    assert report.quads == len(quads)
    assert report.graphs == len({q.graph_name for q in quads})
    store = open_store(tmp_path / "store", read_only=True)
    assert named_graphs(store) == sorted({q.graph_name.value for q in quads})
    assert has_union(store)
    # the union holds each distinct triple once
    distinct = {(q.subject, q.predicate, q.object) for q in quads}
    assert report.union_triples == len(distinct) < len(quads)


def test_reload_replaces_instead_of_duplicating(tmp_path: Path) -> None:
    target = tmp_path / "store"
    first = load_dataset(target, DATA)
    second = load_dataset(target, DATA)
    assert second.union_triples == first.union_triples
    assert _quads_in_named_graphs(target) == first.quads


def test_reload_replaces_a_changed_document_graph_and_keeps_the_others(tmp_path: Path) -> None:
    target = tmp_path / "store"
    load_dataset(target, DATA)
    changed = tmp_path / "changed.trig"
    changed.write_text(textwrap.dedent("""\
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://example.org/hfkg/graph/doc/aaaa> {
          <https://example.org/hfkg/id/initiative/new> skos:prefLabel "新计划"@zh .
        }
        """), encoding="utf-8")
    report = load_dataset(target, changed)
    assert report.graphs == 1
    store = open_store(target, read_only=True)
    in_a = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/hfkg/graph/doc/aaaa> "
                         "{ ?s ?p ?o } }")
    assert in_a == 1
    # the other document graph is untouched, and the union follows both
    in_b = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/hfkg/graph/doc/bbbb> "
                         "{ ?s ?p ?o } }")
    expected_b = sum(1 for q in _trig_quads(DATA) if q.graph_name.value.endswith("/doc/bbbb"))
    assert in_b == expected_b
    assert bool(store.query(f'ASK {{ ?s <{SKOS}prefLabel> "新计划"@zh }}'))
    # a triple only doc aaaa stated is gone from the union
    assert not bool(store.query(f'ASK {{ ?s <{SKOS}prefLabel> "上门探访"@zh }}'))


def test_union_counts_shared_triples_once_and_graph_still_tells_the_documents(tmp_path: Path) -> None:
    load_dataset(tmp_path / "store", DATA)
    store = open_store(tmp_path / "store", read_only=True)
    label = f'?s <{SKOS}prefLabel> "晨光计划"@zh'
    assert _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {label} }}") == 1
    assert _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {label} }} }}") == 2


def test_bad_trig_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "store"
    before = load_dataset(target, DATA)
    bad = tmp_path / "bad.trig"
    bad.write_text("<https://example.org/g> { <a> <b> ", encoding="utf-8")
    with pytest.raises(StoreError, match="not valid TriG"):
        load_dataset(target, bad)
    assert _quads_in_named_graphs(target) == before.quads


def test_missing_inputs_are_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no dataset"):
        load_dataset(tmp_path / "store", tmp_path / "nothing.trig")
    with pytest.raises(StoreError, match="no hfkg store"):
        open_store(tmp_path / "nowhere")


def test_store_path_defaults() -> None:
    assert store_path() == Path("hfkg-out") / "store"
    assert store_path("x") == Path("x") / "store"
    assert store_path("x", "y") == Path("y")


def test_locked_store_says_so_and_read_only_still_works(tmp_path: Path) -> None:
    target = tmp_path / "store"
    load_dataset(target, DATA)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(target)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="in use by another hfkg process; use --read-only"):
            open_store(target)
        with pytest.raises(StoreError, match="in use by another hfkg process"):
            load_dataset(target, DATA)
        store = open_store(target, read_only=True)
        assert has_union(store)
        assert open_store(target, fallback_read_only=True) is not None
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)


def test_a_crash_between_the_two_renames_is_undone_at_the_next_open(tmp_path: Path) -> None:
    target = tmp_path / "store"
    before = load_dataset(target, DATA)
    parked = tmp_path / ".store.crash.old"
    target.rename(parked)  # as if the build died after moving the old store aside
    store = open_store(target)
    assert has_union(store)
    del store
    assert not parked.exists()
    assert _quads_in_named_graphs(target) == before.quads


def test_reload_leaves_no_temporary_folders(tmp_path: Path) -> None:
    target = tmp_path / "store"
    load_dataset(target, DATA)
    (tmp_path / ".store.leftover.tmp").mkdir()  # from a build that crashed while writing
    load_dataset(target, DATA)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not an hfkg store"):
        load_dataset(target, DATA)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_damaged_store_is_a_store_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "CURRENT").write_text("not a manifest\n", encoding="utf-8")
    with pytest.raises(StoreError, match="damaged or not an hfkg store"):
        open_store(junk)
    with pytest.raises(StoreError, match="damaged or not an hfkg store"):
        open_store(junk, read_only=True)
