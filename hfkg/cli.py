"""The ``hfkg`` command line: one thin click command per library function.

Each command parses its options, calls one function of the library and prints
the result.  :class:`~hfkg.errors.HfkgError` becomes ``Error: <message>`` plus a
hint on stderr and exit status 1; usage mistakes exit with status 2.
Nothing imports this module.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from hfkg import __version__
from hfkg.errors import HfkgError
from hfkg.exports import EXPORTERS


def _clean_terminal(text: str) -> str:
    """Strip control and bidi-override characters so a document cannot rewrite the user's screen."""
    from hfkg.textutil import strip_controls

    return strip_controls(text)


class HfkgGroup(click.Group):
    """A click group that turns :class:`HfkgError` into a one-line message and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HfkgError as exc:
            hint = f" ({_one_line(exc.hint)})" if exc.hint else ""
            click.echo(f"Error: {_one_line(exc.message)}{hint}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # e.g. -o a named pipe whose reader went away
            click.echo("Error: the output was closed before hfkg finished writing (broken pipe)", err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug: still one line, no traceback unless asked for
            if os.environ.get("HFKG_DEBUG"):
                raise
            click.echo(f"Error: internal error, {type(exc).__name__}: {_one_line(str(exc))[:300]} (this is a bug "
                       "in hfkg: rerun with HFKG_DEBUG=1 to see the traceback, and report it)", err=True)
            ctx.exit(1)


def _one_line(text: str) -> str:
    """A message on one terminal line: control characters removed, line breaks and runs of spaces folded."""
    return " ".join(_clean_terminal(text.replace("\r", " ").replace("\n", " ")).split())


@click.group(cls=HfkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hfkg")
def cli() -> None:
    """hfkg: a knowledge graph of Chinese family-policy initiatives and actors.

    Extract regions, agencies, programs, family types, people, benefits and
    relations from Chinese report text, build an RDF graph with span-level
    provenance, query it with SPARQL, and draw similarity maps.
    """


def echo_clean(text: str, err: bool = False) -> None:
    """Print text from documents with control characters removed."""
    click.echo(_clean_terminal(text), err=err)


# --------------------------------------------------------------------------- extract


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("-o", "--out", "out", default="-", show_default=True,
              help="Folder for one JSON file per document, or - for standard output.")
@click.option("--encoding", default=None, help="Source encoding (default: detect).")
def extract(sources: tuple[str, ...], out: str, encoding: str | None) -> None:
    """Extract records from SOURCES (.txt files, folders of them, or - for stdin)."""
    from hfkg.extract.pipeline import extract_to

    for line in extract_to(list(sources), out, encoding=encoding):
        if out == "-":
            click.echo(line, nl=False)  # JSON: controls already written as \u escapes
        else:
            echo_clean(line, err=True)


@cli.command()
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=None,
              help="Copy the sample report(s) into this folder instead of printing their paths.")
def sample(out: Path | None) -> None:
    """Print the path of the sample report shipped with hfkg (or copy it with -o)."""
    from hfkg.extract.reader import copy_samples, sample_paths

    for path in copy_samples(out) if out else sample_paths():
        click.echo(str(path))


# --------------------------------------------------------------------------- evaluate


@cli.command()
@click.option("--gold", "gold", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Gold annotation in the hfkg-extraction/1 format.")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.option("--show-errors", is_flag=True, help="List every false positive and false negative.")
@click.option("--encoding", default=None, help="Source encoding when SOURCE is a text (default: detect).")
def evaluate(gold: Path, source: str, as_json: bool, show_errors: bool, encoding: str | None) -> None:
    """Score SOURCE (a text, extracted first, or an extraction JSON) against GOLD."""
    from hfkg.extract.evaluate import evaluate_source, format_report

    result = evaluate_source(gold, source, encoding=encoding)
    if as_json:
        import json

        click.echo(json.dumps(result.scores, ensure_ascii=False, indent=1))
    else:
        echo_clean(format_report(result, show_errors=show_errors))


# --------------------------------------------------------------------------- sparql


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        out[name.strip()] = value
    return out


def _read_query(text: str) -> str:
    return click.get_text_stream("stdin").read() if text == "-" else text


@cli.command("query")
@click.argument("query_text", metavar="QUERY")
@click.option("--store", "store", default=None, help="Store folder (default: OUT/store).")
@click.option("--out", "out", default=None, help="Build folder whose store to query (default: ./hfkg-out).")
@click.option("--endpoint", default=None, help="Query this SPARQL 1.1 endpoint instead of the local store.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind a query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="Output format of SELECT/ASK results (graphs print as Turtle).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Give up after this many seconds.")
@click.option("--read-only", is_flag=True, help="Open the store read-only (while a build holds it).")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE clauses (federated queries).")
def query_command(query_text: str, store: str | None, out: str | None, endpoint: str | None,
                  params: tuple[str, ...], fmt: str, timeout: float, read_only: bool, allow_service: bool) -> None:
    """Run QUERY: inline SPARQL, a .rq file, a saved query's name (see `hfkg queries`), or - for stdin."""
    from hfkg.graph.sparql import render

    if endpoint and (store or out):
        raise click.UsageError("give either --endpoint or --store/--out, not both")
    text = render(_read_query(query_text), fmt, store=store, out=out, endpoint=endpoint, params=_params(params),
                  timeout=timeout if timeout > 0 else None, read_only=read_only, allow_service=allow_service)
    echo_clean(text.rstrip("\n"))


