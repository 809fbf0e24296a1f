"""The extract and evaluate commands, in process with CliRunner, including every bad-input case."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import DOCS, SAMPLE

from hfkg import __version__
from hfkg.cli import cli


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_version_and_help() -> None:
    assert run("--version").output.strip() == f"hfkg, version {__version__}"
    out = run("--help").output
    for command in ("extract", "evaluate"):
        assert command in out


def test_installed_entry_points() -> None:
    for cmd in (["hfkg", "--help"], [sys.executable, "-m", "hfkg", "--help"]):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "extract" in done.stdout


def test_extract_to_folder_is_byte_identical_on_rerun(tmp_path) -> None:
    out = tmp_path / "out"
    first = run("extract", str(DOCS), "-o", str(out))
    assert first.exit_code == 0, first.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(p.stem + ".json" for p in DOCS.glob("*.txt"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert run("extract", str(DOCS), "-o", str(out)).exit_code == 0
    assert before == {p.name: p.read_bytes() for p in out.iterdir()}
    data = json.loads((out / "compilation.json").read_text(encoding="utf-8"))
    assert data["format"] == "hfkg-extraction/1" and data["entities"]
    assert "南京市" in (out / "compilation.json").read_text(encoding="utf-8")  # ensure_ascii=False


def test_extract_stdin_to_stdout() -> None:
    result = run("extract", "-", input=(DOCS / "news_big5.txt").read_bytes())
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["source"]["name"] == "stdin.txt"
    assert any(e["name"] == "王培安" for e in data["entities"])


def test_evaluate_text_and_json(gold_path, tmp_path) -> None:
    table = run("evaluate", "--gold", str(gold_path), str(SAMPLE), "--show-errors")
    assert table.exit_code == 0 and "micro" in table.output and "Relations" in table.output
    js = run("evaluate", "--gold", str(gold_path), str(SAMPLE), "--json")
    scores = json.loads(js.output)
    assert set(scores) == {"entities", "micro", "benefits", "relations"}
    assert set(scores["relations"]["by_type"]) == {"leads", "partners", "targets", "partOf", "operatesIn", "authored"}
    run("extract", str(SAMPLE), "-o", str(tmp_path))
    again = json.loads(run("evaluate", "--gold", str(gold_path), str(tmp_path / (SAMPLE.stem + ".json")), "--json").output)
    assert again == scores


@pytest.mark.parametrize(("setup", "args", "message"), [
    (lambda d: None, ["extract", "{d}/missing.txt"], "no such file or folder"),
    (lambda d: (d / "notes.md").write_text("x", encoding="utf-8"), ["extract", "{d}"], "holds no .txt files"),
    (lambda d: (d / "empty.txt").write_bytes(b""), ["extract", "{d}/empty.txt"], "is empty"),
    (lambda d: (d / "bin.txt").write_bytes(bytes(range(256)) * 8), ["extract", "{d}/bin.txt"], "binary"),
    (lambda d: (d / "bad.txt").write_bytes(b"\xff\xfe\xfa" * 3 + b"\x81"), ["extract", "{d}/bad.txt", "--encoding", "utf-8"],
     "not valid utf-8"),
    (lambda d: (d / "gold.json").write_text("{not json", encoding="utf-8"),
     ["evaluate", "--gold", "{d}/gold.json", str(SAMPLE)], "is not valid JSON"),
    (lambda d: (d / "gold.json").write_text('{"format": "other/2"}', encoding="utf-8"),
     ["evaluate", "--gold", "{d}/gold.json", str(SAMPLE)], "expected 'hfkg-extraction/1'"),
    (lambda d: None, ["evaluate", "--gold", "{d}/none.json", str(SAMPLE)], "no such file"),
])
def test_bad_input_is_one_line_exit_1_and_no_output(tmp_path, setup, args, message) -> None:
    setup(tmp_path)
    out = tmp_path / "out"
    argv = [a.replace("{d}", str(tmp_path)) for a in args]
    if argv[0] == "extract":
        argv += ["-o", str(out)]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_usage_mistake_exits_2() -> None:
    result = CliRunner().invoke(cli, ["evaluate", str(SAMPLE)])
    assert result.exit_code == 2
    assert CliRunner().invoke(cli, ["extract"]).exit_code == 2
