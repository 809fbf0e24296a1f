"""Scoring extraction records against a gold annotation, exactly as the extraction spec defines it.

Entities match on type and normalised name or alias (both ways) and, where both
give one, region.  Benefits match on kind, amount, period, basis and family
type (by name or alias).  Relations match on type, subject and object with
names resolved through aliases.  Matching is one-to-one (a maximum bipartite
matching, required gold items first); predictions that match an optional gold
item are forgiven, and missing an optional gold item costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hfkg.extract.normalize import canonical_name
from hfkg.extract.records import ENTITY_TYPES, RELATION_TYPES, Benefit, Entity, Record, Relation, load_record

T = TypeVar("T")
G = TypeVar("G")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def as_dict(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if self.fn == 0 else 0.0)
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if self.fp == 0 else 0.0)
        if self.tp + self.fp + self.fn == 0:
            p = r = 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}

    def __iadd__(self, other: Score) -> Score:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


@dataclass
class Outcome:
    """The matching of one item kind: score plus the unmatched items for ``--show-errors``."""

    score: Score
    false_positives: list[Any] = field(default_factory=list)
    false_negatives: list[Any] = field(default_factory=list)


@dataclass
class EvaluationResult:
    scores: dict[str, Any]
    entities: dict[str, Outcome]
    benefits: Outcome
    relations: dict[str, Outcome]


def _n(name: str | None) -> str | None:
    return None if name is None else canonical_name(name)


def _names(e: Entity) -> set[str]:
    return {canonical_name(e.name), *(canonical_name(a) for a in e.aliases)}


# ----------------------------------------------------------------------------- matching


def _max_matching(preds: Sequence[T], golds: Sequence[G], ok: Callable[[T, G], bool],
                  taken_pred: set[int]) -> dict[int, int]:
    """Kuhn's augmenting-path maximum matching; returns {gold index: pred index}."""
    adj = [[j for j, g in enumerate(golds) if ok(p, g)] if i not in taken_pred else [] for i, p in enumerate(preds)]
    match_gold: dict[int, int] = {}

    def try_assign(i: int, seen: set[int]) -> bool:
        for j in adj[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in match_gold or try_assign(match_gold[j], seen):
                match_gold[j] = i
                return True
        return False

    for i in range(len(preds)):
        if adj[i]:
            try_assign(i, set())
    return match_gold


def _score(preds: Sequence[T], golds: Sequence[G], ok: Callable[[T, G], bool],
           required: Callable[[G], bool]) -> Outcome:
    req = [g for g in golds if required(g)]
    opt = [g for g in golds if not required(g)]
    m_req = _max_matching(preds, req, ok, set())
    used = set(m_req.values())
    m_opt = _max_matching(preds, opt, ok, used)
    used |= set(m_opt.values())
    tp = len(m_req)
    fps = [p for i, p in enumerate(preds) if i not in used]
    fns = [g for j, g in enumerate(req) if j not in m_req]
    return Outcome(Score(tp=tp, fp=len(fps), fn=len(fns)), fps, fns)


def _required(item: Any) -> bool:
    return item.required is not False


# ----------------------------------------------------------------------------- the three kinds


def _entity_ok(p: Entity, g: Entity) -> bool:
    if p.type != g.type:
        return False
    pn, gn = canonical_name(p.name), canonical_name(g.name)
    if not (pn == gn or pn in {canonical_name(a) for a in g.aliases} or gn in {canonical_name(a) for a in p.aliases}):
        return False
    return p.region is None or g.region is None or _n(p.region) == _n(g.region)


def _alias_map(entities: list[Entity], types: tuple[str, ...] | None = None) -> dict[str, set[str]]:
    """Each normalised name or alias -> every name of the entities that carry it."""
    out: dict[str, set[str]] = {}
    for e in entities:
        if types and e.type not in types:
            continue
        names = _names(e)
        for n in names:
            out.setdefault(n, set()).update(names)
    return out


def _resolve(name: str | None, *maps: dict[str, set[str]]) -> set[str]:
    if name is None:
        return set()
    n = canonical_name(name)
    out = {n}
    for m in maps:
        out |= m.get(n, set())
    return out


def _same_number(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def _benefit_ok(pred_ft: dict[str, set[str]], gold_ft: dict[str, set[str]]) -> Callable[[Benefit, Benefit], bool]:
    def ok(p: Benefit, g: Benefit) -> bool:
        if (p.kind, p.period, p.basis) != (g.kind, g.period, g.basis) or not _same_number(p.amount, g.amount):
            return False
        if p.family_type is None or g.family_type is None:
            return p.family_type is None and g.family_type is None
        return bool(_resolve(p.family_type, pred_ft, gold_ft) & _resolve(g.family_type, pred_ft, gold_ft))

    return ok


def _relation_ok(pred_names: dict[str, set[str]], gold_names: dict[str, set[str]]) -> Callable[[Relation, Relation], bool]:
    def ok(p: Relation, g: Relation) -> bool:
        if p.type != g.type:
            return False
        subj = _resolve(p.subject, pred_names, gold_names) & _resolve(g.subject, pred_names, gold_names)
        return bool(subj) and bool(_resolve(p.object, pred_names, gold_names)
                                   & _resolve(g.object, pred_names, gold_names))

    return ok


def evaluate_records(pred: Record, gold: Record) -> EvaluationResult:
    """Score ``pred`` against ``gold``; the spec's JSON object is in ``result.scores``."""
    entities: dict[str, Outcome] = {}
    micro = Score()
    for etype in ENTITY_TYPES:
        out = _score([e for e in pred.entities if e.type == etype], [e for e in gold.entities if e.type == etype],
                     _entity_ok, _required)
        entities[etype] = out
        micro += out.score
    pred_ft, gold_ft = _alias_map(pred.entities, ("FamilyType",)), _alias_map(gold.entities, ("FamilyType",))
    benefits = _score(pred.benefits, gold.benefits, _benefit_ok(pred_ft, gold_ft), _required)
    ok = _relation_ok(_alias_map(pred.entities), _alias_map(gold.entities))
    relations: dict[str, Outcome] = {}
    rel_total = Score()
    for rtype in RELATION_TYPES:
        out = _score([r for r in pred.relations if r.type == rtype], [r for r in gold.relations if r.type == rtype],
                     ok, _required)
        relations[rtype] = out
        rel_total += out.score
    scores: dict[str, Any] = {
        "entities": {t: o.score.as_dict() for t, o in entities.items()},
        "micro": micro.as_dict(),
        "benefits": benefits.score.as_dict(),
        "relations": {**rel_total.as_dict(), "by_type": {t: o.score.as_dict() for t, o in relations.items()}},
    }
    return EvaluationResult(scores, entities, benefits, relations)


def evaluate_source(gold_path: str | Path, source: str, encoding: str | None = None) -> EvaluationResult:
    """Score a source (a text, extracted first, or an extraction JSON) against a gold file."""
    gold = load_record(gold_path)
    if source.lower().endswith(".json"):
        pred = load_record(source)
    else:
        from hfkg.extract.pipeline import extract_document
        from hfkg.extract.reader import read_file, read_stdin

        src = read_stdin(encoding) if source == "-" else read_file(source, encoding)
        pred = extract_document(src)
    return evaluate_records(pred, gold)


# ----------------------------------------------------------------------------- report


def _row(label: str, s: dict[str, Any]) -> str:
    return (f"{label:<12} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>7.3f}"
            f" {s['tp']:>5} {s['fp']:>5} {s['fn']:>5}")


def _describe(item: Any) -> str:
    if isinstance(item, Entity):
        return f"{item.type} {item.name}" + (f" [{item.region}]" if item.region else "")
    if isinstance(item, Benefit):
        prev = f" (from {item.previous_amount})" if item.previous_amount is not None else ""
        return (f"{item.kind} {item.amount}{prev} {item.period}/{item.basis} for {item.family_type}: "
                f"{item.description}")
    if isinstance(item, Relation):
        return f"{item.subject} -{item.type}-> {item.object}"
    return str(item)


def format_report(result: EvaluationResult, show_errors: bool = False) -> str:
    """A plain-text table per kind (P/R/F1/tp/fp/fn), optionally followed by every error."""
    s = result.scores
    head = f"{'':<12} {'precision':>9} {'recall':>7} {'f1':>7} {'tp':>5} {'fp':>5} {'fn':>5}"
    lines = ["Entities", head]
    lines += [_row(t, v) for t, v in s["entities"].items()]
    lines += [_row("micro", s["micro"]), "", "Benefits", head, _row("benefits", s["benefits"]), "", "Relations", head]
    lines += [_row(t, v) for t, v in s["relations"]["by_type"].items()]
    lines.append(_row("all", s["relations"]))
    if show_errors:
        groups = [*result.entities.items(), ("benefits", result.benefits), *result.relations.items()]
        for label, out in groups:
            for kind, items in (("false positive", out.false_positives), ("false negative", out.false_negatives)):
                lines += [f"{kind:<15} {label:<10} {_describe(i)}" for i in items]
    return "\n".join(lines)
