"""Faults and data safety: atomic outputs, builds killed with SIGKILL, reruns, per-document graphs, a held store.

The kill tests run the real ``hfkg build`` as a subprocess over a few reports (the bundled sample with a
distinct last line each, so each is its own document) on top of a previous build of other reports, and kill it
with SIGKILL at several points: while extracting, right after it began writing files, while the store is being
bulk-loaded, and after the store swap (similarity and maps).  Every output must then hold either its previous
bytes or its complete new bytes, the store must open and hold either the previous or the new quads, and a
rerun must give exactly what an uninterrupted build gives.
"""

from __future__ import annotations

import ast
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hfkg._io import atomic_open, write_bytes, write_text
from hfkg.errors import HfkgError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "hfkg" / "samples" / "000_8e7bd97d21c6ac00.txt"
CRAFTED = ROOT / "tests" / "data" / "untrusted" / "crafted.txt"
STORE_PROBE = """
import sys, time, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])  # holds the store's lock, as a running build does
print("locked", flush=True)
time.sleep(120)
"""


def hfkg(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hfkg", *args], capture_output=True, text=True, timeout=300,
                          check=False, **kw)  # type: ignore[call-overload]


def corpus(folder: Path, first: int, count: int) -> Path:
    folder.mkdir(parents=True)
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(first, first + count):
        (folder / f"report-{i:02d}.txt").write_text(f"{text}\n（本汇编第{i}册）\n", encoding="utf-8")
    return folder


def files(out: Path) -> dict[str, bytes]:
    """Every output file of a build folder (the store apart), by relative path."""
    out_files = {}
    for p in sorted(out.rglob("*")):
        parts = p.relative_to(out).parts
        if p.is_file() and parts[0] != "store" and not any(part.startswith(".") for part in parts):
            out_files[str(p.relative_to(out))] = p.read_bytes()
    return out_files


def store_quads(out: Path) -> list[bytes]:
    import pyoxigraph

    from hfkg.graph.store import open_store

    store = open_store(out / "store")  # read-write: also runs the recovery of an interrupted swap
    try:
        return sorted(store.dump(format=pyoxigraph.RdfFormat.N_QUADS).splitlines())
    finally:
        del store


def store_graphs(out: Path) -> dict[str, frozenset[str]]:
    """The store's named graphs as sets of triples; checks that its default graph is exactly their union."""
    import pyoxigraph

    graphs: dict[str, set[str]] = {}
    union: set[str] = set()
    for quad in pyoxigraph.parse(b"\n".join(store_quads(out)), format=pyoxigraph.RdfFormat.N_QUADS):
        triple = f"{quad.subject} {quad.predicate} {quad.object}"
        if isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
            union.add(triple)
        else:
            graphs.setdefault(quad.graph_name.value, set()).add(triple)
    assert union == set().union(*graphs.values()), "the store's union default graph does not match its graphs"
    return {g: frozenset(v) for g, v in graphs.items()}


# --------------------------------------------------------------------------- atomic writes


