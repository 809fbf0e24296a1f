"""Shared fixtures: paths to the bundled sample, the test documents and (when present) the shared gold file."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
DOCS = DATA / "docs"
SAMPLE = ROOT / "hfkg" / "samples" / "000_8e7bd97d21c6ac00.txt"
GOLD = ROOT.parent / "shared" / "corpus" / "gold" / "000_8e7bd97d21c6ac00.gold.json"


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture
def gold_path() -> Path:
    if not GOLD.exists():
        pytest.skip(f"the shared gold annotation is not beside this checkout ({GOLD})")
    return GOLD
