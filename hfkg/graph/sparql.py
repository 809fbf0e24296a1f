"""SPARQL over the hfkg graph: saved queries, typed parameters, the embedded store or any SPARQL 1.1 endpoint.

:func:`query` takes inline SPARQL, a ``.rq`` file or the name of a saved query
(``hfkg/ontology/queries/*.rq``) and returns an :class:`rdflib.query.Result`, so
``for row in hfkg.query(...)`` works as with rdflib: rows with attribute and index access holding rdflib
terms.  The query itself always runs in pyoxigraph (locally) or on the remote server, never in rdflib's engine.

Union without duplicates: an hfkg store's default graph is the materialised union of its named graphs (see
:mod:`hfkg.graph.store`), so plain patterns see every triple once and ``GRAPH ?g`` still names the document.
Saved queries also use ``DISTINCT`` / ``COUNT(DISTINCT …)``, so they give the same answers on servers whose
default graph is a union with per-graph duplicates (Oxigraph's ``union-default-graph``).

Parameters are typed RDF terms, never text pasted into a query: locally they are pyoxigraph
``substitutions``; for a remote endpoint they become one ``VALUES`` block at the start of the query's
``WHERE`` group, written by pyoxigraph's term serialiser.  A parameter must appear in the SELECT projection
(pyoxigraph's substitution rule), which every saved query respects.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfkg.errors import QueryError

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    from rdflib.query import Result

DEFAULT_TIMEOUT = 60.0
XSD = "http://www.w3.org/2001/XMLSchema#"
FORMATS = ("table", "csv", "tsv", "json")
PARAM_TYPES = ("iri", "string", "langString@<lang>", "decimal", "integer", "boolean", "date", "gYear")
_QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\W][\w\u00b7]*)
  | (?P<word>[^\W\d][\w.\-]*(?::(?:[\w.\-%:]|\\[_~.\-!$&'()*+,;=/?\#@%])*)?|:(?:[\w.\-%:]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<other>.)
''', re.X | re.S)
_SYNTAX = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


# --------------------------------------------------------------------------- saved queries


@dataclass(frozen=True)
class Param:
    """A declared parameter of a saved query: ``# param: name type description``."""

    name: str
    type: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class SavedQuery:
    """A query file with its header (title, description, typed parameters)."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: str = ""


def parse_header(name: str, text: str, path: str = "") -> SavedQuery:
    """Read the ``# title:``, ``# description:`` and ``# param:`` lines at the top of a query."""
    title = description = ""
    params: list[Param] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        key, _, value = stripped.lstrip("#").strip().partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = f"{description} {value}".strip()
        elif key == "param":
            parts = value.split(None, 2)
            if len(parts) < 2:
                raise QueryError(f"query {name}: bad '# param:' line {stripped!r}",
                                 hint="write '# param: name type description'")
            pname, ptype = parts[0].lstrip("?$"), parts[1]
            required = not ptype.endswith("?")
            ptype = ptype.rstrip("?")
            _check_type(name, ptype)
            params.append(Param(pname, ptype, parts[2] if len(parts) > 2 else "", required))
    return SavedQuery(name, title or name, description, tuple(params), text, path)


def _check_type(name: str, ptype: str) -> None:
    base = ptype.split("@", 1)[0]
    if base not in {t.split("@", 1)[0] for t in PARAM_TYPES} or (base == "langString") != ("@" in ptype):
        raise QueryError(f"query {name}: unknown parameter type {ptype!r}",
                         hint=f"use one of {', '.join(PARAM_TYPES)}")


@functools.cache
def saved_queries() -> dict[str, SavedQuery]:
    """The saved queries shipped in ``hfkg/ontology/queries``, by name (file name without ``.rq``)."""
    folder = resources.files("hfkg.ontology") / "queries"
    out: dict[str, SavedQuery] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            out[name] = parse_header(name, entry.read_text(encoding="utf-8"), f"hfkg/ontology/queries/{entry.name}")
    return out


def resolve(sparql_or_name: str | SavedQuery) -> SavedQuery:
    """Inline SPARQL, a path to a ``.rq`` file, or a saved query's name, as a :class:`SavedQuery`."""
    if isinstance(sparql_or_name, SavedQuery):
        return sparql_or_name
    text = sparql_or_name
    known = saved_queries()
    if text in known:
        return known[text]
    looks_like_path = "\n" not in text and "{" not in text and len(text) < 4096
    if looks_like_path and (text.endswith(".rq") or Path(text).is_file()):
        path = Path(text)
        try:
            body = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read the query file {path}: {getattr(exc, 'strerror', None) or exc}",
                             hint="give an existing UTF-8 .rq file, inline SPARQL or a saved query's name") \
                from None
        return parse_header(path.stem, body, str(path))
    if re.fullmatch(r"[\w.\-]+", text):
        raise QueryError(f"no saved query named {text!r}; saved queries: {', '.join(known)}",
                         hint="run `hfkg queries` to list them with their parameters")
    return parse_header("query", text)


