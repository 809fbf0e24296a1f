"""The ``hfkg`` command line: one thin click command per library function.

Each command parses its options, calls one function of the library and prints
the result.  :class:`~hfkg.errors.HfkgError` becomes ``Error: <message>`` plus a
hint on stderr and exit status 1; usage mistakes exit with status 2.
Nothing imports this module.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from hfkg import __version__
from hfkg.errors import HfkgError


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
            msg = _clean_terminal(exc.message)
            hint = f" ({exc.hint})" if exc.hint else ""
            click.echo(f"Error: {msg}{hint}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


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
            click.echo(line, nl=False)
        else:
            click.echo(line, err=True)


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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="hfkg")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
