"""Untrusted text: names from a crafted report stay data everywhere and are never run or obeyed.

``tests/data/untrusted/crafted.txt`` is a two-region report whose program names carry HTML and JavaScript
(``<script>``, ``<img onerror>``, ``<svg onload>``), terminal escape sequences (ESC ``[2J``, C1 CSI
``U+009B``), bidirectional overrides and spreadsheet formulas (leading ``= + - @``).  It is built with
``hfkg build`` like any report; then every output is checked: the graph keeps the names exactly, the maps
and the server's query page show them as text and run nothing (real chromium), CSV cells cannot run as
formulas, XML exports stay well-formed, and nothing printed to a terminal carries a control character.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from hfkg.cli import cli
from hfkg.extract.pipeline import extract_text
from hfkg.extract.records import dumps_record
from hfkg.textutil import escape_controls, escape_controls_utf8, strip_controls, xml_escape_controls, xml_safe

CRAFTED = Path(__file__).parent / "data" / "untrusted" / "crafted.txt"
HTML_PAYLOADS = ("<script>alert(1)</script>", "<img/src/onerror=alert(2)>", "<svg/onload=alert(3)>")
FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(1)")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what a terminal must never receive from a document: C0 (but tab, newline), DEL, C1, bidi controls
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
INITIATIVE = "https://w3id.org/hfkg/ont#Initiative"
NAMES_QUERY = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
               f"SELECT ?name WHERE {{ ?p a <{INITIATIVE}> ; skos:prefLabel ?name FILTER(LANG(?name) = 'zh') }} "
               "ORDER BY ?name")


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("untrusted") / "out"
    result = invoke("build", str(CRAFTED), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out, result


@pytest.fixture(scope="module")
def program_names(built: tuple[Path, Result]) -> list[str]:
    out, _ = built
    record = json.loads((out / "extractions" / "crafted.json").read_text(encoding="utf-8"))
    return sorted(e["name"] for e in record["entities"] if e["type"] == "Program")


# --------------------------------------------------------------------------- the data keeps the text


def test_crafted_names_reach_the_graph_exactly(built: tuple[Path, Result], program_names: list[str]) -> None:
    import hfkg

    out, _ = built
    for payload in (*HTML_PAYLOADS, *FORMULAS, "\x1b[2J", "\u009b2J", "\u202e"):
        assert any(payload in n for n in program_names), f"the extractor no longer carries {payload!r}"
    rows = hfkg.query(NAMES_QUERY, out=str(out))
    assert sorted(str(r.name) for r in rows) == program_names  # stored as data, not sanitised away


# --------------------------------------------------------------------------- terminal output


def _gold(tmp_path: Path) -> Path:
    gold = tmp_path / "gold.json"
    gold.write_text(dumps_record(extract_text("江南市人口和计划生育委员会启动“春风行动”。\n", "other.txt")),
                    encoding="utf-8")
    return gold


def test_every_command_printing_document_text_strips_controls(built: tuple[Path, Result], tmp_path: Path) -> None:
    out, build = built
    runs = {"build": build}
    runs["evaluate"] = invoke("evaluate", "--gold", str(_gold(tmp_path)), str(CRAFTED), "--show-errors")
    for fmt in ("table", "csv", "tsv", "json"):
        runs[f"query {fmt}"] = invoke("query", NAMES_QUERY, "--out", str(out), "--format", fmt)
    runs["query construct"] = invoke("query", f"CONSTRUCT {{ ?p ?q ?o }} WHERE {{ ?p a <{INITIATIVE}> ; ?q ?o }}",
                                     "--out", str(out))
    runs["map"] = invoke("map", "--out", str(out), "-o", str(tmp_path / "m.html"))
    runs["validate"] = invoke("validate", "--out", str(out))
    curation = tmp_path / "cur.yaml"  # a warning that quotes a document's name back
    curation.write_text("format: hfkg-curation/1\ndrop:\n  - {type: Program, name: \"\\e[2J\\u202e没有\"}\n",
                        encoding="utf-8")
    runs["build warnings"] = invoke("build", str(CRAFTED), "--out", str(tmp_path / "b2"), "--curation",
                                    str(curation), "--no-validate")
    for name, result in runs.items():
        assert result.exit_code == 0, (name, result.stderr)
        text = result.stdout + result.stderr
        assert not RAW_CONTROL.search(text), (name, RAW_CONTROL.findall(text))
    shown = runs["query table"].stdout
    assert "<script>alert(1)</script>暖心计划" in shown and "[2J[31m红色[0m帮扶计划" in shown
    assert "evil" in shown and "没有" in runs["build warnings"].stderr
    assert "<script>alert(1)</script>" in runs["evaluate"].stdout  # the false positives, listed as text


@pytest.mark.parametrize("args", [pytest.param(["extract", str(CRAFTED)], id="extract"),
                                  *[pytest.param(["export", fmt], id=f"export {fmt}")
                                    for fmt in ("jsonld", "turtle", "trig", "ntriples", "nquads", "edges-csv",
                                                "graphml", "gexf")]])
def test_data_printed_to_stdout_carries_no_raw_controls(args: list[str], built: tuple[Path, Result]) -> None:
    """JSON and RDF write controls as \\u escapes (lossless); CSV and XML drop them: `cat` is always safe."""
    out, _ = built
    result = invoke(*args, *([] if args[0] == "extract" else ["--out", str(out)]))
    assert result.exit_code == 0, result.stderr
    assert not RAW_CONTROL.search(result.stdout), RAW_CONTROL.findall(result.stdout)[:5]


@pytest.mark.parametrize("command", ["extract", "build", "map", "export"])
def test_file_names_from_the_corpus_are_cleaned_too(command: str, built: tuple[Path, Result], tmp_path: Path) -> None:
    """File names come from the corpus as well: a name with controls must not reach the terminal raw."""
    out, _ = built
    nasty = "名\u202e\u2066txt.\x1b]0;owned\x07"
    src = tmp_path / f"{nasty}.txt"
    src.write_text(CRAFTED.read_text(encoding="utf-8"), encoding="utf-8")
    args = {"extract": ["extract", str(src), "-o", str(tmp_path / "x")],
            "build": ["build", str(src), "--out", str(tmp_path / "b"), "--no-validate"],
            "map": ["map", "--out", str(out), "-o", str(tmp_path / f"{nasty}.html")],
            "export": ["export", "turtle", "--out", str(out), "-o", str(tmp_path / f"{nasty}.ttl")]}[command]
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    text = result.stdout + result.stderr
    assert not RAW_CONTROL.search(text), RAW_CONTROL.findall(text)
    assert command == "build" or "名" in text  # the path is shown, cleaned (build names only the folders)


def test_terminal_helpers() -> None:
    nasty = "a\x1b[2Jb\x07c\x9b2Jd\u202eevil\u202ce\u2066f\u2069g\u200fh\u061ci\x00j\x7fk"
    assert strip_controls(nasty) == "a[2Jbc2Jdevilefghijk"
    assert strip_controls("表\t格\n下一行") == "表\t格\n下一行"
    escaped = escape_controls(nasty)
    assert not RAW_CONTROL.search(escaped)
    assert json.loads(f'"{escaped}"') == nasty  # lossless in JSON
    import pyoxigraph

    line = f'<http://e/s> <http://e/p> "{escaped}" .\n'.encode()
    assert next(iter(pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_TRIPLES))).object.value == nasty
    assert xml_safe(nasty) == "a[2Jbc\x9b2Jd\u202eevil\u202ce\u2066f\u2069g\u200fh\u061cij\x7fk"
    xml = xml_escape_controls(f'<a b="{xml_safe(nasty)}">{xml_safe(nasty)}</a>')
    assert not RAW_CONTROL.search(xml)
    parsed = ET.fromstring(xml)
    assert parsed.text == parsed.get("b") == xml_safe(nasty)  # the references read back as the characters


# --------------------------------------------------------------------------- CSV and XML exports


def _check_csv_cells(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"a spreadsheet would run {cell!r}"


def test_edges_csv_neutralises_formulas(built: tuple[Path, Result]) -> None:
    out, _ = built
    result = invoke("export", "edges-csv", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 3
    _check_csv_cells(rows)
    names = {cell for row in rows[1:] for cell in (row[1], row[4])}
    for formula in FORMULAS:
        assert any(n.startswith("'" + formula) for n in names), formula  # kept, shown as text


def test_query_csv_neutralises_formulas(built: tuple[Path, Result]) -> None:
    out, _ = built
    result = invoke("query", NAMES_QUERY, "--out", str(out), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    _check_csv_cells(rows)
    assert sum(1 for r in rows[1:] if r[0].startswith("'")) == len(FORMULAS)
    numbers = invoke("query", "SELECT ?n WHERE { VALUES ?n { -5 -2.5 } }", "--out", str(out), "--format", "csv")
    assert numbers.stdout.split() == ["n", "-5", "-2.5"]  # typed numbers are no formulas: left as they are


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_exports_stay_well_formed_and_keep_names_as_text(fmt: str, built: tuple[Path, Result],
                                                             tmp_path: Path) -> None:
    out, _ = built
    target = tmp_path / f"g.{fmt}"
    result = invoke("export", fmt, "--out", str(out), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    root = ET.parse(target).getroot()  # raises on a control character XML cannot carry
    texts = {el.text for el in root.iter() if el.text} | {v for el in root.iter() for v in el.attrib.values()}
    for payload in HTML_PAYLOADS:
        assert any(payload in t for t in texts), payload
    assert not any(el.tag.rsplit("}", 1)[-1] in ("script", "img", "svg") for el in root.iter())


# --------------------------------------------------------------------------- HTML maps, statically


@pytest.mark.parametrize("page", ["map.html", "regions.html"])
def test_map_pages_carry_names_only_as_escaped_data(page: str, built: tuple[Path, Result]) -> None:
    out, _ = built
    html = (out / page).read_text(encoding="utf-8")
    assert len(re.findall(r"<script\b", html, re.I)) == 3  # the data island, vis-network, the page's code
    for payload in HTML_PAYLOADS:
        assert payload not in html
    assert not re.search(r"<(img|svg|iframe|object)\b", html, re.I)
    assert "http://" not in html and "https://" not in html.replace("https:\\/\\/", "")


# --------------------------------------------------------------------------- a real browser


def _browser(tmp_path: Path) -> Any:
    from test_maps_browser import Browser  # the maps tests' headless-chromium CDP client

    return Browser(tmp_path / "profile")


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[Any]:
    b = _browser(tmp_path)
    yield b
    b.close()


def _nothing_ran(b: Any) -> None:
    time.sleep(0.5)  # an onerror/onload handler would fire asynchronously
    assert b.eval("window.__alerts") == 0
    assert b.eval("document.querySelectorAll('img, svg[onload], iframe, object').length") == 0
    assert not [e for e in b.events if e.get("method") == "Page.javascriptDialogOpening"]


@pytest.mark.browser
@pytest.mark.parametrize("page", ["map.html", "regions.html"])
def test_maps_show_crafted_names_as_text_and_run_nothing(page: str, browser: Any, built: tuple[Path, Result],
                                                         program_names: list[str]) -> None:
    out, _ = built
    scripts_in_file = len(re.findall(r"<script\b", (out / page).read_text(encoding="utf-8"), re.I))
    browser.open(out / page)
    _nothing_ran(browser)
    assert browser.eval("document.scripts.length") == scripts_in_file
    if page == "map.html":
        labels = browser.eval("window.hfkgMap.nodes.get().map(function (n) { return n.label; })")
        assert sorted(labels) == program_names  # drawn on the canvas as the exact text
        ids = browser.eval("window.hfkgMap.nodes.get().map(function (n) { return [n.id, n.label]; })")
        node = next(i for i, label in ids if label.startswith("<img"))
        tip = browser.hover_node(node)
        assert "<img/src/onerror=alert(2)>幸福工程" in tip  # the tooltip shows the markup as characters
    else:
        legend = browser.eval("document.getElementById('legend-list').textContent")
        assert "天津市" in legend and "苏州市" in legend
    _nothing_ran(browser)


@pytest.mark.browser
@pytest.mark.server
def test_query_page_shows_crafted_names_as_text(browser: Any, built: tuple[Path, Result]) -> None:
    from hfkg.graph.serve import start

    out, _ = built
    server = start(out / "store", port=0)
    try:
        browser.page("Page.enable")
        browser.page("Runtime.enable")
        browser.page("Page.addScriptToEvaluateOnNewDocument",
                     source="window.__alerts = 0; window.alert = function () { window.__alerts += 1; };")
        browser.page("Page.navigate", url=server.base_url + "/")
        _wait(browser, "!!document.querySelector('.CodeMirror') && !!document.querySelector('.yasqe_queryButton')")
        browser.eval(f"document.querySelector('.CodeMirror').CodeMirror.setValue({json.dumps(NAMES_QUERY)})")
        browser.eval("document.querySelector('.yasqe_queryButton').click()")
        _wait(browser, "/[0-9]+ results? in/.test(document.querySelector('.yasr').innerText)")
        shown = browser.eval("document.querySelector('.yasr').innerText")
        for payload in HTML_PAYLOADS:
            assert payload in shown, (payload, shown[:500])
        _nothing_ran(browser)
    finally:
        server.stop()


def _wait(browser: Any, condition: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.eval(f"(function(){{ try {{ return {condition}; }} catch (e) {{ return false; }} }})()"):
            return
        time.sleep(0.2)
    raise TimeoutError(f"the page did not reach: {condition}")


@pytest.mark.browser
def test_the_browser_checks_would_see_an_injection(browser: Any, tmp_path: Path) -> None:
    """Control: the same checks on a page that does run injected markup catch it (so passing above means something)."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body data-ready="1"><p>x</p>'
                    f'<div id="d"></div><script>document.getElementById("d").innerHTML = {json.dumps(HTML_PAYLOADS[1])};'
                    "</script></body></html>", encoding="utf-8")
    browser.open(page)
    time.sleep(0.5)
    assert browser.eval("window.__alerts") == 1
    with pytest.raises(AssertionError):
        _nothing_ran(browser)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x206F) | st.sampled_from("\u061c\u200e\u202e\u2066中")))
def test_escaping_utf8_bytes_equals_escaping_the_text(text: str) -> None:
    """Dumps are escaped as bytes (no decoding of gigabytes); the result is the text version's, encoded."""
    assert escape_controls_utf8(text.encode("utf-8")) == escape_controls(text).encode("utf-8")
