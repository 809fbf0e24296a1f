"""Held-out evaluation: the extractor on four documents it was never developed on, scored against hand-made gold.

The documents (tests/data/heldout/) cover regions, encodings and genres the sample lacks: a PDF-wrapped compilation
(Shandong and Chongqing), a Big5 news article in traditional characters, a GB18030 county report (Henan) and a
UTF-16 CRLF report (Fujian).  Their gold files were written from hand annotations (``*.ann.yaml``) by
tools/heldout_gold.py, independently of the extractor's code.  Run ``pytest tests/test_heldout.py -s`` to see the
scores and the errors.  The floors are what a reasonable extractor should reach on unseen text, not its current
scores.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from hfkg.extract.evaluate import evaluate_records, format_report
from hfkg.extract.pipeline import extract_document
from hfkg.extract.reader import read_file
from hfkg.extract.records import load_record

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout"
DOCS = ["h1_compilation", "h2_news_trad", "h3_report_gb18030", "h4_utf16"]

ENTITY_F1_FLOOR = 0.6
BENEFIT_F1_FLOOR = 0.5
RELATION_F1_FLOOR = 0.3


def _gold_tool():
    spec = importlib.util.spec_from_file_location("heldout_gold", ROOT / "tools" / "heldout_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("heldout_gold", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", DOCS)
def test_gold_is_rebuilt_from_annotation(name: str) -> None:
    """The committed gold is exactly what the script computes from the hand annotation (no hand-typed offsets)."""
    tool = _gold_tool()
    built = tool.dumps(tool.build(HELDOUT / f"{name}.ann.yaml"))
    assert built == (HELDOUT / f"{name}.gold.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", DOCS)
def test_gold_spans_and_source(name: str) -> None:
    """Gold loads strictly, describes the text the reader decodes, and every span holds non-space text there."""
    gold = load_record(HELDOUT / f"{name}.gold.json")
    src = read_file(HELDOUT / f"{name}.txt")
    assert (gold.source.name, gold.source.chars, gold.source.sha256) == (f"{name}.txt", len(src.text), src.sha256)
    spans = [(e.name, m.start, m.end) for e in gold.entities for m in e.mentions]
    spans += [(s.title, s.start, s.end) for s in gold.sections]
    spans += [(b.description, b.start, b.end) for b in gold.benefits]
    for label, start, end in spans:
        piece = src.text[start:end]
        assert 0 <= start < end <= len(src.text) and piece.strip() == piece, (label, piece)
    assert all(e.mentions for e in gold.entities)


@pytest.mark.parametrize("name", DOCS)
def test_heldout_scores(name: str) -> None:
    gold = load_record(HELDOUT / f"{name}.gold.json")
    pred = extract_document(read_file(HELDOUT / f"{name}.txt"))
    result = evaluate_records(pred, gold)
    scores = result.scores
    print(f"\n===== {name}")
    print(json.dumps({"entities_micro": scores["micro"], "benefits": scores["benefits"],
                      "relations": {k: v for k, v in scores["relations"].items() if k != "by_type"}},
                     ensure_ascii=False))
    print(format_report(result, show_errors=True))
    failures = []
    if scores["micro"]["f1"] < ENTITY_F1_FLOOR:
        failures.append(f"entities micro-F1 {scores['micro']['f1']:.3f} < {ENTITY_F1_FLOOR}")
    if scores["benefits"]["f1"] < BENEFIT_F1_FLOOR:
        failures.append(f"benefits F1 {scores['benefits']['f1']:.3f} < {BENEFIT_F1_FLOOR}")
    if scores["relations"]["f1"] < RELATION_F1_FLOOR:
        failures.append(f"relations F1 {scores['relations']['f1']:.3f} < {RELATION_F1_FLOOR}")
    assert not failures, f"{name}: " + "; ".join(failures)
