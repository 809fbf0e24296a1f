"""``hfkg serve``: a read-only SPARQL 1.1 endpoint over the embedded store, run by the Oxigraph server.

The server is the ``oxigraph`` binary from PyPI (``pip install 'hfkg[server]'``), started as
``oxigraph serve-read-only --location STORE --bind 127.0.0.1:PRIVATE --timeout-s N``.  It answers the
SPARQL 1.1 Protocol at ``/query`` (GET, POST, form POST; JSON, CSV, TSV, XML; CONSTRUCT as Turtle), serves a
query page at ``/`` that works offline, and refuses updates and Graph Store writes (403).  An hfkg store's
default graph is already the deduplicated union of its named graphs, so the server runs without
``--union-default-graph`` (which would count shared triples once per graph); a store without that union
gets the flag.

Oxigraph 0.5.13 enforces the query timeout (``--timeout-s``) but has no result cap, so ``hfkg serve`` puts
a small proxy on the public address: it forwards every request to the server on a private loopback port
and re-writes query results with at most ``max_rows`` rows (or triples), marking the response with
``X-HFKG-Result-Cap`` and ``X-HFKG-Truncated`` headers; a result cut by the server's timeout becomes a 504.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hfkg.errors import EndpointError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
DEFAULT_MAX_ROWS = 10000
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def find_server() -> str:
    """The ``oxigraph`` server binary: next to the running Python, else on PATH."""
    exe = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    beside = Path(sys.executable).parent / exe
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise EndpointError("the Oxigraph server (the `oxigraph` command) is not installed",
                        hint="pip install 'hfkg[server]'")


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the process that started us dies (even by
    SIGKILL), so a killed ``hfkg serve`` leaves no Oxigraph server holding its port and store."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class _Urls:
    """The URLs of a server listening on ``host``:``port``."""

    host: str
    port: int

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"


@dataclass
class Server(_Urls):
    """A running Oxigraph server process and its URLs."""

    process: subprocess.Popen[bytes]
    host: str
    port: int
    log: IO[bytes] | None = None

    def log_tail(self) -> str:
        """The last line the server wrote to its standard error."""
        if self.log is None:
            return ""
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return " ".join(lines[-1:])[:200]

    def stop(self, grace: float = 5.0) -> int:
        """Stop the server (SIGTERM, then SIGKILL after ``grace`` seconds); its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode or 0)


def server_command(store_dir: str | os.PathLike[str], host: str, port: int, timeout_s: int | None,
                   union: bool = False, read_only: bool = True) -> list[str]:
    """The ``oxigraph`` command line for a store."""
    cmd = [find_server(), "serve-read-only" if read_only else "serve", "--location", str(store_dir),
           "--bind", f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"]
    if union:
        cmd.append("--union-default-graph")
    if timeout_s and read_only:
        cmd += ["--timeout-s", str(int(timeout_s))]
    return cmd


def _wait_ready(server: Server, ready_timeout: float) -> None:
    deadline = time.monotonic() + ready_timeout
    url = server.query_url + "?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            last = server.log_tail()
            raise EndpointError(f"the Oxigraph server stopped at start: {last or 'no message'}",
                                hint="is the port in use? try --port N, or check the store folder")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.05)
    server.stop()
    raise EndpointError(f"the Oxigraph server did not answer on {server.base_url} "
                        f"within {ready_timeout:g} s", hint="check the port and the store folder")


def _store_has_union(store_dir: Path) -> bool:
    from hfkg.graph.store import has_union, open_store

    handle = open_store(store_dir, read_only=True)
    try:
        return has_union(handle)
    finally:
        del handle


def start(store_dir: str | os.PathLike[str], host: str = DEFAULT_HOST, port: int | None = DEFAULT_PORT,
          timeout_s: int | None = DEFAULT_TIMEOUT_S, ready_timeout: float = 15.0,
          read_only: bool = True) -> Server:
    """Start the Oxigraph server on the store and wait until it answers; returns the :class:`Server`.

    ``port`` 0 or None picks a free port.  ``read_only`` False starts a writable server (``oxigraph
    serve``), used to receive ``hfkg push`` in tests; it takes the store's lock.
    """
    target = Path(store_dir)
    if read_only:
        union = not _store_has_union(target)
    else:
        union = True
        target.mkdir(parents=True, exist_ok=True)
    chosen = port or free_port(host)
    cmd = server_command(target, host, chosen, timeout_s, union=union, read_only=read_only)
    log = tempfile.TemporaryFile()  # noqa: SIM115 (a file, not a pipe: a chatty server never blocks)
    try:
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    except OSError as exc:
        log.close()
        raise EndpointError(f"cannot start the Oxigraph server: {exc}", hint="pip install 'hfkg[server]'") \
            from None
    server = Server(process, host, chosen, log)
    _wait_ready(server, ready_timeout)
    return server


