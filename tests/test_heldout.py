"""Held-out evaluation: the extractor on four documents it was never developed on, scored against hand-made gold.

The documents (tests/data/heldout/) cover regions, encodings and genres the sample lacks: a PDF-wrapped compilation
(Shandong and Chongqing), a Big5 news article in traditional characters, a GB18030 county report (Henan) and a
UTF-16 CRLF report (Fujian).  Their gold files were written from hand annotations (``*.ann.yaml``) by
tools/heldout_gold.py, independently of the extractor's code.  Run ``pytest tests/test_heldout.py -s`` to see the
scores and the errors.  The floors are what a reasonable extractor should reach on unseen text, not its current
scores.
"""

from __future__ import annotations

import pytest
from heldout_checks import ROOT, check_gold_rebuilt, check_gold_spans, check_scores

HELDOUT = ROOT / "tests" / "data" / "heldout"
DOCS = ["h1_compilation", "h2_news_trad", "h3_report_gb18030", "h4_utf16"]


@pytest.mark.parametrize("name", DOCS)
def test_gold_is_rebuilt_from_annotation(name: str) -> None:
    check_gold_rebuilt(HELDOUT, name)


@pytest.mark.parametrize("name", DOCS)
def test_gold_spans_and_source(name: str) -> None:
    check_gold_spans(HELDOUT, name)


@pytest.mark.parametrize("name", DOCS)
def test_heldout_scores(name: str) -> None:
    check_scores(HELDOUT, name)
