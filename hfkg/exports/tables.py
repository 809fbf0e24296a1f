"""CSV tables of the built graph for spreadsheets and statistics packages: programs, benefits, agencies.

Each table is one SPARQL query (``exports/queries/<table>.rq``) run by pyoxigraph over the union of the
build's named graphs (``graph.trig``).  Rows keep the query's total ORDER BY, multi-valued cells are ``|``-joined in sorted order,
and a cell that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``) is neutralised, so
the same graph always gives the same bytes and opening the file runs nothing.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path
from typing import Any

from hfkg._io import write_bytes
from hfkg.errors import ExportError
from hfkg.exports.gephi import safe_cell

#: ``hfkg export`` format -> query name
TABLES = {"programs-csv": "programs", "benefits-csv": "benefits", "agencies-csv": "agencies"}


def _query(name: str) -> str:
    return (resources.files("hfkg.exports") / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def _store(out_dir: Path) -> Any:
    import pyoxigraph as ox

    from hfkg.exports.rdf import read_quads

    store = ox.Store()
    store.bulk_extend(read_quads(out_dir / "graph.trig"))
    return store


def _cell(term: Any) -> str:
    if term is None:
        return ""
    value = str(term.value)
    if "|" in value:
        value = "|".join(sorted(set(value.split("|"))))
    return str(safe_cell(value))


def table_rows(store: Any, name: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one table, from a pyoxigraph store holding a build."""
    result = store.query(_query(name), use_default_graph_as_union=True)
    header = [v.value for v in result.variables]
    rows = dict.fromkeys(tuple(_cell(row[h]) for h in header) for row in result)  # query order, no repeats
    return header, [list(r) for r in rows]


def render(name: str, store: Any) -> bytes:
    """One table as UTF-8 CSV (with a BOM-free header line and LF line ends)."""
    header, rows = table_rows(store, name)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def export(fmt: str, out_dir: str | Path, dest: str | Path | None = None) -> tuple[bytes, Path | None]:
    """Write the ``fmt`` table of the build in ``out_dir`` to ``dest`` (stdout when ``-`` or None)."""
    if fmt not in TABLES:
        raise ExportError(f"unknown table {fmt!r}", hint=f"use one of {', '.join(sorted(TABLES))}")
    data = render(TABLES[fmt], _store(Path(out_dir)))
    if dest is None or str(dest) == "-":
        return data, None
    path = Path(dest)
    write_bytes(path, data)
    return data, path
