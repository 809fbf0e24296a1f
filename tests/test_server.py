"""Real servers on 127.0.0.1: push to the Oxigraph server, compare every saved query, `hfkg serve`, endpoint errors."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import hfkg
from hfkg.cli import cli
from hfkg.errors import EndpointError
from hfkg.graph import sparql
from hfkg.graph.endpoint import Endpoint, graph_store_url, push
from hfkg.graph.serve import Server, free_port, start

pytestmark = pytest.mark.server
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
NO_SAMPLE_ROWS = {"reported-figures"}  # the builder emits no hfkg:reportedQuantity (see test_queries.py)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample built by ``hfkg.build`` (dumps plus DIR/store)."""
    folder = tmp_path_factory.mktemp("srv") / "hfkg-out"
    hfkg.build(out=folder, validate=False)
    return folder


@pytest.fixture(scope="module")
def params(out: Path) -> dict[str, dict[str, Any]]:
    agency = next(iter(hfkg.query(
        "PREFIX cv: <http://data.europa.eu/m8g/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?name WHERE { ?i cv:hasParticipation/cv:hasParticipant ?a . ?a skos:prefLabel ?name "
        "FILTER(lang(?name) = 'zh') } "
        "ORDER BY ?name LIMIT 1", out=str(out))))
    province = next(iter(hfkg.query(
        "PREFIX schema: <https://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?name WHERE { ?r schema:containedInPlace ?p . ?p skos:prefLabel ?name FILTER(lang(?name) = 'zh') } "
        "ORDER BY ?name LIMIT 1", out=str(out))))
    return {
        "programs-for-family-type": {"familyType": "ft:fp-family"},
        "programs-of-agency": {"agencyName": str(agency.name)},
        "programs-in-region": {"regionName": str(province.name)},
        "benefits-by-type": {"benefitType": "bt:service"},
    }


@pytest.fixture()
def oxigraph(tmp_path: Path) -> Iterator[Server]:
    """The real Oxigraph server (writable, union default graph) on a free loopback port, own folder."""
    server = start(tmp_path / "oxigraph-data", port=0, read_only=False)
    try:
        yield server
    finally:
        pid = server.process.pid
        os.kill(pid, signal.SIGTERM)
        server.process.wait(10)
        assert server.process.poll() is not None


def _normalise(result: Any) -> Counter[tuple[str, ...]]:
    """Rows as a multiset of text cells; GROUP_CONCAT cells compared as sets of their parts."""
    rows: Counter[tuple[str, ...]] = Counter()
    for row in result:
        cells = []
        for value in row:
            text = "" if value is None else str(value)
            cells.append(" ".join(sorted(re.split(r" \| |, | ", text))) if re.search(r"( \| |, | )", text) else text)
        rows[tuple(cells)] += 1
    return rows


def _count(endpoint: str) -> int:
    return int(next(iter(hfkg.query(COUNT_NAMED, endpoint=endpoint)))[0])


def test_push_then_every_saved_query_matches_the_embedded_store(oxigraph: Server, out: Path,
                                                                 params: dict[str, dict[str, Any]]) -> None:
    report = push(oxigraph.query_url, out=str(out), progress=False)
    assert report.graph_store == oxigraph.base_url + "/store"
    local_named = int(next(iter(hfkg.query(COUNT_NAMED, out=str(out))))[0])
    assert report.triples == local_named == _count(oxigraph.query_url)
    for name in sparql.saved_queries():
        local = hfkg.query(name, out=str(out), params=params.get(name))
        remote = hfkg.query(name, endpoint=oxigraph.query_url, params=params.get(name))
        assert len(local) > 0 or name in NO_SAMPLE_ROWS, name
        assert _normalise(remote) == _normalise(local), name
    # a second push replaces every graph: nothing doubles
    again = push(oxigraph.query_url, out=str(out), progress=False)
    assert again.triples == report.triples
    assert _count(oxigraph.query_url) == local_named


