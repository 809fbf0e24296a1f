"""Load test of ``hfkg serve``: 50 concurrent clients send 200 queries each on 127.0.0.1, with no error.

The real command runs as a subprocess (the Oxigraph server, read-only, loopback by default) over a store
loaded from the small hand-written TriG.  Each client keeps one HTTP connection and checks every answer
against the embedded store's answer; the test prints p50/p95/p99 latency and throughput, and the whole run
is bounded in count (10,000 queries) and in time (under 60 s).  The same server also shows that it is
read-only, listens on loopback only, and stops a runaway query at its timeout.
"""

from __future__ import annotations

import collections
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hfkg.graph.serve import free_port
from hfkg.graph.store import load_dataset

pytestmark = [pytest.mark.server, pytest.mark.slow]

MINI = Path(__file__).parent / "data" / "mini.trig"
CLIENTS, PER_CLIENT, BUDGET_S = 50, 200, 60.0
QUERIES = [
    "ASK { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?s ?label LIMIT 10",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    'SELECT ?s WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> "失独家庭"@zh }',
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    out = tmp_path_factory.mktemp("load")
    load_dataset(out / "store", MINI)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hfkg", "serve", "--out", str(out), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    match = re.search(r"SPARQL endpoint: (http://\S+)", first)
    assert match, first + proc.stderr.read()
    try:
        yield match.group(1), out
    finally:
        alive = proc.poll() is None
        proc.send_signal(signal.SIGTERM)  # what Ctrl-C does: hfkg stops its server
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert alive, f"hfkg serve died during the tests: {proc.stderr.read()[-500:]}"
    assert proc.returncode == 0


def _expected(out: Path) -> dict[str, str]:
    """Each query's answer from the same store opened in process, in the JSON shape the server gives."""
    import pyoxigraph

    from hfkg.graph.store import open_store

    store = open_store(out / "store", read_only=True)
    try:
        return {q: _canonical(store.query(q).serialize(format=pyoxigraph.QueryResultsFormat.JSON)) for q in QUERIES}
    finally:
        del store


def _canonical(body: bytes) -> str:
    data = json.loads(body)
    if "results" in data:
        data["results"]["bindings"] = sorted(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])
    return json.dumps(data, sort_keys=True)


def _ask(conn: http.client.HTTPConnection, path: str, query: str) -> tuple[int, bytes]:
    conn.request("POST", path, urllib.parse.urlencode({"query": query}),
                 {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    response = conn.getresponse()
    return response.status, response.read()


def _client(base: urllib.parse.SplitResult, n: int, expected: dict[str, str], stats: dict[str, list[Any]],
            deadline: float) -> None:
    """One client: 200 queries over one keep-alive connection, checked against the expected answers.

    Oxigraph closes a connection after ``--timeout`` seconds; like any HTTP client, a query that fails on a
    *reused* connection before any answer is sent again once on a new connection (counted as a reconnect).
    A failure on a fresh connection, a non-200 answer or a wrong answer is an error.
    """
    conn, used = http.client.HTTPConnection(base.hostname, base.port, timeout=30), 0
    try:
        for i in range(PER_CLIENT):
            if time.monotonic() > deadline:
                stats["errors"].append("budget exceeded")
                return
            q = QUERIES[(n + i) % len(QUERIES)]
            start = time.perf_counter()
            try:
                status, data = _ask(conn, base.path, q)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
                if not used:
                    stats["errors"].append(f"{type(exc).__name__}: {exc}")
                    continue
                stats["reconnects"].append(used)
                used = 0
                try:
                    status, data = _ask(conn, base.path, q)
                except (OSError, http.client.HTTPException) as again:
                    stats["errors"].append(f"{type(again).__name__} on a new connection: {again}")
                    continue
            used += 1
            stats["latencies"].append(time.perf_counter() - start)
            if status != 200:
                stats["errors"].append(f"HTTP {status}: {data[:200]!r}")
            elif _canonical(data) != expected[q]:
                stats["errors"].append(f"wrong answer to {q}")
    finally:
        conn.close()


def test_fifty_clients_two_hundred_queries_each(served: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, out = served
    base = urllib.parse.urlsplit(url)
    expected = _expected(out)
    stats: dict[str, list[Any]] = {"latencies": [], "errors": [], "reconnects": []}
    start = time.monotonic()
    deadline = start + BUDGET_S
    threads = [threading.Thread(target=_client, args=(base, n, expected, stats, deadline)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(BUDGET_S + 30)
    elapsed = time.monotonic() - start
    latencies, errors = sorted(stats["latencies"]), stats["errors"]

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    with capsys.disabled():  # shown in the test output even without -s
        print(f"\nload: {len(latencies)} queries from {CLIENTS} clients in {elapsed:.1f} s "
              f"({len(latencies) / elapsed:.0f}/s); latency p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, "
              f"p99 {pct(0.99):.1f} ms, max {latencies[-1] * 1000:.1f} ms; errors {len(errors)}, "
              f"reconnects {len(stats['reconnects'])}")
    assert not errors, collections.Counter(errors).most_common(5)
    assert len(latencies) == CLIENTS * PER_CLIENT
    assert elapsed < BUDGET_S
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    try:
        assert _ask(conn, base.path, QUERIES[0])[0] == 200  # still up after the load
    finally:
        conn.close()


def test_endpoint_is_read_only(served: tuple[str, Path]) -> None:
    url, out = served
    base = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    try:
        update = urllib.parse.urlencode({"update": "DROP ALL"})
        for method, path, body, ctype in (
                ("POST", "/update", update, "application/x-www-form-urlencoded"),
                ("POST", "/query", "DROP ALL", "application/sparql-update"),
                ("PUT", "/store?default", "<http://e/a> <http://e/b> <http://e/c> .", "application/n-triples"),
                ("DELETE", "/store?default", "", "text/plain")):
            conn.request(method, path, body, {"Content-Type": ctype})
            response = conn.getresponse()
            response.read()
            assert 400 <= response.status < 500, (method, path, response.status)
    finally:
        conn.close()
    import pyoxigraph

    from hfkg.graph.store import open_store

    store = open_store(out / "store", read_only=True)
    assert len(store) > 0  # nothing was dropped
    expected = pyoxigraph.Store()
    expected.bulk_extend(pyoxigraph.parse(path=str(MINI), format=pyoxigraph.RdfFormat.TRIG))
    assert len([q for q in store if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)]) == len(expected)


def test_endpoint_does_not_call_other_servers(served: tuple[str, Path]) -> None:
    """A SERVICE clause would make the endpoint send requests to any host it can reach (SSRF): refused."""
    import http.server

    hits: list[str] = []

    class Trap(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    trap = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    url, _ = served
    base = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{trap.server_address[1]}/internal> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{trap.server_address[1]}/x> {{ ?s ?p ?o }} }}"):
            status, body = _ask(conn, base.path, query)
            assert status in (400, 403), (status, body[:200])
    finally:
        conn.close()
        trap.shutdown()
        trap.server_close()
    assert hits == []


def test_endpoint_listens_on_loopback_only(served: tuple[str, Path]) -> None:
    url, _ = served
    port = urllib.parse.urlsplit(url).port
    assert urllib.parse.urlsplit(url).hostname == "127.0.0.1"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table, encoding="ascii") as fh:
            for line in fh.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hexport = local.partition(":")
                if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                    listening.append(address)
    assert listening == ["0100007F"], listening  # 127.0.0.1, and no wildcard or IPv6 socket


def _post(port: int, query: str, timeout: float) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    begin = time.monotonic()
    try:
        status, _ = _ask(conn, "/query", query)
    except (OSError, http.client.HTTPException):
        status = 0  # no answer at all
    finally:
        conn.close()
    return status, time.monotonic() - begin


@pytest.fixture()
def strict_server(served: tuple[str, Path]) -> Iterator[Any]:
    """What `hfkg serve --timeout 1` runs: the read-only server behind the capping proxy."""
    from hfkg.graph.serve import start_capped

    server = start_capped(served[1] / "store", port=0, timeout_s=1)
    yield server
    server.stop()


def test_runaway_query_stops_at_the_timeout(strict_server: Any) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    status, took = _post(strict_server.port, heavy, 30)
    assert status == 504 and took < 10, (status, took)  # cut by Oxigraph at 1 s, told as 504 by the proxy
    status, _ = _post(strict_server.port, "ASK { ?s ?p ?o }", 10)
    assert status == 200  # and the server still answers


@pytest.mark.xfail(strict=True, reason="Oxigraph 0.5.13 does not apply --timeout-s to a COUNT over a cross product of "
                                       "five patterns: the query runs on (and burns a CPU) until the server stops")
def test_timeout_covers_every_query(strict_server: Any) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    status, took = _post(strict_server.port, heavy, 6)
    assert status == 504 and took < 6, (status, took)
