"""The rdflib-only baseline of hfkg's graph stages, run as a child process by ``benchmarks/run``.

``python -m benchmarks.baseline --trig DIR/graph.trig --params PARAMS.json`` does with rdflib alone what
hfkg does with pyoxigraph, on the same data: load the TriG dump into an in-memory ``rdflib.Dataset``
(Memory store, default graph = union of the named graphs), serialise it with rdflib's TriG and Turtle
writers, run every saved query with rdflib's SPARQL engine (the same bindings as the hfkg run), and run the
similarity feature queries (``hfkg/graph/queries/*.rq``) with rdflib.  Each result is printed as one JSON
line as soon as it is known, so a run stopped by the parent's timeout still reports the stages it finished.
Each query runs in a forked child that is killed after ``--query-timeout`` seconds, so a slow query
cannot hang the run.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

_DATASET: Any = None  # the loaded dataset, inherited by the forked query children


def emit(**fields: Any) -> None:
    """Print one result line (JSON) and flush it."""
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def load(trigs: Sequence[Path]) -> Any:
    """Parse the TriG dumps into a Memory-store Dataset whose default graph is the union."""
    from rdflib import Dataset

    ds = Dataset(store="Memory", default_union=True)
    for trig in trigs:
        ds.parse(str(trig), format="trig")
    return ds


def serialise(ds: Any) -> dict[str, int]:
    """Serialise with rdflib's TriG writer and its Turtle writer (the union of the graphs); sizes in bytes."""
    from rdflib import Graph

    trig = ds.serialize(format="trig", encoding="utf-8")
    union = Graph()
    for triple in ds.triples((None, None, None)):
        union.add(triple)
    turtle = union.serialize(format="turtle", encoding="utf-8")
    return {"trig_bytes": len(trig), "turtle_bytes": len(turtle)}


def _rdflib_bindings(text: str, name: str, params: dict[str, Any]) -> dict[Any, Any]:
    """The hfkg run's parameter values as rdflib terms (the same conversion hfkg.query makes)."""
    from rdflib.term import Variable

    from hfkg.graph.sparql import _to_rdflib, bind_params, resolve

    saved = resolve(name)
    return {Variable(k): _to_rdflib(v) for k, v in bind_params(saved, params).items()}


def _query_worker(text: str, bindings: dict[Any, Any], runs: int, budget: float = math.inf) -> dict[str, Any]:
    times: list[float] = []
    rows = 0
    while len(times) < runs and sum(times) < budget:  # a run starts only within the budget
        t0 = time.perf_counter()
        result = _DATASET.query(text, initBindings=bindings)
        rows = len(list(result))
        times.append(time.perf_counter() - t0)
    return {"times": times, "rows": rows}


def _child(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
    try:
        conn.send(fn(*args))
    except Exception as exc:  # reported to the parent as a finding
        conn.send({"error": (str(exc).splitlines() or [type(exc).__name__])[0]})
    conn.close()


def call_in_child(fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> dict[str, Any]:
    """``fn(*args)`` in a forked child killed after ``timeout`` s; its dict, or ``{"timeout": True}``."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, child), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    child.close()
    if not parent.poll(timeout):
        proc.kill()
        proc.join()
        return {"timeout": True, "seconds": time.perf_counter() - t0}
    try:
        out = parent.recv()
    except EOFError:
        out = {"error": f"the child process ended with status {proc.exitcode}"}
    proc.join()
    return out


def timed_in_child(text: str, bindings: dict[Any, Any], runs: int, timeout: float) -> dict[str, Any]:
    """Run a query on the loaded dataset up to ``runs`` times in a forked child (runs start within
    ``timeout / 2``; the child is killed after ``1.5 * timeout``: a timed-out query had a run over ``timeout``)."""
    return call_in_child(_query_worker, (text, bindings, runs, timeout / 2), 1.5 * timeout)


def _stage(name: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    value = fn()
    emit(stage=name, seconds=time.perf_counter() - t0, **(value if isinstance(value, dict) else {}))
    return value


def main(argv: Sequence[str] | None = None) -> int:
    global _DATASET
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--trig", required=True, type=Path, action="append", help="TriG file(s) to load")
    parser.add_argument("--params", type=Path, help="JSON: saved query name -> parameters")
    parser.add_argument("--runs", type=int, default=3, help="runs per query (default 3)")
    parser.add_argument("--query-timeout", type=float, default=60.0)
    parser.add_argument("--skip-serialise", action="store_true")
    args = parser.parse_args(argv)

    from hfkg.graph.sparql import saved_queries

    params = json.loads(args.params.read_text(encoding="utf-8")) if args.params else {}
    t0 = time.perf_counter()
    _DATASET = load(args.trig)
    emit(stage="load", seconds=time.perf_counter() - t0, triples=len(_DATASET))
    if not args.skip_serialise:
        _stage("serialise", lambda: serialise(_DATASET))
    for name, saved in sorted(saved_queries().items()):
        out = timed_in_child(saved.text, _rdflib_bindings(saved.text, name, params.get(name, {})), args.runs,
                             args.query_timeout)
        emit(stage="query", query=name, **out)
    folder = resources.files("hfkg.graph").joinpath("queries")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            out = timed_in_child(entry.read_text(encoding="utf-8"), {}, 1, args.query_timeout)
            emit(stage="similarity_query", query=entry.name, **out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