def test_push_command_and_query_command_against_the_server(oxigraph: Server, out: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["push", "--endpoint", oxigraph.base_url, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert re.search(r"Pushed \d+ graphs \(\d+ triples\) to http://127\.0\.0\.1:\d+/store", result.stderr)
    result = runner.invoke(cli, ["query", "raised-standards", "--endpoint", oxigraph.query_url, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"]["bindings"]


def _http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_hfkg_serve_answers_get_and_post_and_refuses_updates(out: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hfkg", "serve", "--out", str(out), "--port", str(port),
                             "--max-rows", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert f"SPARQL endpoint: {base}/query" in line
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        json_accept = {"Accept": "application/sparql-results+json"}
        status, body = _http(f"{base}/query?" + urllib.parse.urlencode({"query": count}), headers=json_accept)
        assert status == 200
        served = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        assert served == int(next(iter(hfkg.query(count, out=str(out))))[0])
        status, body = _http(f"{base}/query", data=count.encode("utf-8"),
                             headers={**json_accept, "Content-Type": "application/sparql-query"})
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == served
        status, body = _http(f"{base}/query", data=urllib.parse.urlencode({"query": count}).encode(),
                             headers={**json_accept, "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200
        status, _ = _http(f"{base}/update", data=b"INSERT DATA { <http://a> <http://b> <http://c> }",
                          headers={"Content-Type": "application/sparql-update"})
        assert status == 403
        status, _ = _http(f"{base}/store?graph=http://x", data=b"<http://a> <http://b> <http://c> .",
                          headers={"Content-Type": "application/n-triples"}, method="PUT")
        assert status == 403
        # the result cap: every format stops at 3 rows (or triples) and says so in a header
        every = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
        for accept, rows in (("application/sparql-results+json", lambda b: len(json.loads(b)["results"]["bindings"])),
                             ("text/csv", lambda b: len(b.decode().splitlines()) - 1),
                             ("text/tab-separated-values", lambda b: len(b.decode().splitlines()) - 1),
                             ("application/sparql-results+xml", lambda b: b.count(b"<result>"))):
            request = urllib.request.Request(f"{base}/query?{every}", headers={"Accept": accept})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["X-HFKG-Truncated"] == "true", accept
                assert rows(response.read()) == 3, accept
        # the query page at / sends its queries to /sparql: capped too
        status, body = _http(f"{base}/sparql", data=every.encode(),
                             headers={**json_accept, "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
        triples = urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        status, body = _http(f"{base}/query?{triples}", headers={"Accept": "application/n-triples"})
        assert status == 200 and len(body.decode().splitlines()) == 3
        status, page = _http(f"{base}/")
        assert status == 200 and b"<html" in page.lower()
        # the hfkg client reaches it too
        assert len(hfkg.query("people-and-posts", endpoint=f"{base}/query")) > 0
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Stopped." in err and "Traceback" not in err
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2)


def test_serve_without_store_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--out", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1 and "Error: no hfkg store at" in result.stderr


# ------------------------------------------------------------------ failing endpoints


class _Handler(BaseHTTPRequestHandler):
    """Answers with the status the server was told to give; records what it received."""

    def _answer(self) -> None:
        srv: Any = self.server
        length = int(self.headers.get("Content-Length") or 0)
        srv.seen.append((self.command, self.path, dict(self.headers), self.rfile.read(length)))
        if srv.delay:
            time.sleep(srv.delay)
        status = srv.statuses.pop(0) if len(srv.statuses) > 1 else srv.statuses[0]
        body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}' if status == 200 else b"nope"
        self.send_response(status)
        self.send_header("Content-Type", "application/sparql-results+json" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def fake() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.statuses, server.seen, server.delay = [200], [], 0.0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "message"), [(401, "refused access (401"), (500, "answered 500")])
def test_http_errors_are_endpoint_errors(fake: Any, status: int, message: str) -> None:
    fake.statuses = [status]
    with pytest.raises(EndpointError, match=re.escape(message)):
        hfkg.query("SELECT ?x WHERE { ?x ?p ?o }", endpoint=fake.url)
    result = CliRunner().invoke(cli, ["query", "SELECT ?x WHERE { ?x ?p ?o }", "--endpoint", fake.url])
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_endpoint() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(EndpointError, match="cannot reach"):
        Endpoint(url, retries=1, backoff=0.01).query("ASK {}", "ASK")
    result = CliRunner().invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", url])
    assert result.exit_code == 1 and "Error: cannot reach" in result.stderr


def test_endpoint_timeout(fake: Any) -> None:
    fake.delay = 2.0
    with pytest.raises(EndpointError, match=r"did not answer within 0\.3 s"):
        hfkg.query("SELECT ?x WHERE { ?x ?p ?o }", endpoint=fake.url, timeout=0.3)


def test_credentials_from_the_environment(fake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HFKG_TOKEN", "s3cret")
    hfkg.query("SELECT ?x WHERE { ?x ?p ?o }", endpoint=fake.url)
    assert fake.seen[-1][2]["Authorization"] == "Bearer s3cret"
    monkeypatch.delenv("HFKG_TOKEN")
    monkeypatch.setenv("HFKG_USER", "ann")
    monkeypatch.setenv("HFKG_PASSWORD", "pw")
    hfkg.query("SELECT ?x WHERE { ?x ?p ?o }", endpoint=fake.url)
    assert fake.seen[-1][2]["Authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()


def test_push_retries_on_503_then_succeeds(fake: Any, out: Path) -> None:
    fake.statuses = [503, 503, 201]
    report = push(fake.url, graph_store=fake.url.replace("/sparql", "/data"), out=str(out), progress=False,
                  graphs=["https://example.org/hfkg/graph/vocab"])
    assert report.graphs == 1 and report.triples > 0
    puts = [s for s in fake.seen if s[0] == "PUT"]
    assert len(puts) == 3
    assert "graph=https%3A%2F%2Fexample.org%2Fhfkg%2Fgraph%2Fvocab" in puts[-1][1]
    assert puts[-1][3].count(b"\n") == report.triples
    assert puts[-1][2]["Content-Type"] == "application/n-triples"


def test_graph_store_urls() -> None:
    assert graph_store_url("http://h:7878") == "http://h:7878/store"
    assert graph_store_url("http://h:7878/query") == "http://h:7878/store"
    assert graph_store_url("http://h:3030/hfkg/sparql") == "http://h:3030/hfkg/data"
    assert graph_store_url("http://h:7200/repositories/hfkg") == "http://h:7200/repositories/hfkg/rdf-graphs/service"
    assert graph_store_url("http://h:8890/sparql") == "http://h:8890/sparql-graph-crud-auth"
    with pytest.raises(EndpointError, match="cannot tell the Graph Store Protocol URL"):
        graph_store_url("http://h:7019/api/x")


def test_server_timeout_cuts_a_huge_result_and_the_client_says_so(out: Path) -> None:
    server = start(out / "store", port=0, timeout_s=1)
    try:
        started = time.monotonic()
        with pytest.raises(EndpointError, match="cancelled the query part-way"):
            hfkg.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", endpoint=server.query_url, timeout=60)
        assert time.monotonic() - started < 30
    finally:
        os.kill(server.process.pid, signal.SIGTERM)
        server.process.wait(10)