# --------------------------------------------------------------------------- lexical analysis


def _tokens(text: str) -> list[tuple[str, str, int]]:
    return [(m.lastgroup or "", m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; :class:`QueryError` for an update or text with no query form."""
    for kind, value, _ in _tokens(text):
        if kind == "word":
            upper = value.upper()
            if upper in _QUERY_FORMS:
                return upper
            if upper in _UPDATE_WORDS:
                raise QueryError(f"{upper} is a SPARQL Update; hfkg query only reads",
                                 hint="use SELECT, ASK, CONSTRUCT or DESCRIBE")
    raise QueryError("no SELECT, ASK, CONSTRUCT or DESCRIBE in the query",
                     hint="give SPARQL 1.1 query text, a .rq file or a saved query's name (hfkg queries)")


def uses_service(text: str) -> bool:
    """True when the query contains a SERVICE clause (federated query)."""
    return any(kind == "word" and value.upper() == "SERVICE" for kind, value, _ in _tokens(text))


def declared_prefixes(text: str) -> dict[str, str]:
    """The ``PREFIX p: <iri>`` declarations of a query."""
    toks = _tokens(text)
    out: dict[str, str] = {}
    for i, (kind, value, _) in enumerate(toks[:-2]):
        if kind == "word" and value.upper() == "PREFIX" and toks[i + 2][0] == "iri":
            out[toks[i + 1][1].rstrip(":")] = toks[i + 2][1][1:-1]
    return out


def _where_brace(text: str) -> int:
    """Offset just after the ``{`` that opens the query's top-level WHERE group."""
    depth, seen_where, seen_form = 0, False, ""
    for kind, value, pos in _tokens(text):
        if kind == "word" and depth == 0:
            upper = value.upper()
            if upper in _QUERY_FORMS and not seen_form:
                seen_form = upper
            elif upper == "WHERE":
                seen_where = True
        elif kind == "other" and value == "{":
            if depth == 0 and (seen_where or (seen_form and seen_form != "CONSTRUCT")):
                return pos + 1
            depth += 1
        elif kind == "other" and value == "}":
            depth -= 1
    raise QueryError("this query has no WHERE group to bind parameters in",
                     hint="add a WHERE clause, or run it without --param")


def with_values(text: str, bindings: dict[str, Any]) -> str:
    """The query with one ``VALUES`` block of the bound terms at the start of its WHERE group (for endpoints)."""
    if not bindings:
        return text
    names = sorted(bindings)
    block = (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(str(bindings[n]) for n in names) + ") } ")
    at = _where_brace(text)
    return text[:at] + block + text[at:]


# --------------------------------------------------------------------------- parameters


def _iri(value: str, prefixes: dict[str, str]) -> pyoxigraph.NamedNode:
    import pyoxigraph

    raw = value.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    prefix, colon, local = raw.partition(":")
    if colon and prefix in prefixes and not local.startswith("//"):
        raw = prefixes[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S", raw):
        raise ValueError("not an absolute IRI")
    return pyoxigraph.NamedNode(raw)


def _typed(ptype: str, value: Any, prefixes: dict[str, str]) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    """One parameter value as a pyoxigraph term of the declared type; ValueError when it does not fit."""
    import pyoxigraph

    base, _, lang = ptype.partition("@")
    text = str(value).strip()
    if base == "iri":
        return _iri(text, prefixes)
    if base == "string":
        return pyoxigraph.Literal(str(value))
    if base == "langString":
        return pyoxigraph.Literal(str(value), language=lang)
    if base == "integer":
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError("not an integer")
        return pyoxigraph.Literal(str(int(text)), datatype=pyoxigraph.NamedNode(XSD + "integer"))
    if base == "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text) or len(text) > 64:
            raise ValueError("not a decimal number like 12.5")
        number = Decimal(text)
        lexical = format(number.normalize(), "f")
        return pyoxigraph.Literal(lexical if "." in lexical else lexical + ".0",
                                  datatype=pyoxigraph.NamedNode(XSD + "decimal"))
    if base == "boolean":
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError("not true or false")
        return pyoxigraph.Literal(text.lower() in ("true", "1"))
    if base == "date":
        return pyoxigraph.Literal(date.fromisoformat(text).isoformat(), datatype=pyoxigraph.NamedNode(XSD + "date"))
    if base == "gYear":
        if not re.fullmatch(r"-?\d{4}", text):
            raise ValueError("not a four-digit year")
        return pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(XSD + "gYear"))
    raise ValueError(f"unknown type {ptype}")


def _guess_type(value: Any) -> str:
    """The type of an undeclared parameter: IRIs, integers and decimals by their look, else a string."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | Decimal):
        return "decimal"
    text = str(value).strip()
    if (text.startswith("<") and text.endswith(">")) or re.match(r"^(https?|urn):\S+$", text):
        return "iri"
    if re.fullmatch(r"[+-]?\d+", text):
        return "integer"
    if re.fullmatch(r"[+-]?\d*\.\d+", text):
        return "decimal"
    return "string"


def _native(value: Any) -> Any:
    """rdflib terms to pyoxigraph terms; anything else unchanged."""
    import pyoxigraph

    if isinstance(value, pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode):
        return value
    try:
        from rdflib.term import BNode, URIRef
        from rdflib.term import Literal as RLiteral
    except ImportError:  # pragma: no cover
        return value
    if isinstance(value, URIRef):
        return pyoxigraph.NamedNode(str(value))
    if isinstance(value, BNode):
        return pyoxigraph.BlankNode(str(value))
    if isinstance(value, RLiteral):
        if value.language:
            return pyoxigraph.Literal(str(value), language=value.language)
        if value.datatype:
            return pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(str(value.datatype)))
        return pyoxigraph.Literal(str(value))
    return value


def bind_params(saved: SavedQuery, params: dict[str, Any] | None) -> dict[str, Any]:
    """Check ``params`` against the query's declared parameters and return them as pyoxigraph terms."""
    import pyoxigraph

    given = dict(params or {})
    declared = {p.name: p for p in saved.params}
    prefixes = declared_prefixes(saved.text)
    if declared:
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise QueryError(f"query {saved.name} has no parameter {unknown[0]!r}; its parameters: "
                             f"{', '.join(declared)}", hint="see `hfkg queries`")
        missing = [p.name for p in saved.params if p.required and p.name not in given]
        if missing:
            p = declared[missing[0]]
            raise QueryError(f"query {saved.name} needs --param {p.name}=VALUE ({p.type}: {p.description})",
                             hint="see `hfkg queries` for every parameter")
    out: dict[str, Any] = {}
    for name, value in given.items():
        if not re.fullmatch(r"[^\W\d]\w*", name):
            raise QueryError(f"{name!r} is not a SPARQL variable name", hint="use --param NAME=VALUE")
        native = _native(value)
        if isinstance(native, pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode):
            out[name] = native
            continue
        ptype = declared[name].type if name in declared else _guess_type(value)
        try:
            out[name] = _typed(ptype, value, prefixes)
        except ValueError as exc:
            raise QueryError(f"parameter {name}={str(value)!r} is not a valid {ptype} ({exc})",
                             hint="iri: https://... or prefix:name; decimal: 12.5; integer: 3; "
                                  "langString@zh: 失独家庭") from None
    return out


# --------------------------------------------------------------------------- running


def _syntax_error(saved: SavedQuery, exc: BaseException | str) -> QueryError:
    text = str(exc)
    match = _SYNTAX.match(text)
    where = f" in {saved.path or saved.name}" if saved.name != "query" else ""
    if match:
        line, col, what = match.groups()
        return QueryError(f"malformed SPARQL{where} at line {line}, column {col}: {what.strip()}",
                          hint="fix the query text at that position")
    return QueryError(f"malformed SPARQL{where}: {text}", hint="fix the query text")


def check_syntax(saved: SavedQuery) -> None:
    """Parse the query with pyoxigraph (on an empty in-memory store) to report errors with line and column."""
    import pyoxigraph

    try:
        result = pyoxigraph.Store().query(saved.text)
        if not isinstance(result, pyoxigraph.QueryBoolean):
            next(iter(result), None)
    except SyntaxError as exc:
        raise _syntax_error(saved, exc) from None


# Stores whose handle is still used by an abandoned (timed-out) query thread, by folder: reused by the next
# query in this process, because a second read-write open of the same folder would fail on the lock.
_LINGERING: dict[str, tuple[Any, threading.Thread]] = {}


def _store_handle(store: Any, read_only: bool) -> tuple[Any, str | None]:
    import pyoxigraph

    from hfkg.graph.store import open_store

    if isinstance(store, pyoxigraph.Store):
        return store, None
    key = str(Path(store).resolve())
    held = _LINGERING.get(key)
    if held is not None:
        if held[1].is_alive():
            return held[0], key
        del _LINGERING[key]
    return open_store(store, read_only=read_only), key


def _run_with_timeout(fn: Any, timeout: float | None, what: str,
                      on_abandon: Any = None) -> Any:
    """Run ``fn`` in a worker thread (pyoxigraph releases the GIL) and give up after ``timeout`` seconds."""
    if timeout is None:
        return fn()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=work, name="hfkg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        if on_abandon is not None:
            on_abandon(worker)
        raise QueryError(f"{what} took longer than {timeout:g} s and was abandoned",
                         hint="narrow the query (add parameters, LIMIT) or raise --timeout")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _to_rdflib(term: Any) -> Any:
    import pyoxigraph
    from rdflib.term import BNode, URIRef
    from rdflib.term import Literal as RLiteral

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return RLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        return RLiteral(term.value) if datatype == XSD + "string" else RLiteral(term.value, datatype=URIRef(datatype))
    return RLiteral(str(term))  # an RDF 1.2 triple term: shown as its N-Triples text


def _result_from_local(form: str, raw: Any) -> Result:
    from rdflib import Graph
    from rdflib.query import Result
    from rdflib.term import Variable

    result = Result(form)
    if form == "ASK":
        result.askAnswer = bool(raw)
    elif form == "SELECT":
        variables, rows = raw
        result.vars = [Variable(v) for v in variables]
        result.bindings = [{Variable(k): _to_rdflib(v) for k, v in row.items() if v is not None} for row in rows]
    else:
        graph = Graph()
        for triple in raw:
            graph.add((_to_rdflib(triple.subject), _to_rdflib(triple.predicate), _to_rdflib(triple.object)))
        result.graph = graph
    return result


def _execute(handle: Any, text: str, form: str, union: bool, subs: dict[Any, Any]) -> tuple[str, Any]:
    """Run one query on a store; ``("ok", raw)`` or ``(error kind, message)``, never an exception.

    Errors come back as text so that no traceback keeps a frame holding the store (and its lock) alive.
    """
    try:
        raw = handle.query(text, use_default_graph_as_union=union, substitutions=subs or None)
        if form == "ASK":
            return "ok", bool(raw)
        if form == "SELECT":
            names = [v.value for v in raw.variables]
            return "ok", (names, [{n: sol[n] for n in names} for sol in raw])
        return "ok", list(raw)
    except SyntaxError as exc:
        return "syntax", str(exc)
    except (RuntimeError, OSError, ValueError, TypeError) as exc:
        return "failed", str(exc)


def _run_local(store: Any, saved: SavedQuery, form: str, bindings: dict[str, Any], read_only: bool,
               timeout: float | None) -> Result:
    import pyoxigraph

    from hfkg.graph.store import has_union

    handle, key = _store_handle(store, read_only)
    union = not has_union(handle)
    subs = {pyoxigraph.Variable(k): v for k, v in bindings.items()}
    holder = [handle]
    del handle

    def abandon(worker: threading.Thread) -> None:
        if key is not None:
            _LINGERING[key] = (holder[0], worker)

    def run() -> tuple[str, Any]:
        return _execute(holder[0], saved.text, form, union, subs)

    try:
        kind, value = _run_with_timeout(run, timeout, f"query {saved.name}", abandon)
    finally:
        holder.clear()  # drop this frame's reference to the store before any error propagates
    if kind == "ok":
        return _result_from_local(form, value)
    if kind == "syntax":
        raise _syntax_error(saved, value)
    if "projection" in value:
        raise QueryError(f"query {saved.name}: {value}; a parameter must be a variable of the SELECT clause",
                         hint="add the variable to the SELECT list, or drop the --param")
    raise QueryError(f"query {saved.name} failed: {value}")


def query(sparql_or_name: str | SavedQuery, store: Any = None, endpoint: str | None = None,
          params: dict[str, Any] | None = None, *, out: str | None = None, read_only: bool = False,
          timeout: float | None = DEFAULT_TIMEOUT, allow_service: bool = False, auth: Any = None) -> Result:
    """Run a query and return an rdflib-compatible :class:`~rdflib.query.Result`.

    ``sparql_or_name`` is inline SPARQL, a ``.rq`` path or a saved query's name.  It runs against
    ``endpoint`` (a SPARQL 1.1 query URL) when given, else the embedded store: ``store`` (a folder or an open
    ``pyoxigraph.Store``), or ``OUT/store`` (``OUT`` defaults to ``./hfkg-out``).  ``params`` maps
    parameter names to values (strings are converted to the declared type; rdflib or pyoxigraph terms are
    used as they are).  SERVICE clauses are refused unless ``allow_service``.  Raises
    :class:`~hfkg.errors.QueryError`, :class:`~hfkg.errors.StoreError` or :class:`~hfkg.errors.EndpointError`.
    """
    from hfkg.graph.store import store_path

    saved = resolve(sparql_or_name)
    form = query_form(saved.text)
    if uses_service(saved.text) and not allow_service:
        raise QueryError("the query uses SERVICE, which would contact another server",
                         hint="pass --allow-service (allow_service=True) if you mean it")
    bindings = bind_params(saved, params)
    if endpoint is not None:
        from hfkg.graph.endpoint import Endpoint

        if not allow_service:
            check_syntax(saved)
        return Endpoint(endpoint, auth=auth, timeout=timeout).query(with_values(saved.text, bindings), form)
    if store is None:
        store = store_path(out)
    return _run_local(store, saved, form, bindings, read_only, timeout)


# --------------------------------------------------------------------------- output


def _display(term: Any, prefixes: dict[str, str]) -> str:
    from rdflib.term import URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        best = max((ns for ns in prefixes.values() if text.startswith(ns)), key=len, default=None)
        if best is not None:
            short = next(p for p, ns in prefixes.items() if ns == best)
            local = text[len(best):]
            if re.fullmatch(r"[\w.\-]*", local):
                return f"{short}:{local}"
        return text
    return str(term)


def _cell(text: str, width: int = 60) -> str:
    from wcwidth import wcswidth

    from hfkg.textutil import strip_controls

    text = strip_controls(text.replace("\n", " ").replace("\t", " "))
    if wcswidth(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = max(wcswidth(ch), 0)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def _pad(text: str, width: int) -> str:
    from wcwidth import wcswidth

    return text + " " * (width - max(wcswidth(text), 0))


def _table(result: Result, prefixes: dict[str, str]) -> str:
    from wcwidth import wcswidth

    names = [str(v) for v in result.vars or []]
    rows = [[_cell(_display(row.get(v), prefixes)) for v in result.vars or []] for row in result.bindings]
    widths = [max([wcswidth(n)] + [wcswidth(r[i]) for r in rows]) for i, n in enumerate(names)]
    lines = [" | ".join(_pad(n, w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _json_term(term: Any) -> dict[str, str]:
    from rdflib.term import BNode, URIRef

    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                              "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                              "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def _csv_cell(term: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula (=, +, -, @) gets a leading apostrophe."""
    if term is None:
        return ""
    text = str(term)
    if str(getattr(term, "datatype", "") or "") in _NUMERIC:
        return text
    return "'" + text if text.startswith(_FORMULA_START) else text


def format_result(result: Result, fmt: str = "table", prefixes: dict[str, str] | None = None) -> str:
    """SELECT/ASK results as ``table`` (aligned for CJK), ``csv``, ``tsv`` or ``json``; graphs as Turtle.

    CSV cells that a spreadsheet would run as formulas are prefixed with an apostrophe (typed numbers are not).
    """
    import csv
    import io

    prefixes = prefixes or {}
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        for p, ns in prefixes.items():
            graph.bind(p, ns, override=True)
        return graph.serialize(format="turtle")
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}) + "\n"
        return ("true" if result.askAnswer else "false") + "\n"
    names = [str(v) for v in result.vars or []]
    if fmt == "table":
        return _table(result, prefixes)
    if fmt == "json":
        body = {"head": {"vars": names},
                "results": {"bindings": [{str(k): _json_term(v) for k, v in b.items()} for b in result.bindings]}}
        return json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        for b in result.bindings:
            writer.writerow([_csv_cell(b.get(v)) for v in result.vars or []])
        return buf.getvalue()
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if b.get(v) is None else b.get(v).n3() for v in result.vars or [])
              for b in result.bindings]
    return "\n".join(lines) + "\n"


def describe_queries() -> str:
    """``hfkg queries``: every saved query with its title, description and parameters."""
    blocks = []
    for sq in saved_queries().values():
        lines = [f"{sq.name}: {sq.title}", f"    {sq.description}"] if sq.description else [f"{sq.name}: {sq.title}"]
        for p in sq.params:
            optional = "" if p.required else ", optional"
            lines.append(f"    --param {p.name}=VALUE  ({p.type}{optional}) {p.description}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def render(sparql_or_name: str, fmt: str = "table", **kwargs: Any) -> str:
    """Run :func:`query` and format its result for a terminal or a file (``hfkg query``)."""
    saved = resolve(sparql_or_name)
    result = query(saved, **kwargs)
    return format_result(result, fmt, declared_prefixes(saved.text))
