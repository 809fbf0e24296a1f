"""Regenerate hfkg/ontology/family-types.ttl (from the family-type TSV) and hfkg/ontology/namespace.py.

Usage: python tools/gen_namespace.py [--check]
With --check nothing is written; the exit status is 1 when a generated file is out of step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hfkg._io import write_text
from hfkg.errors import HfkgError
from hfkg.ontology.generate import family_types_turtle, namespace_source
from hfkg.ontology.resources import FAMILY_TYPES_TSV, parse_family_types

PACKAGE = Path(__file__).resolve().parent.parent / "hfkg"
FAMILY_TTL = PACKAGE / "ontology" / "family-types.ttl"
NAMESPACE_PY = PACKAGE / "ontology" / "namespace.py"


def generated() -> dict[Path, str]:
    """The text every generated file should have, computed from the checked-out sources."""
    from rdflib import Graph

    tsv = PACKAGE.joinpath(*FAMILY_TYPES_TSV)
    family_ttl = family_types_turtle(parse_family_types(tsv.read_text(encoding="utf-8"), str(tsv)))
    ontology = Graph().parse(PACKAGE / "ontology" / "hfkg.ttl", format="turtle")
    vocab = Graph().parse(PACKAGE / "ontology" / "vocab.ttl", format="turtle")
    vocab.parse(data=family_ttl, format="turtle")
    return {FAMILY_TTL: family_ttl, NAMESPACE_PY: namespace_source(ontology, vocab)}


def main(argv: list[str]) -> int:
    try:
        files = generated()
    except HfkgError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"out of step: {path.relative_to(PACKAGE.parent)}")
        return 1 if stale else 0
    for path in stale:
        write_text(path, files[path])
        print(f"wrote {path.relative_to(PACKAGE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