def test_atomic_open_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("half of the new conte")
        raise RuntimeError("crash in the middle")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    write_bytes(target, b"new\n")
    assert target.read_bytes() == b"new\n" and oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_write_killed_midway_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    write_bytes(target, b"previous\n")
    code = ("import sys, time\nfrom hfkg._io import atomic_open\n"
            "with atomic_open(sys.argv[1], 'wb') as fh:\n"
            "    fh.write(b'x' * 5_000_000); fh.flush(); print('half', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "half"
        assert target.read_bytes() == b"previous\n"  # the new bytes go to a temporary file beside it
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert target.read_bytes() == b"previous\n"
    assert all(p.name.startswith(".big.bin.") for p in tmp_path.iterdir() if p != target)  # hidden leftovers only


def test_atomic_write_errors_are_one_line_hfkg_errors(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(HfkgError, match="cannot write"):
        write_text(tmp_path / "file" / "below.txt", "y")  # parent is a file
    (tmp_path / "folder").mkdir()
    with pytest.raises(HfkgError, match="cannot write"):
        write_text(tmp_path / "folder", "y")  # target is a folder
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"


def test_special_targets_are_written_not_replaced(tmp_path: Path) -> None:
    """A symlink is written through, a FIFO or a device is written directly (renaming would replace it)."""
    import threading

    real = tmp_path / "real.txt"
    real.write_text("old\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(real)
    write_text(tmp_path / "link.txt", "new\n")
    assert (tmp_path / "link.txt").is_symlink() and real.read_text(encoding="utf-8") == "new\n"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_bytes(fifo, b"through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"] and fifo.is_fifo()
    before = os.stat(os.devnull)
    write_bytes(os.devnull, b"discarded")
    after = os.stat(os.devnull)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


_WRITES = {"write_text", "write_bytes", "write_graphml", "write_gexf", "copy", "copyfile", "copy2", "copytree"}
_BUFFERS = ("buf", "buffer", "fh", "stream")


def test_package_writes_files_only_through_hfkg_io() -> None:
    """No ``open(..., 'w')``, ``Path.write_text``, ``shutil.copy`` or ``serialize(destination=)`` in hfkg."""
    offenders = []
    for path in sorted((ROOT / "hfkg").rglob("*.py")):
        if path.name == "_io.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(func, ast.Attribute) and name in _WRITES:
                receiver = func.value.id if isinstance(func.value, ast.Name) else ""
                target = node.args[1] if name.startswith("write_g") and len(node.args) > 1 else None
                if name in ("write_text", "write_bytes") or (name.startswith("copy") and receiver == "shutil") or (
                        name.startswith("write_g") and not (isinstance(target, ast.Name) and target.id in _BUFFERS)):
                    offenders.append(f"{where} {receiver}.{name}()")
            if name == "open" and any(isinstance(a, ast.Constant) and isinstance(a.value, str) and set(a.value) & set("wax")
                                      for a in [*node.args[1:2], *[k.value for k in node.keywords if k.arg == "mode"]]):
                offenders.append(f"{where} open(..., write mode)")
            if name in ("serialize", "dump") and any(k.arg in ("destination", "output", "path") for k in node.keywords):
                offenders.append(f"{where} {name}(destination=...)")
    assert not offenders, "write through hfkg._io (temp file + rename): " + ", ".join(offenders)


# --------------------------------------------------------------------------- a build killed with SIGKILL


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A previous build (reports 1-2), and the reference: report 3 and the crafted report built over it."""
    root = tmp_path_factory.mktemp("faults")
    old_src, new_src = corpus(root / "old-src", 1, 2), corpus(root / "new-src", 3, 1)
    shutil.copy(CRAFTED, new_src / "crafted.txt")  # other programs: the similarity graph changes too
    old = root / "old"
    done = hfkg("build", str(old_src), "--out", str(old), "--no-validate")
    assert done.returncode == 0, done.stderr
    ref = root / "ref"
    shutil.copytree(old, ref, symlinks=True)
    done = hfkg("build", str(new_src), "--out", str(ref), "--no-validate")
    assert done.returncode == 0, done.stderr
    return {"root": root, "old": old, "ref": ref, "new-src": new_src}


def _mtimes(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and "store" not in str(p.relative_to(out))}


def _trigger(name: str, out: Path) -> Callable[[float], bool]:
    before = _mtimes(out)
    store_inode = (out / "store").stat().st_ino

    def fired(elapsed: float) -> bool:
        if name == "extracting":
            return elapsed > 1.0
        if name == "writing files":
            now = _mtimes(out)
            return any(now.get(p) != t for p, t in before.items())
        if name == "loading the store":
            return any(out.glob(".store.*.tmp"))
        if name == "similarity and maps":
            return (out / "store").exists() and (out / "store").stat().st_ino != store_inode
        raise AssertionError(name)

    return fired


@pytest.mark.slow
@pytest.mark.parametrize("point", ["extracting", "writing files", "loading the store", "similarity and maps"])
def test_build_killed_keeps_outputs_whole_and_store_openable(point: str, builds: dict[str, Path]) -> None:
    work = builds["root"] / f"kill-{point.replace(' ', '-')}"
    shutil.copytree(builds["old"], work, symlinks=True)
    fired = _trigger(point, work)
    proc = subprocess.Popen([sys.executable, "-m", "hfkg", "build", str(builds["new-src"]), "--out", str(work),
                             "--no-validate"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    start = time.monotonic()
    hit = False
    try:
        while proc.poll() is None and time.monotonic() - start < 240:
            if fired(time.monotonic() - start):
                os.killpg(proc.pid, signal.SIGKILL)  # the build and any worker it started
                hit = True
                break
            time.sleep(0.005)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert hit, f"the build ended before reaching '{point}' (exit {proc.returncode})"
    old, new, now = files(builds["old"]), files(builds["ref"]), files(work)
    for name in sorted(set(old) | set(new) | set(now)):
        assert now.get(name) in (old.get(name), new.get(name)), f"{name} is neither the previous nor the new file"
    # the store opens, and each of its graphs is whole: as before, or as the complete build has it
    # (a kill between loading the documents and loading the similarity graph leaves new documents with the
    # previous similarity graph; the rerun below brings it up to date)
    old_graphs, new_graphs, now_graphs = store_graphs(builds["old"]), store_graphs(builds["ref"]), store_graphs(work)
    for graph in sorted(set(old_graphs) | set(new_graphs) | set(now_graphs)):
        assert now_graphs.get(graph) in (old_graphs.get(graph), new_graphs.get(graph)), f"graph {graph} is a mix"
    # running the build again finishes the job: exactly the uninterrupted result
    done = hfkg("build", str(builds["new-src"]), "--out", str(work), "--no-validate")
    assert done.returncode == 0, done.stderr
    assert files(work) == new
    assert store_quads(work) == store_quads(builds["ref"])
    assert not list(work.glob(".store.*")), "store leftovers of the killed build were not cleaned up"


@pytest.mark.slow
def test_rerun_changes_nothing(builds: dict[str, Path]) -> None:
    again = builds["root"] / "again"
    shutil.copytree(builds["ref"], again, symlinks=True)
    before_files, before_quads = files(again), store_quads(again)
    done = hfkg("build", str(builds["new-src"]), "--out", str(again), "--no-validate")
    assert done.returncode == 0, done.stderr
    assert files(again) == before_files and store_quads(again) == before_quads


# --------------------------------------------------------------------------- one document's graph


def _graphs(out: Path) -> dict[str, bytes]:
    from hfkg.graph.store import graph_turtle, named_graphs, open_store

    store = open_store(out / "store", read_only=True)
    try:
        return {g: graph_turtle(store, g) for g in named_graphs(store)}
    finally:
        del store


@pytest.mark.slow
def test_rebuilding_one_document_replaces_only_its_graph(tmp_path: Path) -> None:
    src = corpus(tmp_path / "src", 1, 2)
    out = tmp_path / "out"
    assert hfkg("build", str(src), "--out", str(out), "--no-validate").returncode == 0
    before = _graphs(out)
    docs = sorted(g for g in before if "/graph/doc/" in g)
    assert len(docs) == 2
    # correct one document through a curation file and rebuild it alone
    first = src / "report-01.txt"
    from hfkg.extract.reader import read_file

    doc_id = read_file(first).sha256[:16]
    mine = next(g for g in docs if g.endswith(doc_id))
    other = next(g for g in docs if g != mine)
    cur = tmp_path / "cur.yaml"
    cur.write_text("format: hfkg-curation/1\ndrop:\n  - {type: Person, name: " + _a_person(out) + "}\n",
                   encoding="utf-8")
    done = hfkg("build", str(first), "--out", str(out), "--curation", str(cur), "--no-validate")
    assert done.returncode == 0, done.stderr
    after = _graphs(out)
    assert after[other] == before[other]  # the other document's graph is untouched
    assert after[mine] != before[mine] and after[mine]  # this one was replaced, not removed or doubled
    assert len(after[mine].splitlines()) < len(before[mine].splitlines())
    total = hfkg("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--out", str(out),
                 "--format", "csv")
    assert int(total.stdout.split()[1]) == sum(len(v.splitlines()) for v in after.values())


def _a_person(out: Path) -> str:
    import json

    rec = json.loads(next((out / "extractions").glob("*.json")).read_text(encoding="utf-8"))
    return next(e["name"] for e in rec["entities"] if e["type"] == "Person")


# --------------------------------------------------------------------------- a store held by a running build


@pytest.fixture()
def held_store(tmp_path: Path) -> tuple[Path, subprocess.Popen[str]]:
    from hfkg.graph.store import load_dataset

    out = tmp_path / "out"
    load_dataset(out / "store", ROOT / "tests" / "data" / "mini.trig")
    holder = subprocess.Popen([sys.executable, "-c", STORE_PROBE, str(out / "store")], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    yield out, holder
    holder.kill()
    holder.wait()


def test_store_held_by_a_build(held_store: tuple[Path, subprocess.Popen[str]], tmp_path: Path) -> None:
    out, _ = held_store
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    locked = hfkg("query", q, "--out", str(out))
    assert locked.returncode == 1 and "Traceback" not in locked.stderr
    assert locked.stderr.startswith("Error: ") and len(locked.stderr.strip().splitlines()) == 1
    assert "in use" in locked.stderr and "--read-only" in locked.stderr
    reading = hfkg("query", q, "--out", str(out), "--read-only", "--format", "csv")
    assert reading.returncode == 0, reading.stderr
    assert int(reading.stdout.split()[1]) > 0
    pushed = hfkg("push", "--endpoint", "http://127.0.0.1:9/query", "--out", str(out), "--timeout", "1")
    assert "in use" not in pushed.stderr  # push reads the store read-only; it fails only on the dead endpoint
    src = tmp_path / "r.txt"
    src.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    build = hfkg("build", str(src), "--out", str(out), "--no-validate")
    assert build.returncode == 1 and "Traceback" not in build.stderr
    assert "in use" in build.stderr and len(build.stderr.strip().splitlines()) == 1
    # refused before writing anything: no dumps that the (old) store does not match
    assert not (out / "graph.trig").exists() and not (out / "extractions").exists()


@pytest.mark.server
def test_serve_opens_a_held_store_read_only(held_store: tuple[Path, subprocess.Popen[str]]) -> None:
    import urllib.parse
    import urllib.request

    from hfkg.graph.serve import start

    out, _ = held_store
    server = start(out / "store", port=0)
    try:
        url = server.query_url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"true" in response.read()
    finally:
        server.stop()


@pytest.mark.server
def test_serve_killed_leaves_no_server_behind(tmp_path: Path) -> None:
    from hfkg.graph.store import load_dataset

    load_dataset(tmp_path / "store", ROOT / "tests" / "data" / "mini.trig")
    proc = subprocess.Popen([sys.executable, "-m", "hfkg", "serve", "--store", str(tmp_path / "store"), "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    children: list[int] = []
    try:
        assert proc.stderr is not None and "SPARQL endpoint" in proc.stderr.readline()
        children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        assert children
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        time.sleep(1)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()
                 and "oxigraph" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]
        assert not alive, f"oxigraph still running: {alive}"
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
