"""The bad-input matrix: every command meets every kind of bad input and answers with one line, never a traceback.

Each case runs the real ``hfkg`` command line in process (click's CliRunner) and checks: the exit status (1 for
bad input, 2 for usage mistakes), a single ``Error: ...`` line on stderr naming the problem, no traceback, no
internal error, and no output left half-written (a sentinel file in the output folder keeps its bytes and no
temporary file is left behind).  Inputs that are not errors (a report with no entities, no sections, cut in
the middle of a number; a curation file naming unknown entities) must give valid, usable outputs.
"""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hfkg.cli import cli
from hfkg.extract.pipeline import extract_text
from hfkg.extract.records import dumps_record
from hfkg.graph.store import load_dataset

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.trig"
SENTINEL = b"previous output, must survive a failed command\n"

REPORT = ("江南市幸福家庭工作报告\n\n江南市人口和计划生育委员会\n\n"
          "2012年，江南市人口和计划生育委员会联合江南市计划生育协会启动“春风行动”，"
          "为失独家庭父母每人每月发放350元扶助金。奖励扶助标准由每人每年600元提高到840元。\n")


# --------------------------------------------------------------------------- helpers


def invoke(args: list[str], stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=stdin)


def assert_error(result: Result, code: int, *words: str) -> str:
    """Exit ``code``, one ``Error:`` line naming the problem (``words``), no traceback."""
    stderr = result.stderr
    assert result.exit_code == code, (result.exit_code, result.output, stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output + stderr
    assert "internal error" not in stderr
    if code == 1:
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    else:  # click usage error: usage lines, then one "Error: ..." line
        assert stderr.strip().splitlines()[-1].startswith("Error: "), stderr
    low = stderr.lower()
    for word in words:
        assert word.lower() in low, (word, stderr)
    return stderr


def leftovers(root: Path) -> list[Path]:
    """Temporary files or folders of an interrupted atomic write (``.name.XXXX.tmp``) under ``root``."""
    return [p for p in root.rglob(".*") if p.name.endswith((".tmp", ".old"))]


def seeded(folder: Path, *names: str) -> dict[Path, bytes]:
    """Put sentinel files into an output folder; returns what must still be there after a failure."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in names:
        (folder / name).write_bytes(SENTINEL)
        out[folder / name] = SENTINEL
    return out


def assert_untouched(before: dict[Path, bytes], root: Path) -> None:
    for path, data in before.items():
        assert path.read_bytes() == data, f"{path} was changed by a failing command"
    assert not leftovers(root), leftovers(root)


@pytest.fixture(scope="module")
def mini_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder with a store loaded from the small hand-written TriG."""
    folder = tmp_path_factory.mktemp("mini")
    load_dataset(folder / "store", MINI)
    return folder


@pytest.fixture(scope="module")
def gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gold") / "gold.json"
    path.write_text(dumps_record(extract_text(REPORT, "report.txt")), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- bad sources x text commands


def _empty(d: Path) -> str:
    (d / "empty.txt").write_bytes(b"")
    return str(d / "empty.txt")


def _blank(d: Path) -> str:
    (d / "blank.txt").write_bytes(b" \n\r\n\t \n")
    return str(d / "blank.txt")


def _binary(d: Path) -> str:
    (d / "photo.txt").write_bytes(bytes(range(256)) * 16 + b"\x89PNG\r\n\x1a\n" * 100)
    return str(d / "photo.txt")


def _undetectable(d: Path) -> str:
    # bytes that are invalid in UTF-8, UTF-16 (odd length), GB18030 and Big5 alike
    (d / "odd.txt").write_bytes(b"\xc0\xc1\xf5\xff\x80" * 400 + b"a")
    return str(d / "odd.txt")


def _no_texts(d: Path) -> str:
    (d / "notes").mkdir()
    (d / "notes" / "readme.md").write_text("no reports here\n", encoding="utf-8")
    (d / "notes" / "data.csv").write_text("a,b\n", encoding="utf-8")
    return str(d / "notes")


def _folder_loop(d: Path) -> str:
    (d / "loop").mkdir()
    (d / "loop" / "self").symlink_to(d / "loop", target_is_directory=True)
    (d / "loop" / "deeper").mkdir()
    (d / "loop" / "deeper" / "back").symlink_to(d / "loop", target_is_directory=True)
    return str(d / "loop")


def _file_loop(d: Path) -> str:
    (d / "a.txt").symlink_to(d / "b.txt")
    (d / "b.txt").symlink_to(d / "a.txt")
    return str(d / "a.txt")


def _missing(d: Path) -> str:
    return str(d / "nothing-here.txt")


def _huge(d: Path) -> str:
    # 200 MB, sparse: the reader refuses it from its size before reading a byte (stated limit)
    path = d / "huge.txt"
    with open(path, "wb") as fh:
        fh.write(REPORT.encode("utf-8"))
        fh.truncate(200 * 1024 * 1024)
    return str(path)


SOURCES: dict[str, tuple[Callable[[Path], str], tuple[str, ...]]] = {
    "empty file": (_empty, ("empty",)),
    "blank file": (_blank, ("empty",)),
    "binary file": (_binary, ("binary",)),
    "undetectable encoding": (_undetectable, ("encoding", "--encoding")),
    "folder with no texts": (_no_texts, ("notes", "no .txt")),
    "symlink loop (folder)": (_folder_loop, ("loop", "no .txt")),
    "symlink loop (file)": (_file_loop, ("a.txt", "symbolic links")),
    "missing file": (_missing, ("nothing-here.txt", "no such file")),
    "200 MB text": (_huge, ("huge.txt", "200 MB", "limit is 32 MB")),
}

TEXT_COMMANDS: dict[str, Callable[[str, Path, Path], list[str]]] = {
    "extract": lambda src, out, gold: ["extract", src, "-o", str(out / "x")],
    "build": lambda src, out, gold: ["build", src, "--out", str(out / "build"), "--no-validate"],
    "evaluate": lambda src, out, gold: ["evaluate", "--gold", str(gold), src],
}


@pytest.mark.parametrize("case", list(SOURCES))
@pytest.mark.parametrize("command", list(TEXT_COMMANDS))
def test_bad_source(command: str, case: str, tmp_path: Path, gold: Path) -> None:
    make, words = SOURCES[case]
    inputs = tmp_path / "in"
    inputs.mkdir()
    src = make(inputs)
    if command == "evaluate" and Path(src).is_dir():
        words = (Path(src).name, "directory")  # evaluate reads one file: a folder is refused as such
    outs = tmp_path / "outs"
    before = {**seeded(outs / "x", "kept.json"), **seeded(outs / "build", "graph.trig", "graph.ttl")}
    assert_error(invoke(TEXT_COMMANDS[command](src, outs, gold)), 1, *words)
    assert_untouched(before, tmp_path)


def test_bad_stdin(tmp_path: Path) -> None:
    assert_error(invoke(["extract", "-"], stdin=b""), 1, "stdin.txt", "empty")
    assert_error(invoke(["extract", "-"], stdin=bytes(range(256)) * 8), 1, "binary")
    assert_error(invoke(["extract", "-", "--encoding", "klingon"]), 1, "unknown encoding", "klingon")
    assert_error(invoke(["extract", "-", "--encoding", "utf-8"], stdin="江南".encode("gb18030")), 1, "not valid utf-8")


def test_stdin_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from hfkg.extract import reader

    monkeypatch.setattr(reader, "MAX_BYTES", 1024 * 1024)
    assert_error(invoke(["extract", "-"], stdin=b"\0" * (2 * 1024 * 1024)), 1, "limit")


def test_size_limit_is_stated_and_below_what_memory_allows() -> None:
    from hfkg.extract import reader

    # extraction holds ~20 times the text in memory: the limit keeps one document well under a gigabyte
    assert 8 * 1024 * 1024 <= reader.MAX_BYTES <= 64 * 1024 * 1024


# --------------------------------------------------------------------------- reports that are odd but valid


def _extract_json(text: str, tmp_path: Path, name: str) -> dict[str, Any]:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    result = invoke(["extract", str(src)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    raw = src.read_text(encoding="utf-8")
    assert data["format"] == "hfkg-extraction/1" and data["source"]["chars"] == len(raw)
    for ent in data["entities"]:
        for m in ent["mentions"]:
            assert 0 <= m["start"] < m["end"] <= len(raw)
    for item in data["benefits"] + data["relations"] + data["sections"]:
        assert 0 <= item["start"] <= item["end"] <= len(raw)
    return data


def _build_ok(src: Path, out: Path) -> Result:
    result = invoke(["build", str(src), "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "SHACL:     conforms" in result.stdout
    assert not leftovers(out)
    return result


def test_truncated_report_mid_number_and_mid_sentence(tmp_path: Path) -> None:
    cut = REPORT.index("350元") + 2  # "...每人每月发放35" : cut inside the amount
    data = _extract_json(REPORT[:cut], tmp_path, "cut.txt")
    assert all(b.get("amount") != 350 for b in data["benefits"])  # the cut amount is not invented whole
    assert {e["name"] for e in data["entities"]} >= {"江南市人口和计划生育委员会"}
    cut2 = REPORT.index("春风行动") + 2  # inside an open quote
    _extract_json(REPORT[:cut2], tmp_path, "cut2.txt")
    _build_ok(tmp_path / "cut.txt", tmp_path / "out")


def test_report_with_no_sections(tmp_path: Path) -> None:
    text = "为失独家庭父母每人每月发放350元扶助金，并提供心理咨询服务。"  # no title, no author line, one line
    data = _extract_json(text, tmp_path, "plain.txt")
    assert len(data["sections"]) <= 1
    _build_ok(tmp_path / "plain.txt", tmp_path / "out")


def test_document_with_no_entities_is_a_valid_empty_graph(tmp_path: Path) -> None:
    data = _extract_json("今天天气很好，我们去公园散步。\n明天也许会下雨。\n", tmp_path, "nothing.txt")
    assert data["entities"] == [] and data["benefits"] == [] and data["relations"] == []
    out = tmp_path / "out"
    result = _build_ok(tmp_path / "nothing.txt", out)
    assert "entities:  none" in result.stdout
    assert invoke(["validate", "--out", str(out)]).exit_code == 0
    count = invoke(["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/GovernmentOrganization> }",
                    "--out", str(out), "--format", "csv"])
    assert count.exit_code == 0 and count.stdout.split() == ["n", "0"]
    assert invoke(["map", "--out", str(out)]).exit_code == 0
    assert invoke(["export", "edges-csv", "--out", str(out)]).exit_code == 0


# --------------------------------------------------------------------------- extraction JSON and curation


def _json_case(d: Path, body: str) -> str:
    (d / "doc.json").write_text(body, encoding="utf-8")
    return str(d / "doc.json")


def _record(**changes: Any) -> str:
    rec = json.loads(dumps_record(extract_text(REPORT, "report.txt")))
    rec.update(changes)
    return json.dumps(rec, ensure_ascii=False)


JSONS: dict[str, tuple[Callable[[], str], tuple[str, ...]]] = {
    "truncated JSON": (lambda: _record()[:300], ("doc.json", "not valid json", "line")),
    "not an object": (lambda: "[1, 2, 3]", ("doc.json", "object")),
    "wrong format version": (lambda: _record(format="hfkg-extraction/9"), ("hfkg-extraction/9", "hfkg-extraction/1")),
    "no format": (lambda: _record(format=None), ("format",)),
    "bad entity type": (lambda: _record(entities=[{"type": "Spaceship", "name": "x", "mentions": []}]),
                        ("Spaceship",)),
    "entities not a list": (lambda: _record(entities=7), ("doc.json",)),
    "amount not a number": (lambda: _record(benefits=[{"kind": "cash", "amount": "lots", "start": 0, "end": 1}]),
                            ("lots",)),
    "binary bytes": (lambda: "\udcff", ("doc.json",)),
}


@pytest.mark.parametrize("case", list(JSONS))
@pytest.mark.parametrize("command", ["build", "evaluate-gold", "evaluate-source"])
def test_bad_extraction_json(command: str, case: str, tmp_path: Path, gold: Path) -> None:
    make, words = JSONS[case]
    body = make()
    path = tmp_path / "doc.json"
    if body == "\udcff":
        path.write_bytes(b'{"format": "\xff\xfe"}')
    else:
        path.write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    before = seeded(out, "graph.trig")
    args = {"build": ["build", str(path), "--out", str(out), "--no-validate"],
            "evaluate-gold": ["evaluate", "--gold", str(path), str(gold)],
            "evaluate-source": ["evaluate", "--gold", str(gold), str(path)]}[command]
    assert_error(invoke(args), 1, *words)
    assert_untouched(before, tmp_path)


CURATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bad YAML syntax": ("format: hfkg-curation/1\nmerge: [ {type: Agency\n", ("not valid yaml", "line")),
    "wrong shape": ("format: hfkg-curation/1\nmerge: 5\n", ("merge",)),
    "unknown type": ("format: hfkg-curation/1\ndrop:\n  - {type: Spaceship, name: x}\n", ("Spaceship",)),
    "wrong format": ("format: something-else/3\n", ("format",)),
    "not UTF-8": ("\udcff", ("cur.yaml",)),
}


@pytest.mark.parametrize("case", list(CURATIONS))
def test_bad_curation_file_stops_the_build(case: str, tmp_path: Path) -> None:
    body, words = CURATIONS[case]
    cur = tmp_path / "cur.yaml"
    if body == "\udcff":
        cur.write_bytes(b"format: hfkg-curation/1\ndrop:\n  - {type: Person, name: \xff\xfe}\n")
    else:
        cur.write_text(body, encoding="utf-8")
    src = tmp_path / "report.txt"
    src.write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    before = seeded(out, "graph.trig", "graph.ttl")
    assert_error(invoke(["build", str(src), "--out", str(out), "--curation", str(cur), "--no-validate"]), 1, *words)
    assert_untouched(before, tmp_path)
    assert not (out / "store").exists()


def test_curation_with_unknown_names_warns_and_builds(tmp_path: Path) -> None:
    cur = tmp_path / "cur.yaml"
    cur.write_text("format: hfkg-curation/1\ndrop:\n  - {type: Person, name: 查无此人}\n"
                   "alias:\n  - {type: Agency, name: 不存在的委员会, add: [某某]}\n", encoding="utf-8")
    src = tmp_path / "report.txt"
    src.write_text(REPORT, encoding="utf-8")
    result = invoke(["build", str(src), "--out", str(tmp_path / "out"), "--curation", str(cur), "--no-validate"])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert any("查无此人" in w for w in warnings) and any("不存在的委员会" in w for w in warnings)
    assert (tmp_path / "out" / "graph.trig").stat().st_size > 0


# --------------------------------------------------------------------------- malformed RDF


BAD_RDF = {
    "turtle": "@prefix ex: <http://example.org/> .\nex:a ex:b ",
    "trig": '<http://example.org/g> { <http://example.org/a> <http://example.org/b> "open literal ',
    "trig-binary": "\x00\x01\x02 not rdf at all",
}


@pytest.fixture()
def bad_build(tmp_path: Path) -> Path:
    """A build folder whose graph.trig is malformed (a half-copied file, a hand edit gone wrong)."""
    out = tmp_path / "bad"
    out.mkdir()
    (out / "graph.trig").write_text(BAD_RDF["trig"], encoding="utf-8")
    return out


@pytest.mark.parametrize("kind", list(BAD_RDF))
def test_validate_malformed_file(kind: str, tmp_path: Path) -> None:
    suffix = ".ttl" if kind == "turtle" else ".trig"
    path = tmp_path / f"broken{suffix}"
    path.write_text(BAD_RDF[kind], encoding="utf-8")
    stderr = assert_error(invoke(["validate", str(path)]), 1, f"broken{suffix}", "cannot be read as RDF")
    detail = re.sub(r"at line \d+ of <>:?", "", stderr.split("RDF:", 1)[1])
    assert re.search(r"[A-Za-z]{4,}", detail), f"the message does not say what is wrong: {stderr}"


@pytest.mark.parametrize("args", [
    ["validate"],
    *[["export", fmt] for fmt in ("turtle", "trig", "jsonld", "nquads", "ntriples", "graphml", "gexf", "edges-csv")],
    ["map"],
    ["map", "--level", "region"],
], ids=lambda a: " ".join(a))
def test_commands_reading_malformed_trig(args: list[str], bad_build: Path) -> None:
    target = bad_build / "written.out"
    before = seeded(bad_build, "written.out")
    extra = ["-o", str(target)] if args[0] in ("export", "map") else []
    assert_error(invoke([*args, "--out", str(bad_build), *extra]), 1, "graph.trig")
    assert_untouched(before, bad_build)


def test_store_commands_on_a_corrupt_or_missing_store(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "CURRENT").write_text("not a manifest\n", encoding="utf-8")
    assert_error(invoke(["query", "ASK {}", "--store", str(junk)]), 1, "store", str(junk))
    assert_error(invoke(["query", "ASK {}", "--out", str(tmp_path / "none")]), 1, "no hfkg store")
    assert_error(invoke(["serve", "--store", str(tmp_path / "none"), "--port", "0"]), 1, "no hfkg store")
    assert_error(invoke(["push", "--endpoint", "http://127.0.0.1:9/query", "--out", str(tmp_path / "none")]), 1,
                 "no hfkg store")


def test_serve_on_a_port_in_use(mini_out: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert_error(invoke(["serve", "--out", str(mini_out), "--port", str(port)]), 1, "port")


# --------------------------------------------------------------------------- SPARQL


AGENCY_QUERY = "programs-of-agency"


def _count(out: Path) -> int:
    result = invoke(["query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--out", str(out),
                     "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    return int(result.stdout.split()[1])


@pytest.mark.parametrize(("args", "code", "words"), [
    (["SELECT * WHERE { ?s ?p }"], 1, ("malformed sparql", "line 1", "column")),
    (["SELECT * WHERE { ?s ?p ?o "], 1, ("malformed sparql",)),
    (["PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:p ?o . FILTER(?o > ) }"], 1, ("malformed sparql",)),
    (["DROP ALL"], 1, ("update", "only reads")),
    (["INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"], 1, ("update",)),
    (["no-such-saved-query"], 1, ("no saved query", "no-such-saved-query")),
    (["missing.rq"], 1, ("missing.rq",)),
    (["hello world"], 1, ("select",)),
    ([AGENCY_QUERY], 1, ("needs --param agencyName",)),
    ([AGENCY_QUERY, "--param", "agencyName"], 2, ("NAME=VALUE",)),
    ([AGENCY_QUERY, "--param", "=x"], 2, ("NAME=VALUE",)),
    ([AGENCY_QUERY, "--param", "agencyName=x", "--param", "nope=1"], 1, ("no parameter 'nope'",)),
    (["programs-for-family-type", "--param", "familyType=not an iri"], 1, ("familyType", "iri")),
    (["programs-for-family-type", "--param", "familyType=<>"], 1, ("familyType", "iri")),
    (["SELECT ?n WHERE { }", "--param", "1n=3"], 1, ("variable name",)),
    (["SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"], 1, ("service", "--allow-service")),
    (["SELECT * WHERE { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"], 1, ("service",)),
    (["ASK {}", "--format", "xml"], 2, ("format",)),
    (["ASK {}", "--endpoint", "http://127.0.0.1:9/q", "--store", "x"], 2, ("either",)),
], ids=lambda v: str(v)[:60])
def test_query_errors(args: list[str], code: int, words: tuple[str, ...], mini_out: Path) -> None:
    extra = [] if "--store" in args else ["--out", str(mini_out)]
    assert_error(invoke(["query", *args, *extra]), code, *words)


def test_ill_typed_params(mini_out: Path, tmp_path: Path) -> None:
    rq = tmp_path / "typed.rq"
    rq.write_text("# param: n integer a number\n# param: d date a day\n# param: y gYear a year\n"
                  "# param: b boolean a flag\n# param: x decimal an amount\n"
                  "SELECT ?n ?d ?y ?b ?x WHERE { }\n", encoding="utf-8")
    good = {"n": "3", "d": "2012-05-01", "y": "2012", "b": "true", "x": "12.5"}
    ok = invoke(["query", str(rq), "--out", str(mini_out), "--format", "json",
                 *[a for k, v in good.items() for a in ("--param", f"{k}={v}")]])
    assert ok.exit_code == 0, ok.stderr
    row = json.loads(ok.stdout)["results"]["bindings"][0]
    assert row["n"]["value"] == "3" and row["n"]["datatype"].endswith("#integer")
    for name, bad in (("n", "three"), ("n", "1.5"), ("d", "2012-13-40"), ("y", "12"), ("b", "maybe"), ("x", "NaN"),
                      ("x", "1e999999")):
        params = {**good, name: bad}
        result = invoke(["query", str(rq), "--out", str(mini_out),
                         *[a for k, v in params.items() for a in ("--param", f"{k}={v}")]])
        assert_error(result, 1, f"{name}={bad!r}")


INJECTIONS = ['"} ; DROP ALL ; #', "'} ; DROP ALL ; #", '" . } DELETE WHERE { ?s ?p ?o } #',
              "\\\"} ; DROP ALL ; #", '"""} ; DROP ALL ; #', "x\n} ; CLEAR DEFAULT ; #"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_crafted_parameter_is_a_literal(value: str, mini_out: Path) -> None:
    before = _count(mini_out)
    result = invoke(["query", AGENCY_QUERY, "--param", f"agencyName={value}", "--out", str(mini_out),
                     "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"]["bindings"] == []  # no agency has that name; nothing ran
    # the same value bound to a projected string parameter comes back exactly, as one literal
    echo = invoke(["query", "# param: v string\nSELECT ?v ?one WHERE { BIND(1 AS ?one) }", "--param", f"v={value}",
                   "--out", str(mini_out), "--format", "json"])
    assert echo.exit_code == 0, echo.stderr
    rows = json.loads(echo.stdout)["results"]["bindings"]
    assert rows == [{"v": {"type": "literal", "value": value}, "one": rows[0]["one"]}]
    assert _count(mini_out) == before


def test_service_allowed_only_when_asked(mini_out: Path, endpoints: str) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{endpoints}/500> {{ ?s ?p ?o }} }}"
    assert_error(invoke(["query", query, "--out", str(mini_out)]), 1, "service")
    # allowed: the store really calls the service, and its failure is still one line
    assert_error(invoke(["query", query, "--out", str(mini_out), "--allow-service"]), 1, "500")


_HIDDEN_SERVICE = {  # SERVICE after tokens that a naive scanner misreads as comments or strings
    "escaped hash in a prefixed name": "PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?x ex:a\\#b ?y }} {S} }}",
    "escaped quotes in prefixed names": "PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?x ex:a\\'b ?y }} {S} "
                                        "?z ex:c\\'d ?w }}",
    "hash in a string": 'SELECT * WHERE {{ BIND("a\\"#" AS ?q) {S} }}',
    "hash in a long string": 'SELECT * WHERE {{ BIND("""a\n"#\n""" AS ?q) {S} }}',
    "hash in a long single-quoted string": "SELECT * WHERE {{ BIND(\'\'\'a\'#\'\'\' AS ?q) {S} }}",
    "hash in an IRI": "SELECT * WHERE {{ BIND(<http://x/#> AS ?q) {S} }}",
    "less-than before it": "SELECT * WHERE {{ FILTER(?a<?b) {S} }}",
    "SILENT": "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "endpoint in a variable": "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "lower case, new line": "SELECT * WHERE {{ ?s ?p ?o .\n  service\n<{url}> {{ ?s ?p ?o }} }}",
}


@pytest.mark.parametrize("case", list(_HIDDEN_SERVICE))
def test_hidden_service_is_refused(case: str, mini_out: Path, endpoints: str) -> None:
    url = f"{endpoints}/500"
    query = _HIDDEN_SERVICE[case].format(S=f"SERVICE <{url}> {{ ?s ?p ?o }}", url=url)
    import pyoxigraph

    pyoxigraph.Store().query(query)  # valid SPARQL (evaluation is lazy: nothing is contacted here)
    assert_error(invoke(["query", query, "--out", str(mini_out)]), 1, "service")


# --------------------------------------------------------------------------- failing endpoints


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers by path: /401, /403, /500 (with control characters), /slow, /html, /garbage-json."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        path = self.path.split("?")[0]
        if path.startswith("/slow"):
            time.sleep(3)
        status, ctype, body = {
            "/401": (401, "text/plain", b"who are you?\n"),
            "/403": (403, "text/plain", b"read only"),
            "/500": (500, "text/plain; charset=utf-8", "内部错误\n\x1b[2J\x1b[31mboom".encode()),
            "/html": (200, "text/html", b"<html><body>hello</body></html>"),
            "/garbage-json": (200, "application/sparql-results+json", b'{"head": 5}'),
        }.get(path, (200, "application/sparql-results+json", b'{"head": {}, "boolean": true}'))
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="hfkg-test"')
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def endpoints() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a client that gave up (timeout case) is no error here
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/query"


@dataclass
class EndpointCase:
    path: str
    words: tuple[str, ...]
    timeout: str = "10"


ENDPOINTS = {
    "refused connection": EndpointCase("", ("cannot reach", "connection refused")),
    "401": EndpointCase("/401", ("401", "HFKG_TOKEN")),
    "403": EndpointCase("/403", ("403",)),
    "500": EndpointCase("/500", ("500", "内部错误")),
    "timeout": EndpointCase("/slow", ("did not answer within 1 s",), timeout="1"),
    "not SPARQL (HTML)": EndpointCase("/html", ("sparql",)),
    "malformed results": EndpointCase("/garbage-json", ("sparql results",)),
}


@pytest.mark.parametrize("case", list(ENDPOINTS))
def test_query_against_a_failing_endpoint(case: str, endpoints: str) -> None:
    spec = ENDPOINTS[case]
    url = _dead_url() if not spec.path else endpoints + spec.path
    start = time.monotonic()
    stderr = assert_error(invoke(["query", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", url,
                                  "--timeout", spec.timeout]), 1, *spec.words)
    assert "\x1b" not in stderr
    assert time.monotonic() - start < 15


@pytest.mark.parametrize("case", ["refused connection", "401", "500", "timeout"])
def test_push_to_a_failing_endpoint(case: str, endpoints: str, mini_out: Path) -> None:
    spec = ENDPOINTS[case]
    url = _dead_url() if not spec.path else endpoints + spec.path
    stderr = assert_error(invoke(["push", "--endpoint", url, "--graph-store", url, "--out", str(mini_out),
                                  "--timeout", spec.timeout]), 1, *spec.words)
    assert "\x1b" not in stderr


def test_endpoint_urls_that_are_not_http(mini_out: Path) -> None:
    for url in ("ftp://example.org/sparql", "file:///etc/passwd", "127.0.0.1:7878/query", "not a url"):
        assert_error(invoke(["query", "ASK {}", "--endpoint", url]), 1, "not an http(s) url")
        assert_error(invoke(["push", "--endpoint", url, "--out", str(mini_out)]), 1, "not an http(s) url")


# --------------------------------------------------------------------------- output targets that cannot be written


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    src = tmp_path / "report.txt"
    src.write_text(REPORT, encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_bytes(SENTINEL)
    assert_error(invoke(["extract", str(src), "-o", str(blocker)]), 1, "blocker")
    assert_error(invoke(["build", str(src), "--out", str(blocker)]), 1, "blocker")
    assert blocker.read_bytes() == SENTINEL and not leftovers(tmp_path)


def test_extract_keeps_documents_with_the_same_name(tmp_path: Path) -> None:
    for sub, text in (("a", "北京市民政局启动“暖心计划”。\n"), ("b", "天津市民政局启动“幸福工程”。\n")):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "r.txt").write_text(text, encoding="utf-8")
    result = invoke(["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    names = {e["name"] for f in (tmp_path / "out").glob("*.json")
             for e in json.loads(f.read_text(encoding="utf-8"))["entities"]}
    assert {"暖心计划", "幸福工程"} <= names
