"""The README shows every command, and the tree is ruff clean."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from hfkg.cli import cli


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in sorted(cli.commands.items()):
        assert command.help, f"hfkg {name} has no help text"
        assert f"hfkg {name}" in readme, f"the README never shows hfkg {name}"


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\npython -m pytest -q\n" in ci


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(ROOT / ".venv" / "bin"))
    cmd = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    try:
        done = subprocess.run([*cmd, "check", "hfkg", "tests", "benchmarks", "tools"], cwd=ROOT,
                              capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    assert done.returncode == 0, done.stdout[-3000:]