# --------------------------------------------------------------------------- result cap (loopback proxy)

_RESULT_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/tab-separated-values": "TSV",
}
_QUERY_PATHS = ("/query", "/sparql")  # the query page posts to /sparql
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "upgrade",
                "proxy-authorization", "proxy-authenticate", "host"}


def _json_term(term: Any) -> dict[str, str]:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    from xml.sax.saxutils import escape, quoteattr

    cell = _json_term(term)
    if cell["type"] == "uri":
        return f"<uri>{escape(cell['value'])}</uri>"
    if cell["type"] == "bnode":
        return f"<bnode>{escape(cell['value'])}</bnode>"
    attrs = (f" xml:lang={quoteattr(cell['xml:lang'])}" if "xml:lang" in cell
             else f" datatype={quoteattr(cell['datatype'])}" if "datatype" in cell else "")
    return f"<literal{attrs}>{escape(cell['value'])}</literal>"


def write_solutions(fmt: str, variables: list[str], rows: list[Any]) -> bytes:
    """SELECT results (pyoxigraph solutions) in the SPARQL 1.1 JSON, XML or TSV results format."""
    from xml.sax.saxutils import quoteattr

    if fmt == "JSON":
        bindings = [{v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "TSV":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if row[v] is None else str(row[v]) for v in variables) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    body = "".join("<result>" + "".join(f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                                        for v in variables if row[v] is not None) + "</result>" for row in rows)
    return (f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head>'
            f"<results>{body}</results></sparql>").encode()


def cap_results(content_type: str, stream: IO[bytes], max_rows: int) -> tuple[bytes, bool] | None:
    """Read at most ``max_rows`` rows (or triples) of a SPARQL response and write them back in its format.

    Returns ``(body, truncated)``, or None when the content type is not a result format (passed through).
    Raises SyntaxError when the response is cut part-way (the server's timeout).
    """
    import csv
    import io

    import pyoxigraph

    media = content_type.split(";")[0].strip().lower()
    if media in _RESULT_TYPES:
        fmt = _RESULT_TYPES[media]
        parsed = pyoxigraph.parse_query_results(stream, getattr(pyoxigraph.QueryResultsFormat, fmt))
        if isinstance(parsed, pyoxigraph.QueryBoolean):
            boolean = "true" if bool(parsed) else "false"
            if fmt == "JSON":
                return json.dumps({"head": {}, "boolean": bool(parsed)}).encode(), False
            if fmt == "XML":
                return (f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                        f"<boolean>{boolean}</boolean></sparql>").encode(), False
            return boolean.encode(), False
        variables = [v.value for v in parsed.variables]
        rows = list(itertools.islice(parsed, max_rows + 1))
        return write_solutions(fmt, variables, rows[:max_rows]), len(rows) > max_rows
    if media == "text/csv":
        reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        records = list(itertools.islice(reader, max_rows + 2))  # the header, then rows
        for record in records[: max_rows + 1]:
            writer.writerow(record)
        return out.getvalue().encode("utf-8"), len(records) > max_rows + 1
    rdf_format = pyoxigraph.RdfFormat.from_media_type(media) if media else None
    if rdf_format is not None:
        triples = list(itertools.islice(pyoxigraph.parse(stream, format=rdf_format), max_rows + 1))
        return pyoxigraph.serialize(triples[:max_rows], format=rdf_format) or b"", len(triples) > max_rows
    return None


class _Proxy(http.server.ThreadingHTTPServer):
    """Forwards every request to the Oxigraph server; caps the rows of query results at ``max_rows``."""

    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 resets connections under concurrent clients

    def __init__(self, address: tuple[str, int], upstream: tuple[str, int], max_rows: int,
                 timeout_s: float) -> None:
        super().__init__(address, _ProxyHandler)
        self.upstream = upstream
        self.max_rows = max_rows
        self.upstream_timeout = timeout_s + 30


def _asks_for_service(path: str, content_type: str, body: bytes | None) -> bool:
    """Does this SPARQL protocol request carry a query with a SERVICE clause (which would make the server
    send requests to any host it can reach)?"""
    from hfkg.graph.sparql import uses_service

    texts = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("query", [])
    if body:
        decoded = body.decode("utf-8", "replace")
        if content_type.startswith("application/x-www-form-urlencoded"):
            texts += urllib.parse.parse_qs(decoded).get("query", [])
        elif content_type.startswith("application/sparql-query"):
            texts.append(decoded)
    return any(uses_service(t) for t in texts)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: _Proxy
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: Any) -> None:  # quiet, like the Oxigraph server
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if _asks_for_service(self.path, self.headers.get("Content-Type", ""), body):
            self._reply(403, b"SERVICE clauses are refused: this endpoint does not contact other servers\n",
                        "text/plain; charset=utf-8")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        conn = http.client.HTTPConnection(*self.server.upstream, timeout=self.server.upstream_timeout)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            capped = None
            if response.status == 200 and self.path.split("?")[0] in _QUERY_PATHS:
                try:
                    capped = cap_results(response.getheader("Content-Type", ""), response, self.server.max_rows)
                except (SyntaxError, ValueError, UnicodeDecodeError, OSError):
                    self._reply(504, b"The SPARQL query was cancelled: it ran past the server's timeout\n",
                                "text/plain; charset=utf-8")
                    return
            if capped is not None:
                data, truncated = capped
                extra = {"X-HFKG-Result-Cap": str(self.server.max_rows),
                         "X-HFKG-Truncated": "true" if truncated else "false"}
                self._reply(200, data, response.getheader("Content-Type", ""), extra)
                return
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_HEADERS:
                    self.send_header(key, value)
            self.end_headers()
            shutil.copyfileobj(response, self.wfile, 65536)
        except (OSError, http.client.HTTPException):
            with contextlib.suppress(OSError):
                self._reply(502, b"The Oxigraph server behind hfkg serve did not answer\n", "text/plain")
        finally:
            conn.close()

    def _reply(self, status: int, data: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _forward


@dataclass
class CappedServer(_Urls):
    """``hfkg serve``: the read-only Oxigraph server on a private loopback port behind the capping proxy."""

    backend: Server
    proxy: _Proxy
    host: str
    port: int
    thread: threading.Thread

    def stop(self) -> int:
        self.proxy.shutdown()
        self.proxy.server_close()
        return self.backend.stop()


def start_capped(store_dir: str | os.PathLike[str], host: str = DEFAULT_HOST, port: int | None = DEFAULT_PORT,
                 timeout_s: int | None = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS) -> CappedServer:
    """Start the read-only server on a free loopback port and the proxy on ``host:port``; both ready."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET

    class _Bound(_Proxy):
        address_family = family

    try:
        proxy = _Bound((host, port or 0), ("127.0.0.1", 0), max_rows, float(timeout_s or DEFAULT_TIMEOUT_S))
    except OSError as exc:
        raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                            hint="the port may be in use; try --port N (0 picks a free one)") from None
    try:
        backend = start(store_dir, "127.0.0.1", 0, timeout_s)
    except BaseException:
        proxy.server_close()
        raise
    proxy.upstream = ("127.0.0.1", backend.port)
    thread = threading.Thread(target=proxy.serve_forever, name="hfkg-serve-proxy", daemon=True)
    thread.start()
    return CappedServer(backend, proxy, host, int(proxy.server_address[1]), thread)


def serve(store_dir: str | os.PathLike[str], host: str = DEFAULT_HOST, port: int | None = DEFAULT_PORT,
          timeout_s: int | None = DEFAULT_TIMEOUT_S, on_ready: Callable[[Any], None] | None = None,
          max_rows: int = DEFAULT_MAX_ROWS) -> int:
    """Run the read-only endpoint (with its result cap) until Ctrl-C or SIGTERM; stop it cleanly; return 0."""
    server = start_capped(store_dir, host, port, timeout_s, max_rows)
    if on_ready is not None:
        on_ready(server)
    previous = signal.getsignal(signal.SIGTERM)

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        status = server.backend.process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    raise EndpointError(f"the Oxigraph server stopped (exit status {status}): "
                        f"{server.backend.log_tail() or 'no message'}",
                        hint="see the message above; restart with `hfkg serve`")
