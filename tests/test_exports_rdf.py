"""RDF dumps: every format round-trips through rdflib and pyoxigraph; Turtle and TriG bytes are stable."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdf_helpers import assert_isomorphic, assert_same_dataset, union
from rdflib import Dataset, Graph, Literal, URIRef

from hfkg.builders import build
from hfkg.cli import cli
from hfkg.errors import ExportError
from hfkg.exports.rdf import FORMATS, export, jsonld_context

RECORDS = Path(__file__).parent / "data" / "records"
RDFLIB_FORMAT = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld"}
OX_FORMAT = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
             "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return build([str(RECORDS)], out=tmp_path_factory.mktemp("exp"), validate=False)


def from_ox(data: bytes, fmt: str) -> Dataset:
    ds = Dataset()
    for q in ox.parse(data, format=OX_FORMAT[fmt]):
        def term(t):  # type: ignore[no-untyped-def]
            if isinstance(t, ox.NamedNode):
                return URIRef(t.value)
            if t.language:
                return Literal(t.value, lang=t.language)
            return Literal(t.value, datatype=URIRef(t.datatype.value))
        graph = ds.default_graph if isinstance(q.graph_name, ox.DefaultGraph) else ds.graph(URIRef(q.graph_name.value))
        graph.add((term(q.subject), term(q.predicate), term(q.object)))
    return ds


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_round_trips(built, fmt: str) -> None:  # type: ignore[no-untyped-def]
    data, path = export(fmt, built.out_dir)
    assert path is None and data
    with_rdflib = Dataset()
    with_rdflib.parse(data=data.decode("utf-8"), format=RDFLIB_FORMAT[fmt])
    with_ox = from_ox(data, fmt)
    if fmt in ("turtle", "ntriples"):  # the union of the named graphs
        assert_isomorphic(union(with_rdflib), union(built.dataset))
        assert_isomorphic(union(with_ox), union(built.dataset))
    else:
        assert_same_dataset(with_rdflib, built.dataset)
        assert_same_dataset(with_ox, built.dataset)


def test_dumps_are_pretty_and_stable(built) -> None:  # type: ignore[no-untyped-def]
    ttl = (built.out_dir / "graph.ttl").read_text(encoding="utf-8")
    prefixes = [line for line in ttl.splitlines() if line.startswith("@prefix")]
    assert prefixes == sorted(prefixes)
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in prefixes
    assert "ini:nuan-xin-ji-hua-" in ttl  # prefixed names, not full IRIs
    again, _ = export("turtle", built.out_dir)
    assert again == (built.out_dir / "graph.ttl").read_bytes()
    trig_again, _ = export("trig", built.out_dir)
    assert trig_again == (built.out_dir / "graph.trig").read_bytes()


def test_jsonld_carries_the_shipped_context(built) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(export("jsonld", built.out_dir)[0])
    assert doc["@context"] == jsonld_context()
    assert doc["@context"]["hfkg"] == "https://w3id.org/hfkg/ont#"


def test_export_to_file_and_errors(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    res = runner.invoke(cli, ["export", "nquads", "--out", str(built.out_dir), "-o", str(tmp_path / "g.nq")])
    assert res.exit_code == 0, res.output
    assert len(Dataset().parse(tmp_path / "g.nq", format="nquads")) > 0
    res = runner.invoke(cli, ["export", "turtle", "--out", str(built.out_dir)])
    assert res.exit_code == 0 and res.stdout_bytes == (built.out_dir / "graph.ttl").read_bytes()
    res = runner.invoke(cli, ["export", "rdfxml", "--out", str(built.out_dir)])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["export", "trig", "--out", str(tmp_path / "nothing")])
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1
    with pytest.raises(ExportError, match="unknown format"):
        export("yaml", built.out_dir)
    assert len(Graph().parse(data=(built.out_dir / "graph.ttl").read_text(encoding="utf-8"), format="turtle")) > 0


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_controls_from_documents_are_escaped_losslessly(fmt: str) -> None:
    from hfkg.exports.rdf import serialize

    nasty = "a\x1b[2Jb\u202eevil\u202c\x9bc"
    quad = ox.Quad(ox.NamedNode("http://e.org/s"), ox.NamedNode("http://e.org/p"), ox.Literal(nasty),
                   ox.NamedNode("http://e.org/g"))
    data = serialize([quad], fmt, {"e": "http://e.org/"})
    assert not any(ch in data.decode("utf-8") for ch in "\x1b\u202e\u202c\x9b")
    (back,) = list(ox.parse(data, format=OX_FORMAT[fmt]))
    assert back.object.value == nasty
    ds = Dataset()
    ds.parse(data=data.decode("utf-8"), format=RDFLIB_FORMAT[fmt])
    assert [str(o) for o in union(ds).objects()] == [nasty]
