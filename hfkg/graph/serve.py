"""``hfkg serve``: a read-only SPARQL 1.1 endpoint over the embedded store, run by the Oxigraph server.

The server is the ``oxigraph`` binary from PyPI (``pip install 'hfkg[server]'``), started as
``oxigraph serve-read-only --location STORE --bind HOST:PORT --timeout-s N``.  It answers the SPARQL 1.1
Protocol at ``/query`` (GET, POST, form POST; JSON, CSV, TSV, XML; CONSTRUCT as Turtle), serves a query page
at ``/`` that works offline, and refuses updates and Graph Store writes (403).  An hfkg store's default graph
is already the deduplicated union of its named graphs, so the server runs without ``--union-default-graph``
(which would count shared triples once per graph); a store without that union gets the flag.

Oxigraph 0.5.13 enforces the query timeout (``--timeout-s``) but has no result-size cap: a query with a huge
result is bounded only by the timeout.  Add ``LIMIT`` to exploratory queries.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from hfkg.errors import EndpointError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
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


@dataclass
class Server:
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

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

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
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    except OSError as exc:
        log.close()
        raise EndpointError(f"cannot start the Oxigraph server: {exc}", hint="pip install 'hfkg[server]'") \
            from None
    server = Server(process, host, chosen, log)
    _wait_ready(server, ready_timeout)
    return server


def serve(store_dir: str | os.PathLike[str], host: str = DEFAULT_HOST, port: int | None = DEFAULT_PORT,
          timeout_s: int | None = DEFAULT_TIMEOUT_S, on_ready: Callable[[Server], None] | None = None) -> int:
    """Run the read-only endpoint until Ctrl-C (or SIGTERM); stop the server cleanly; return 0."""
    server = start(store_dir, host, port, timeout_s)
    if on_ready is not None:
        on_ready(server)
    previous = signal.getsignal(signal.SIGTERM)

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        status = server.process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    raise EndpointError(f"the Oxigraph server stopped (exit status {status}): {server.log_tail() or 'no message'}",
                        hint="see the message above; restart with `hfkg serve`")
