"""A client for remote SPARQL 1.1 servers: the Protocol for queries and the Graph Store HTTP Protocol for push.

Works with Oxigraph server, Apache Jena Fuseki, Virtuoso, GraphDB and any server that speaks the two W3C
protocols.  Credentials come from the environment: ``HFKG_TOKEN`` (sent as a Bearer token) or
``HFKG_USER`` + ``HFKG_PASSWORD`` (HTTP Basic; Digest when ``HFKG_AUTH=digest``).  Every failure (server
down, 401, 500, timeout, an answer that is not SPARQL) is an :class:`~hfkg.errors.EndpointError` with one
line saying what happened.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from hfkg.errors import EndpointError

if TYPE_CHECKING:  # pragma: no cover
    import requests
    from rdflib.query import Result

USER_AGENT = "hfkg (SPARQL 1.1 client)"
RETRY_STATUS = {429, 502, 503}


def auth_from_env(environ: dict[str, str] | None = None) -> Any:
    """``HFKG_TOKEN`` as a Bearer token, else ``HFKG_USER``/``HFKG_PASSWORD`` as Basic auth, else None."""
    env = os.environ if environ is None else environ
    token = env.get("HFKG_TOKEN")
    if token:
        return _Bearer(token)
    user = env.get("HFKG_USER")
    if user:
        if env.get("HFKG_AUTH", "").lower() == "digest":  # Virtuoso's /sparql-graph-crud-auth
            from requests.auth import HTTPDigestAuth

            return HTTPDigestAuth(user, env.get("HFKG_PASSWORD", ""))
        return (user, env.get("HFKG_PASSWORD", ""))
    return None


class _Bearer:
    """requests auth hook that sends ``Authorization: Bearer TOKEN``."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{what} {url!r} is not an http(s) URL",
                            hint="e.g. http://127.0.0.1:7878/query")
    return url


def query_url(url: str) -> str:
    """The SPARQL query URL, checked (used as given: QLever answers at the root, Oxigraph at ``/query``)."""
    return _check_url(url, "endpoint")


def graph_store_url(endpoint: str) -> str:
    """Guess the Graph Store Protocol URL from a query URL (Oxigraph, Fuseki, GraphDB, Virtuoso)."""
    parts = urlsplit(query_url(endpoint))
    path = parts.path.rstrip("/")
    if path.endswith("/repositories") or "/repositories/" in path:  # GraphDB / RDF4J
        return urlunsplit(parts._replace(path=path + "/rdf-graphs/service", query=""))
    if path in ("", "/query"):  # Oxigraph (its root, or its query URL)
        return urlunsplit(parts._replace(path="/store", query=""))
    if path.endswith(("/sparql", "/query")) and path.count("/") >= 2:  # Fuseki /DATASET/sparql
        return urlunsplit(parts._replace(path=path.rsplit("/", 1)[0] + "/data", query=""))
    if path == "/sparql":  # Virtuoso
        return urlunsplit(parts._replace(path="/sparql-graph-crud-auth", query=""))
    raise EndpointError(f"cannot tell the Graph Store Protocol URL of {endpoint}",
                        hint="give it with --graph-store URL (see the README, 'Serve and push')")


@dataclass
class Endpoint:
    """A remote SPARQL 1.1 server."""

    url: str
    auth: Any = None
    timeout: float | None = 60.0
    retries: int = 3
    backoff: float = 0.5

    def __post_init__(self) -> None:
        self.url = query_url(self.url)
        if self.auth is None:
            self.auth = auth_from_env()

    # ------------------------------------------------------------------ HTTP

    def _session(self) -> requests.Session:
        import requests

        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        session.auth = self.auth
        return session

    def _send(self, method: str, url: str, *, retry: bool = True, **kwargs: Any) -> requests.Response:
        """One HTTP request with retries and exponential backoff on connection errors, 429 and 5xx gateways."""
        import requests

        attempts = self.retries + 1 if retry else 1
        last = ""
        with self._session() as session:
            for attempt in range(attempts):
                if attempt:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                try:
                    response = session.request(method, url, timeout=(10, self.timeout), **kwargs)
                except requests.exceptions.Timeout:
                    raise EndpointError(f"{url} did not answer within {self.timeout:g} s",
                                        hint="the query may be too heavy; raise --timeout or narrow it") from None
                except requests.exceptions.RequestException as exc:
                    last = f"cannot reach {url}: {_reason(exc)}"
                    continue
                if response.status_code in RETRY_STATUS and attempt + 1 < attempts:
                    last = f"{url} answered {response.status_code}"
                    continue
                return self._checked(response, url)
        raise EndpointError(last, hint="is the server running? check the URL and the network")

    @staticmethod
    def _checked(response: requests.Response, url: str) -> requests.Response:
        status = response.status_code
        if status < 400:
            return response
        detail = " ".join(response.text.split())[:200]
        if status in (401, 403):
            raise EndpointError(f"{url} refused access ({status} {response.reason})"
                                + (f": {detail}" if detail else ""),
                                hint="set HFKG_TOKEN, or HFKG_USER and HFKG_PASSWORD; read-only servers refuse writes")
        raise EndpointError(f"{url} answered {status} {response.reason}" + (f": {detail}" if detail else ""),
                            hint="see the server's log")

    # ------------------------------------------------------------------ SPARQL 1.1 Protocol

    def query(self, text: str, form: str) -> Result:
        """Run a query (form = SELECT/ASK/CONSTRUCT/DESCRIBE) with an HTTP POST; an rdflib Result."""
        accept = ("application/sparql-results+json" if form in ("SELECT", "ASK")
                  else "application/n-triples, text/turtle;q=0.9")
        response = self._send("POST", self.url, data={"query": text}, headers={"Accept": accept})
        if form in ("SELECT", "ASK"):
            return _parse_json_results(response, form, self.url)
        return _parse_graph(response, form, self.url)

    # ------------------------------------------------------------------ Graph Store HTTP Protocol

    def put_graph(self, store_url: str, graph: str, ntriples: bytes) -> int:
        """Replace one named graph (HTTP PUT ``?graph=IRI``); returns the HTTP status."""
        response = self._send("PUT", _check_url(store_url, "graph store"), params={"graph": graph},
                              data=ntriples, headers={"Content-Type": "application/n-triples"})
        return response.status_code


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "No route to host",
                   "Temporary failure in name resolution", "Connection reset"):
        if marker in text:
            return marker.lower()
    return text.split(":")[-1].strip()[:120] or type(exc).__name__


