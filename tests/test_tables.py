"""CSV tables of the built graph: one row per program/benefit/agency, deterministic, formula-safe, round-trips."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from hfkg.cli import cli
from hfkg.exports.tables import TABLES, render

REPORT = """ 关爱计划生育特殊家庭
甲子市人口和计划生育委员会
南京市人口和计划生育委员会牵头实施“=SUM(A1)计划”，为失独家庭每人每月发放扶助金500元，将独生子女伤残家庭的扶助标准由每人每月150元提高到270元。
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tables")
    (folder / "report.txt").write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(folder / "report.txt"), "--out", str(folder / "out"), "--no-validate"])
    assert result.exit_code == 0, result.output
    return folder / "out"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_every_table_is_written_and_deterministic(built: Path, tmp_path: Path) -> None:
    for fmt in TABLES:
        first = CliRunner().invoke(cli, ["export", fmt, "--out", str(built), "-o", str(tmp_path / f"{fmt}.csv")])
        assert first.exit_code == 0, first.output
        again = CliRunner().invoke(cli, ["export", fmt, "--out", str(built)])
        assert (tmp_path / f"{fmt}.csv").read_bytes() == again.stdout_bytes
        assert _rows(again.stdout_bytes), fmt


def test_benefit_rows_carry_amounts_and_their_quote(built: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(built / "graph.trig"), format=ox.RdfFormat.TRIG)
    rows = _rows(render("benefits", store))
    raised = [r for r in rows if r["previous_amount"]]
    assert [(r["amount"], r["previous_amount"], r["frequency"], r["basis"]) for r in raised] == [
        ("270", "150", "monthly", "per person")]
    assert "270" in raised[0]["quote"] and raised[0]["family_type"] == "独生子女伤残家庭"


def test_formula_like_names_are_neutralised(built: Path) -> None:
    data = CliRunner().invoke(cli, ["export", "programs-csv", "--out", str(built)]).stdout_bytes
    names = [r["name_zh"] for r in _rows(data)]
    assert any(n.startswith("'=SUM") for n in names), names
    assert not any(n.startswith("=") for n in names)


def test_missing_build_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "programs-csv", "--out", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
