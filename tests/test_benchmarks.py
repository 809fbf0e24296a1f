"""Smoke tests of the benchmarks: the corpus generator is seeded and extractable, the runner writes valid JSON."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate_corpus, generate_report
from hfkg.extract.parallel import extract_many
from hfkg.extract.reader import iter_sources
from hfkg.extract.records import dumps_record

ROOT = Path(__file__).resolve().parent.parent


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.txt"))}


def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    generate_corpus(4, 7, tmp_path / "a")
    generate_corpus(4, 7, tmp_path / "b")
    generate_corpus(4, 8, tmp_path / "c")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert set(_digest(tmp_path / "a").values()).isdisjoint(_digest(tmp_path / "c").values())
    # report i depends on (seed, i) only: a small corpus is the start of a larger one
    generate_corpus(2, 7, tmp_path / "d")
    assert _digest(tmp_path / "d") == {k: v for k, v in _digest(tmp_path / "a").items() if k in _digest(tmp_path / "d")}


def test_reports_have_the_genre_features() -> None:
    text = generate_report(3, 0)
    size = len(text.encode("utf-8"))
    assert 12_000 <= size <= 25_000
    lines = text.split("\n")
    assert lines[0].startswith(" ") and "前" in lines[0]
    assert any("\u3000" in line for line in lines)  # author lines and titles
    assert any(line.startswith(" ") for line in lines[5:])  # page breaks
    assert any(ch in text for ch in "０１２３４５６７８９")
    assert "“" in text and "元" in text
    body = [line for line in lines if line and not line.startswith(" ")]
    assert max(len(line) for line in body) <= 60


def test_generated_corpus_extracts_without_errors_and_in_parallel_alike(tmp_path: Path) -> None:
    generate_corpus(3, 11, tmp_path)
    sources = list(iter_sources([str(tmp_path)]))
    serial = extract_many(sources, 1, progress=False)
    pooled = extract_many(sources, 2, progress=False)
    assert [dumps_record(r) for r in serial] == [dumps_record(r) for r in pooled]
    for src, rec in zip(sources, serial, strict=True):
        assert rec.source.sha256 == src.sha256
        assert len(rec.sections) >= 2
        assert {e.type for e in rec.entities} >= {"Region", "Agency", "Program", "FamilyType"}
        assert rec.benefits


def test_extract_many_rejects_negative_jobs() -> None:
    from hfkg.errors import HfkgError

    with pytest.raises(HfkgError, match="number of jobs"):
        extract_many([], -1)


def test_runner_writes_valid_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [str(ROOT / "benchmarks" / "run"), "--reports", "2", "--repeat", "1", "--query-runs", "2",
         "--no-validate", "--no-synthetic", "--query-timeout", "5", "--baseline-timeout", "30",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHON": sys.executable})
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "stamp" not in data
    assert data["machine"]["cpu_count"] == os.cpu_count()
    size = data["sizes"][0]
    assert size["reports"] == 2 and size["build"]["ok"]
    assert size["build"]["triples"] > 1000
    assert size["extraction"]["mb_s_1"] > 0
    assert size["queries"] and all("p50_ms" in q or "error" in q for q in size["queries"].values())
    assert size["baseline"]["load"]["triples"] > 0
    assert set(data["targets"]) >= {"extraction_mb_s_per_core", "build_wall_s", "query_p50_ms_max", "growth_exponent"}
    assert "targets (issue 6" in proc.stdout


def test_reanalyse_reproduces_the_committed_results() -> None:
    """The committed verdicts and ratios follow from its measurements by the current analysis code."""
    import json
    from pathlib import Path

    from benchmarks.run import reanalyse

    path = Path(__file__).parent.parent / "benchmarks" / "results" / "n10-n100-n1000.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    again = reanalyse(json.loads(path.read_text(encoding="utf-8")))
    assert again["targets"] == stored["targets"] and again["growth"] == stored["growth"]
    assert again["targets"]["growth_exponent"]["met"] is True
    assert again["targets"]["build_wall_s"]["met"] is False  # the honest verdict at 1,000 reports
