"""``hfkg build``, ``hfkg validate``: the sample end to end, summaries, one-line errors, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hfkg.cli import cli

DATA = Path(__file__).parent / "data"
RECORDS = DATA / "records"


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("sample") / "hfkg-out"
    res = run("build", "--out", str(out))
    assert res.exit_code == 0, res.output
    return out, res.stdout


def test_build_sample_then_validate(sample_build: tuple[Path, str]) -> None:
    out, stdout = sample_build
    assert stdout.startswith("Built 1 document(s) into ")
    for word in ("entities:", "Program", "Agency", "benefits:", "relations:", "triples:", "SHACL:     conforms"):
        assert word in stdout
    assert (out / "graph.trig").is_file() and (out / "graph.ttl").is_file()
    assert (out / "extractions" / "000_8e7bd97d21c6ac00.json").is_file()
    res = run("validate", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("SHACL: conforms")
    res = run("validate", str(out / "graph.ttl"))
    assert res.exit_code == 0 and res.stdout.startswith("SHACL: conforms")


def test_validate_reports_a_broken_quote(sample_build: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = sample_build
    text = (out / "graph.ttl").read_text(encoding="utf-8")
    marker = 'oa:exact "'
    at = text.index(marker) + len(marker)
    broken = tmp_path / "broken.ttl"
    broken.write_text(text[:at] + "X" + text[at:], encoding="utf-8")
    res = run("validate", str(broken))
    assert res.exit_code == 1
    assert "oa:exact does not equal the text" in res.stdout
    assert res.stderr.startswith("Error: the data does not conform") and res.stderr.count("\n") == 1


def test_build_records_with_curation_warns(tmp_path: Path) -> None:
    res = run("build", str(RECORDS), "--out", str(tmp_path), "--curation", str(DATA / "curation.yaml"))
    assert res.exit_code == 0, res.output
    assert "Warning: curation merge: no Agency ['苏州市人口计生委办公室']" in res.stderr
    assert "SHACL:     conforms" in res.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--base", "not an iri"], "Error: invalid base IRI"),
    (["--curation", str(DATA / "records" / "alpha.txt")], "Error: curation file"),
    (["--license", "CC-BY 4.0"], "Error: licence 'CC-BY 4.0' is not an absolute IRI"),
])
def test_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    res = run("build", str(RECORDS), "--out", str(tmp_path / "o"), *args)
    assert res.exit_code == 1
    assert res.stderr.startswith(message) and res.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_wrong_format_json_and_env_base(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"format": "other"}', encoding="utf-8")
    res = run("build", str(bad), "--out", str(tmp_path / "o"))
    assert res.exit_code == 1 and res.stderr.startswith("Error: ") and "hfkg-extraction/1" in res.stderr
    res = run("build", str(RECORDS / "beta.json"), "--out", str(tmp_path / "e"), "--no-validate",
              env={"HFKG_BASE": "https://kg.example.com/"})
    assert res.exit_code == 0, res.output
    assert "<https://kg.example.com/id/" in (tmp_path / "e" / "graph.ttl").read_text(encoding="utf-8")


def test_unwritable_output(tmp_path: Path) -> None:
    blocker = tmp_path / "f"
    blocker.write_text("", encoding="utf-8")
    res = run("build", str(RECORDS), "--out", str(blocker / "out"))
    assert res.exit_code == 1 and res.stderr.startswith("Error: cannot create")


def test_byte_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "hfkg", "build", str(RECORDS), "--out", str(out), "--no-validate"],
                       check=True, env=env, capture_output=True)
        outputs.append(out)
    a, b = outputs
    # the builders' outputs (the embedded store is a database, compared by its contents elsewhere)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and "store" not in p.relative_to(a).parts)
    assert {"graph.trig", "graph.ttl", "iri_registry.json", "extractions/alpha.json"} <= {str(p) for p in files}
    assert files == sorted(p.relative_to(b) for p in b.rglob("*")
                           if p.is_file() and "store" not in p.relative_to(b).parts)
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
