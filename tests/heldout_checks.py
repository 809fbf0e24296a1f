"""Checks shared by the held-out evaluation sets (tests/test_heldout.py, tests/test_heldout2.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from hfkg.extract.evaluate import evaluate_records, format_report
from hfkg.extract.pipeline import extract_document
from hfkg.extract.reader import read_file
from hfkg.extract.records import load_record

ROOT = Path(__file__).resolve().parent.parent

# What a reasonable extractor should reach on unseen text; fixed before the first run, not its current scores.
ENTITY_F1_FLOOR = 0.6
BENEFIT_F1_FLOOR = 0.5
RELATION_F1_FLOOR = 0.3


def gold_tool() -> ModuleType:
    """tools/heldout_gold.py, which builds gold files from the hand annotations."""
    spec = importlib.util.spec_from_file_location("heldout_gold", ROOT / "tools" / "heldout_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("heldout_gold", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def check_gold_rebuilt(folder: Path, name: str) -> None:
    """The committed gold is exactly what the script computes from the hand annotation (no hand-typed offsets)."""
    tool = gold_tool()
    built = tool.dumps(tool.build(folder / f"{name}.ann.yaml"))
    assert built == (folder / f"{name}.gold.json").read_text(encoding="utf-8")


def check_gold_spans(folder: Path, name: str) -> None:
    """Gold loads strictly, describes the text the reader decodes, and every span holds non-space text there."""
    gold = load_record(folder / f"{name}.gold.json")
    src = read_file(folder / f"{name}.txt")
    assert (gold.source.name, gold.source.chars, gold.source.sha256) == (f"{name}.txt", len(src.text), src.sha256)
    spans = [(e.name, m.start, m.end) for e in gold.entities for m in e.mentions]
    spans += [(s.title, s.start, s.end) for s in gold.sections]
    spans += [(b.description, b.start, b.end) for b in gold.benefits]
    for label, start, end in spans:
        piece = src.text[start:end]
        assert 0 <= start < end <= len(src.text) and piece.strip() == piece, (label, piece)
    assert all(e.mentions for e in gold.entities)


def check_scores(folder: Path, name: str) -> None:
    """Print the document's scores and errors (pytest -s) and hold them to the floors."""
    result = evaluate_records(extract_document(read_file(folder / f"{name}.txt")),
                              load_record(folder / f"{name}.gold.json"))
    scores = result.scores
    print(f"\n===== {name}")
    print(json.dumps({"entities_micro": scores["micro"], "benefits": scores["benefits"],
                      "relations": {k: v for k, v in scores["relations"].items() if k != "by_type"}},
                     ensure_ascii=False))
    print(format_report(result, show_errors=True))
    failures = [f"{label} F1 {score:.3f} < {floor}" for label, score, floor in (
        ("entities micro", scores["micro"]["f1"], ENTITY_F1_FLOOR),
        ("benefits", scores["benefits"]["f1"], BENEFIT_F1_FLOOR),
        ("relations", scores["relations"]["f1"], RELATION_F1_FLOOR)) if score < floor]
    assert not failures, f"{name}: " + "; ".join(failures)
