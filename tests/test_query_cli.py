"""``hfkg query`` and ``hfkg queries`` on the command line: formats, Chinese alignment, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

from hfkg.cli import cli
from hfkg.graph import sparql
from hfkg.graph.store import load_dataset

DATA = Path(__file__).parent / "data" / "mini.trig"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    load_dataset(folder / "store", DATA)
    return folder


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_queries_lists_every_saved_query_with_parameters() -> None:
    code, stdout, _ = _run("queries")
    assert code == 0
    for name, sq in sparql.saved_queries().items():
        assert f"{name}: {sq.title}" in stdout
        for p in sq.params:
            assert f"--param {p.name}=VALUE" in stdout


def test_table_aligns_chinese_columns(out: Path) -> None:
    code, stdout, _ = _run("query", "co-leading-agencies", "--out", str(out))
    assert code == 0
    lines = stdout.splitlines()
    header, rule, rows = lines[0], lines[1], lines[2:-1]
    assert lines[-1] == f"({len(rows)} rows)" and rows
    assert any(ord(ch) > 0x2E80 for ch in "".join(rows))
    # every " | " separator sits at the same display column as the rule's "-+-" junctions
    junctions = [i for i in range(len(rule)) if rule[i] == "+"]

    def columns(line: str) -> list[int]:
        return [wcswidth(line[:i]) + 1 for i in range(len(line)) if line.startswith(" | ", i)]

    for line in [header, *rows]:
        assert columns(line) == junctions[: len(columns(line))]
        assert len(columns(line)) == len(junctions)


def test_csv_tsv_json_formats(out: Path) -> None:
    args = ("query", "programs-for-family-type", "--out", str(out), "--param", "familyType=ft:fp-family")
    code, stdout, _ = _run(*args, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert rows and rows[0]["familyType"] == "https://w3id.org/hfkg/vocab/family-type/fp-family"
    code, stdout, _ = _run(*args, "--format", "json")
    body = json.loads(stdout)
    assert body["head"]["vars"][0] == "familyType"
    assert len(body["results"]["bindings"]) == len(rows)
    assert any(b["program"].get("xml:lang") == "zh" for b in body["results"]["bindings"])
    code, stdout, _ = _run(*args, "--format", "tsv")
    lines = stdout.splitlines()
    assert lines[0].split("\t")[0] == "?familyType"
    assert len(lines) == len(rows) + 1 and '"@zh' in stdout


def test_ask_and_construct(out: Path) -> None:
    code, stdout, _ = _run("query", "ASK { ?s a <https://schema.org/Person> }", "--out", str(out))
    assert (code, stdout.strip()) == (0, "true")
    code, stdout, _ = _run("query", "PREFIX schema: <https://schema.org/> "
                           "CONSTRUCT { ?p schema:jobTitle ?t } WHERE { ?p schema:jobTitle ?t }", "--out", str(out))
    assert code == 0
    from rdflib import Graph

    graph = Graph().parse(data=stdout, format="turtle")
    assert len(graph) >= 2


def test_query_from_stdin_and_rq_file(out: Path, tmp_path: Path) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    result = CliRunner().invoke(cli, ["query", "-", "--out", str(out), "--format", "csv"], input=text)
    assert result.exit_code == 0 and int(result.stdout.splitlines()[1]) > 100
    path = tmp_path / "n.rq"
    path.write_text(text, encoding="utf-8")
    code, stdout, _ = _run("query", str(path), "--out", str(out), "--format", "csv")
    assert code == 0 and stdout == result.stdout


def test_control_characters_are_stripped(tmp_path: Path) -> None:
    trig = tmp_path / "evil.trig"
    trig.write_text('<https://example.org/g> { <https://example.org/s> <http://www.w3.org/2004/02/skos/core#prefLabel>'
                    ' "名\\u001b[2J字\\u202e" . }', encoding="utf-8")
    load_dataset(tmp_path / "store", trig)
    code, stdout, _ = _run("query", "SELECT ?l WHERE { ?s ?p ?l }", "--store", str(tmp_path / "store"))
    assert code == 0 and "名[2J字" in stdout
    assert "\x1b" not in stdout and "\u202e" not in stdout


@pytest.mark.parametrize(("args", "message"), [
    (("query", "nope"), "Error: no saved query named 'nope'; saved queries: "),
    (("query", "programs-for-family-type"), "Error: query programs-for-family-type needs --param familyType"),
    (("query", "programs-for-family-type", "--param", "familyType=a b"), "is not a valid iri"),
    (("query", "SELECT * WHERE { ?s ?p }"), "Error: malformed SPARQL at line 1, column"),
    (("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/q> { ?s ?p ?o } }"), "Error: the query uses SERVICE"),
    (("query", "DELETE WHERE { ?s ?p ?o }"), "Error: DELETE is a SPARQL Update"),
])
def test_errors_are_one_line_and_exit_1(out: Path, args: tuple[str, ...], message: str) -> None:
    code, stdout, stderr = _run(*args, "--out", str(out))
    assert code == 1, stdout
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def test_missing_store_is_an_error(tmp_path: Path) -> None:
    code, _, stderr = _run("query", "people-and-posts", "--out", str(tmp_path))
    assert code == 1 and "Error: no hfkg store at" in stderr


def test_usage_errors_exit_2(out: Path) -> None:
    code, _, stderr = _run("query", "people-and-posts", "--out", str(out), "--param", "novalue")
    assert code == 2 and "NAME=VALUE" in stderr
    code, _, stderr = _run("query", "people-and-posts", "--out", str(out), "--endpoint", "http://127.0.0.1:1/q")
    assert code == 2 and "not both" in stderr


def test_locked_store_suggests_read_only_which_works(tmp_path: Path) -> None:
    import subprocess
    import sys

    load_dataset(tmp_path / "store", DATA)
    _, unlocked, _ = _run("query", "people-and-posts", "--out", str(tmp_path))
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(tmp_path / "store")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        code, _, stderr = _run("query", "people-and-posts", "--out", str(tmp_path))
        assert code == 1 and "is in use by another hfkg process; use --read-only" in stderr
        code, stdout, _ = _run("query", "people-and-posts", "--out", str(tmp_path), "--read-only")
        assert code == 0 and stdout == unlocked and "(0 rows)" not in stdout
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)


def test_csv_cells_that_look_like_formulas_are_neutralised(out: Path) -> None:
    code, stdout, _ = _run("query", 'SELECT ?t ?n WHERE { VALUES (?t ?n) { ("=1+1" -5) ("@SUM(1)" 2.5) ("ok" 1) } }',
                           "--out", str(out), "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(stdout)))[1:]
    assert sorted(rows) == sorted([["'=1+1", "-5"], ["'@SUM(1)", "2.5"], ["ok", "1"]])
