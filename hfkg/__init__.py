"""hfkg: a knowledge graph of Chinese family-policy initiatives and actors.

The pipeline runs one way: ``extract`` (text to extraction records) ->
``builders`` (records to RDF) -> ``graph`` (store, SPARQL, similarity) ->
``exports`` (dumps, maps, tables).  The public Python API re-exports the one
function of each stage that a user needs; heavy modules load lazily.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["HfkgError", "__version__", "build", "extract", "query"]

from hfkg.errors import HfkgError


def extract(source: Any, **kwargs: Any) -> Any:
    """Records from a path, a folder, a list of paths or bytes; see :func:`hfkg.extract.pipeline.extract_source`."""
    from hfkg.extract.pipeline import extract_source

    return extract_source(source, **kwargs)


def build(sources: Any = None, out: Any = None, base: str | None = None, curation: Any = None,
          **kwargs: Any) -> Any:
    """Build the graph (writes ``out``, default ./hfkg-out); a BuildResult. See :func:`hfkg.builders.build`."""
    from hfkg.builders import build as run_build

    return run_build(sources, out=out, base=base, curation=curation, **kwargs)


def query(sparql_or_name: str, **kwargs: Any) -> Any:
    """Run SPARQL (inline, a .rq file or a saved query name); rdflib-like rows. See :func:`hfkg.graph.sparql.query`."""
    from hfkg.graph.sparql import query as run_query

    return run_query(sparql_or_name, **kwargs)
