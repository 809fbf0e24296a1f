"""hfkg build validates small graphs by default and says so when it skips a large one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DOCS

from hfkg.cli import cli


def test_large_graph_skips_shacl_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hfkg.builders.AUTO_VALIDATE_LIMIT", 10)
    monkeypatch.setattr("hfkg.builders.POST_BUILD", [])
    result = CliRunner().invoke(cli, ["build", str(DOCS / "news_big5.txt"), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "SHACL check skipped" in result.stderr and "SHACL:" not in result.stdout
    forced = CliRunner().invoke(cli, ["build", str(DOCS / "news_big5.txt"), "--out", str(tmp_path / "b"), "--validate"])
    assert forced.exit_code == 0 and "SHACL:     conforms" in forced.stdout


def test_small_graph_is_validated_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hfkg.builders.POST_BUILD", [])
    result = CliRunner().invoke(cli, ["build", str(DOCS / "news_big5.txt"), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0 and "SHACL:     conforms" in result.stdout
    skipped = CliRunner().invoke(cli, ["build", str(DOCS / "news_big5.txt"), "--out", str(tmp_path / "b"), "--no-validate"])
    assert skipped.exit_code == 0 and "SHACL" not in skipped.output


def test_jobs_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hfkg.builders.POST_BUILD", [])
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["build", str(DOCS), "--out", str(tmp_path / jobs), "--no-validate",
                                          "--jobs", jobs])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "1" / "graph.trig").read_bytes() == (tmp_path / "2" / "graph.trig").read_bytes()