@cli.command("queries")
def queries_command() -> None:
    """List the saved queries with their parameters."""
    from hfkg.graph.sparql import describe_queries

    echo_clean(describe_queries().rstrip("\n"))


@cli.command("serve")
@click.option("--store", "store", default=None, help="Store folder (default: OUT/store).")
@click.option("--out", "out", default=None, help="Build folder whose store to serve (default: ./hfkg-out).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0: any free).")
@click.option("--timeout", type=click.IntRange(1, None), default=30, show_default=True,
              help="Query timeout in seconds.")
@click.option("--max-rows", type=click.IntRange(1, None), default=10000, show_default=True,
              help="Result cap: rows (or triples) per answer.")
def serve_command(store: str | None, out: str | None, host: str, port: int, timeout: int, max_rows: int) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint (Oxigraph server) until Ctrl-C."""
    from hfkg.graph.serve import LOOPBACK, serve
    from hfkg.graph.store import store_path

    def ready(server: Any) -> None:
        click.echo(f"SPARQL endpoint: {server.query_url}  (query page: {server.base_url}/)", err=True)
        if host not in LOOPBACK:
            click.echo(f"Warning: listening on {host}, reachable from other machines.", err=True)
        click.echo(f"Read-only; answers capped at {max_rows} rows, queries at {timeout} s. Press Ctrl-C to stop.",
                   err=True)

    serve(store_path(out, store), host, port, timeout, on_ready=ready, max_rows=max_rows)
    click.echo("Stopped.", err=True)


@cli.command("push")
@click.option("--endpoint", required=True, help="The server's SPARQL query URL (e.g. http://127.0.0.1:7878/query).")
@click.option("--graph-store", default=None, help="Graph Store Protocol URL (default: guessed from --endpoint).")
@click.option("--store", "store", default=None, help="Store folder (default: OUT/store).")
@click.option("--out", "out", default=None, help="Build folder whose store to push (default: ./hfkg-out).")
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds to wait for each upload.")
def push_command(endpoint: str, graph_store: str | None, store: str | None, out: str | None, timeout: float) -> None:
    """Upload every named graph to a SPARQL server (one PUT per graph: a second push replaces).

    Credentials come from HFKG_TOKEN, or HFKG_USER and HFKG_PASSWORD.
    """
    from hfkg.graph.endpoint import push

    report = push(endpoint, graph_store=graph_store, out=out, store=store, timeout=timeout)
    click.echo(f"Pushed {report.graphs} graphs ({report.triples} triples) to {report.graph_store}", err=True)


# --------------------------------------------------------------------------- build


@cli.command("build")
@click.argument("sources", nargs=-1)
@click.option("--out", "out", default="hfkg-out", show_default=True, help="Output folder.")
@click.option("--base", default=None, help="IRI base of the data (default: $HFKG_BASE or https://example.org/hfkg/).")
@click.option("--curation", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Curation file (YAML) applied after extraction.")
@click.option("--stamp", is_flag=True, help="Record the run's start time in the meta graph.")
@click.option("--license", "license_iri", default=None, help="IRI of the dataset's licence (dct:license).")
@click.option("--update-registry", is_flag=True, help="Add newly minted IRI slugs to the committed registry.")
@click.option("--encoding", default=None, help="Source encoding of .txt files (default: detect).")
@click.option("--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Extract documents in this many processes (0: all cores); the output is the same.")
@click.option("--validate/--no-validate", "validate", default=None,
              help="Run the SHACL check (default: when the graph has at most 200,000 triples).")
def build_command(sources: tuple[str, ...], out: str, base: str | None, curation: Path | None, stamp: bool,
                  license_iri: str | None, update_registry: bool, encoding: str | None, jobs: int,
                  validate: bool | None) -> None:
    """Build the knowledge graph from SOURCES (.txt, extraction .json, folders; none: the bundled sample)."""
    from hfkg.builders import build

    result = build(list(sources), out=out, base=base, curation=curation, stamp=stamp, license=license_iri,
                   update_registry=update_registry, encoding=encoding, validate=validate, jobs=jobs)
    for warning in result.warnings:
        echo_clean(f"Warning: {warning}", err=True)
    echo_clean(result.summary_text())


@cli.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", default="hfkg-out", show_default=True, help="Build folder (validates OUT/graph.trig).")
def validate_command(file: Path | None, out: str) -> None:
    """Check FILE (or OUT/graph.trig) against the shipped SHACL shapes; exit 1 when it does not conform."""
    from hfkg.builders import validate_output
    from hfkg.errors import ValidationError

    result = validate_output(file, out=out)
    echo_clean(result.text)
    if not result.conforms:
        raise ValidationError(f"the data does not conform to the shapes ({result.violations} violations)",
                              hint="see the report above")


@cli.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(EXPORTERS)))
@click.option("--out", "out", default="hfkg-out", show_default=True, help="Build folder to export.")
@click.option("-o", "--output", "output", default="-", show_default=True, help="File to write, or - for stdout.")
def export_command(fmt: str, out: str, output: str) -> None:
    """Write the built graph as FORMAT (turtle and ntriples: the union of all graphs).

    graphml, gexf and edges-csv write the program similarity graph (for Gephi and other tools);
    programs-csv, benefits-csv and agencies-csv write tables for spreadsheets.
    """
    from hfkg.exports import export

    data, path = export(fmt, out, output)
    if path is None:
        click.get_binary_stream("stdout").write(data)
    else:
        echo_clean(f"Wrote {path} ({len(data)} bytes)", err=True)


# --------------------------------------------------------------------------- maps


@cli.command("map")
@click.option("--out", "out", default="hfkg-out", show_default=True,
              help="Build folder to read (its graph.trig); the map is written there unless -o is given.")
@click.option("--level", type=click.Choice(["program", "region"]), default="program", show_default=True,
              help="Draw programs, or regions linked by their similar programs.")
@click.option("--min-score", type=click.FloatRange(0.0, 1.0), default=0.3, show_default=True,
              help="Keep links scoring at least this much.")
@click.option("--top-k", type=click.IntRange(min=1), default=10, show_default=True,
              help="Links kept per program (its most similar partners).")
@click.option("--within-region", is_flag=True, help="Also link programs of the same region.")
@click.option("--region", "regions", multiple=True, help="Only programs of this region (name, code or IRI); repeatable.")
@click.option("--family-type", "family_types", multiple=True,
              help="Only programs for this family type or a narrower one (name, slug or IRI); repeatable.")
@click.option("-o", "--output", "output", default=None, help="HTML file to write (default OUT/map.html or OUT/regions.html).")
def map_command(out: str, level: str, min_score: float, top_k: int, within_region: bool,
                regions: tuple[str, ...], family_types: tuple[str, ...], output: str | None) -> None:
    """Draw the cross-region program similarity map as one offline HTML file."""
    from hfkg.exports.maps import make_map

    result = make_map(out, output, level=level, regions=regions, family_types=family_types, top_k=top_k,
                      min_score=min_score, within_region=within_region)
    echo_clean(f"Wrote {result.path}: {result.message}", err=True)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="hfkg")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
