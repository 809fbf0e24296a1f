"""Exports: RDF dumps (:mod:`~hfkg.exports.rdf`), similarity maps (:mod:`~hfkg.exports.maps`), the
similarity graph for Gephi and other tools (:mod:`~hfkg.exports.gephi`) and CSV tables
(:mod:`~hfkg.exports.tables`).

:data:`EXPORTERS` maps every ``hfkg export`` format to its module; :func:`export` dispatches.
Modules load lazily.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from hfkg.errors import ExportError

#: format name -> module whose ``export(fmt, out_dir, dest)`` returns ``(bytes, path or None)``
EXPORTERS: dict[str, str] = {
    **{fmt: "hfkg.exports.rdf" for fmt in ("jsonld", "nquads", "ntriples", "trig", "turtle")},
    **{fmt: "hfkg.exports.gephi" for fmt in ("edges-csv", "gexf", "graphml")},
    **{fmt: "hfkg.exports.tables" for fmt in ("agencies-csv", "benefits-csv", "programs-csv")},
}


def export(fmt: str, out_dir: str | Path, dest: str | Path | None = None) -> tuple[bytes, Path | None]:
    """Export the build in ``out_dir`` as ``fmt``; write to ``dest`` unless it is None or ``-``."""
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(sorted(EXPORTERS))}")
    result: tuple[bytes, Path | None] = import_module(EXPORTERS[fmt]).export(fmt, out_dir, dest)
    return result