def _parse_json_results(response: requests.Response, form: str, url: str) -> Result:
    from rdflib import BNode, Literal, URIRef, Variable
    from rdflib.query import Result

    try:
        body = response.json()
    except ValueError:
        if "cancelled" in response.text[-200:]:
            raise EndpointError(f"{url} cancelled the query part-way (its query timeout)",
                                hint="narrow the query (parameters, LIMIT), or raise the server's timeout") from None
        raise EndpointError(f"{url} did not answer with SPARQL JSON results "
                            f"(Content-Type {response.headers.get('Content-Type', '?')})",
                            hint="give the server's SPARQL query URL, e.g. http://host:7878/query") from None
    result = Result(form)
    if form == "ASK":
        if "boolean" not in body:
            raise EndpointError(f"{url} answered an ASK query without a boolean", hint="check the server")
        result.askAnswer = bool(body["boolean"])
        return result

    def term(cell: dict[str, str]) -> Any:
        kind, value = cell.get("type"), cell.get("value", "")
        if kind == "uri":
            return URIRef(value)
        if kind == "bnode":
            return BNode(value)
        lang = cell.get("xml:lang")
        datatype = cell.get("datatype")
        if lang:
            return Literal(value, lang=lang)
        if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)

    try:
        result.vars = [Variable(v) for v in body["head"]["vars"]]
        result.bindings = [{Variable(k): term(v) for k, v in row.items()} for row in body["results"]["bindings"]]
    except (KeyError, TypeError, AttributeError):
        raise EndpointError(f"{url} answered JSON that is not SPARQL results", hint="check the URL") from None
    return result


def _parse_graph(response: requests.Response, form: str, url: str) -> Result:
    import pyoxigraph
    from rdflib import Graph
    from rdflib.query import Result

    from hfkg.graph.sparql import _to_rdflib

    ctype = response.headers.get("Content-Type", "").split(";")[0].strip()
    fmt = pyoxigraph.RdfFormat.from_media_type(ctype) if ctype else None
    if fmt is None:
        raise EndpointError(f"{url} answered a graph as {ctype or 'unknown content'}", hint="check the server")
    try:
        triples = list(pyoxigraph.parse(response.content, format=fmt))
    except SyntaxError as exc:
        if "cancelled" in response.text[-200:]:
            raise EndpointError(f"{url} cancelled the query part-way (its query timeout)",
                                hint="narrow the query (LIMIT), or raise the server's timeout") from None
        raise EndpointError(f"{url} answered a graph that does not parse: {exc}", hint="check the server") from None
    graph = Graph()
    for t in triples:
        graph.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))
    result = Result(form)
    result.graph = graph
    return result


@dataclass(frozen=True)
class PushReport:
    """What :func:`push` sent: graphs, triples, and the Graph Store URL."""

    graph_store: str
    graphs: int
    triples: int


def push(endpoint: str, *, graph_store: str | None = None, out: str | None = None, store: str | None = None,
         read_only: bool = True, auth: Any = None, timeout: float | None = 120.0, retries: int = 3,
         progress: bool | None = None, graphs: Iterable[str] | None = None,
         on_graph: Callable[[str, int], None] | None = None) -> PushReport:
    """Upload every named graph of the store (``store``, or ``OUT/store``) with one PUT per graph.

    A PUT replaces the graph on the server, so pushing twice leaves one copy.  The store's materialised
    union (its default graph) is not sent: servers build their own union.  ``progress`` shows a tqdm bar
    (default: when standard error is a terminal).
    """
    from tqdm import tqdm

    from hfkg.graph.store import graph_turtle, named_graphs, open_store, store_path

    client = Endpoint(endpoint, auth=auth, timeout=timeout, retries=retries)
    target = graph_store_url(endpoint) if graph_store is None else _check_url(graph_store, "graph store")
    handle = open_store(store_path(out, store), read_only=read_only)
    names = list(graphs) if graphs is not None else named_graphs(handle)
    total = 0
    bar = tqdm(names, desc="push", unit="graph", disable=None if progress is None else not progress,
               leave=False)
    for name in bar:
        data = graph_turtle(handle, name)
        client.put_graph(target, name, data)
        count = data.count(b"\n")
        total += count
        if on_graph is not None:
            on_graph(name, count)
    bar.close()
    return PushReport(graph_store=target, graphs=len(names), triples=total)
