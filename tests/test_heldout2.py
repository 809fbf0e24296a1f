"""Second blind held-out evaluation: the extractor on four documents written after it was tuned on tests/data/heldout/.

The documents (tests/data/heldout2/) were written and annotated without looking at the extractor's code or at the
first held-out set: a PDF-wrapped Guangxi provincial report (UTF-8, 一是…四是, short place names, a leading group,
raised standards, funding totals and counts that are not benefits), a national news article (UTF-8, one paragraph
a line, officials with titles), a Big5 compilation of two Jiangxi city reports (short forms per section, a raised
standard cut by a wrap) and a GB18030 CRLF district report of 广州市海珠区 (street offices, community bodies,
留守儿童家庭/低保家庭/二孩家庭/流动人口家庭).  Their gold files are built from the hand annotations (``*.ann.yaml``)
by tools/heldout_gold.py.  Run ``pytest tests/test_heldout2.py -s`` to see the scores and the errors.  The floors
are what a reasonable extractor should reach on unseen text, fixed before the first run, not its current scores.
"""

from __future__ import annotations

import pytest
from heldout_checks import ROOT, check_gold_rebuilt, check_gold_spans, check_scores

from hfkg.extract.records import load_record

HELDOUT = ROOT / "tests" / "data" / "heldout2"
DOCS = ["b1_province_report", "b2_news", "b3_trad_compilation", "b4_district_gb18030"]


@pytest.mark.parametrize("name", DOCS)
def test_gold_is_rebuilt_from_annotation(name: str) -> None:
    check_gold_rebuilt(HELDOUT, name)


@pytest.mark.parametrize("name", DOCS)
def test_gold_spans_and_source(name: str) -> None:
    check_gold_spans(HELDOUT, name)
    gold = load_record(HELDOUT / f"{name}.gold.json")
    assert any(e.required for e in gold.entities) and any(b.required for b in gold.benefits)


def test_documents_have_the_promised_form() -> None:
    """The files really carry the difficulties the set is meant to test (encodings, wraps, line ends)."""
    b1 = (HELDOUT / "b1_province_report.txt").read_text(encoding="utf-8")
    lines = b1.split("\n")
    assert any(line.startswith(" ") for line in lines)  # a page-break line
    assert sum(1 for line in lines if line == "") > len(lines) / 3  # PDF wrapping: a blank line after each line
    b3 = (HELDOUT / "b3_trad_compilation.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        b3.decode("utf-8")
    assert "資助標準" in b3.decode("big5")
    b4 = (HELDOUT / "b4_district_gb18030.txt").read_bytes()
    assert b4.count(b"\r\n") == b4.count(b"\n") > 0
    with pytest.raises(UnicodeDecodeError):
        b4.decode("gbk")  # a character only GB18030 encodes
    assert "\u4dae" in b4.decode("gb18030")


@pytest.mark.parametrize("name", DOCS)
def test_heldout2_scores(name: str) -> None:
    check_scores(HELDOUT, name)
