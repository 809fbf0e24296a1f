"""Build a gold ``hfkg-extraction/1`` file from a compact hand annotation (names, surface forms, triples).

Offsets are never typed by hand: this script decodes the raw document, finds every surface form with optional
whitespace between characters (PDF wraps, page-break spaces, U+3000), as ``corpus/gold/GUIDELINES.md`` asks, and
writes the spans of the raw text.  Usage::

    python tools/heldout_gold.py tests/data/heldout/h1_compilation.ann.yaml          # writes h1_compilation.gold.json
    python tools/heldout_gold.py --check tests/data/heldout/*.ann.yaml                # exit 1 if a gold file is stale

The annotation (YAML) beside the document::

    source: h1_compilation.txt        # the raw document, in the same folder
    encoding: utf-8                   # its encoding; offsets count in the decoded text with CRLF read as LF
    sections:                         # in text order; start = first match of `heading` (default: title)
      - {title: 前言, region: null, authors: [中国计划生育协会]}
    entities:
      - {type: Agency, name: 潍坊市人口和计划生育委员会, region: 潍坊市, aliases: [市人口计生委], scope: 1}
    benefits:
      - {kind: cash, clause: 每人每月再发放生活补助200元, amount: 200, period: month, basis: person, ...}
    relations:
      - leads 中国计划生育协会 幸福家庭大家谈活动          # a trailing "?" marks the relation optional

Entity keys: ``type name region aliases forms required roles scope nested``.  ``forms`` are further surface forms
that are not aliases (a quoted name with its head noun: ``“暖巢关爱”工程``).  Surface forms, clauses and headings are
written in simplified characters with ASCII digits: the search runs on a view of the text in which each
traditional character is mapped to its simplified one, full-width digits are folded and 「」 read as “”; the view has
the same length as the text, so its offsets are the raw offsets.  ``scope`` limits the search to one section (index
or list of indices).  Mentions are flat: an occurrence inside a longer mention of another entity is dropped, unless
the entity says ``nested: true`` (a family type that only occurs inside a program name).  ``skip`` (top level) lists
phrases whose occurrences hold no mentions.  Every entity must get a mention, every alias must occur in the text and
every clause must match exactly once (or give ``nth``, counting from 0).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FULLWIDTH_DIGITS = {ord("０") + i: str(i) for i in range(10)}
QUOTES = {ord("「"): "“", ord("」"): "”"}


class AnnotationError(Exception):
    """A problem in a hand annotation, with a message saying which item."""


@dataclass
class Found:
    start: int
    end: int
    key: int  # index of the entity


# ----------------------------------------------------------------------------- text view and search


def simplified_view(text: str) -> str:
    """Same-length copy of *text*: simplified characters, ASCII digits, “” for 「」."""
    import opencc

    conv = opencc.OpenCC("t2s")
    out = []
    for ch in text.translate(FULLWIDTH_DIGITS).translate(QUOTES):
        simple = conv.convert(ch) if ord(ch) > 0x2E7F else ch
        out.append(simple if len(simple) == 1 else ch)
    return "".join(out)


def norm_form(form: str) -> str:
    """A hand-written surface form without whitespace, with ASCII digits."""
    return re.sub(r"\s+", "", form.translate(FULLWIDTH_DIGITS))


def pattern(form: str) -> re.Pattern[str]:
    """Regex for *form* allowing any whitespace between its characters."""
    chars = norm_form(form)
    if not chars:
        raise AnnotationError("empty surface form")
    return re.compile(r"\s*".join(re.escape(c) for c in chars))


def find_all(view: str, form: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Non-overlapping spans of *form* in view[lo:hi]."""
    hi = len(view) if hi is None else hi
    return [(m.start(), m.end()) for m in pattern(form).finditer(view, lo, hi)]


# ----------------------------------------------------------------------------- building


def decode(raw: bytes, encoding: str) -> str:
    """The document text offsets count in: decoded (a BOM is not a character), CRLF and lone CR read as LF.

    This is the convention of ``hfkg.extract.reader`` (whose ``source.sha256`` hashes this text as UTF-8); for a
    UTF-8 file with LF line ends it is the raw text itself.
    """
    text = raw.decode(encoding)
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def build(ann_path: Path) -> dict[str, Any]:
    """Read one annotation and return the gold record as a JSON-ready dict."""
    ann = yaml.safe_load(ann_path.read_text(encoding="utf-8"))
    src = ann_path.parent / ann["source"]
    text = decode(src.read_bytes(), ann["encoding"])
    view = simplified_view(text)
    sections = build_sections(ann.get("sections", []), text, view)
    entities = build_entities(ann.get("entities", []), view, sections, ann.get("skip", []))
    benefits = [build_benefit(b, view) for b in ann.get("benefits", [])]
    relations = build_relations(ann.get("relations", []), sections, entities)
    return {
        "format": "hfkg-extraction/1",
        "source": {"name": src.name, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text)},
        "sections": [{k: s[k] for k in ("title", "region", "authors", "start", "end")} for s in sections],
        "entities": entities,
        "benefits": benefits,
        "relations": relations,
    }


def build_sections(items: list[dict[str, Any]], text: str, view: str) -> list[dict[str, Any]]:
    """Sections from headings: start at the heading, end at the last non-space before the next one."""
    out: list[dict[str, Any]] = []
    pos = 0
    for item in items:
        heading = item.get("heading", item["title"])
        hits = find_all(view, heading, pos)
        if not hits:
            raise AnnotationError(f"section heading {heading!r} not found after offset {pos}")
        start = hits[0][0]
        out.append({"title": norm_form(item["title"]), "region": item.get("region"),
                    "authors": list(item.get("authors", [])), "start": start, "end": None})
        pos = hits[0][1]
    for i, sec in enumerate(out):
        stop = out[i + 1]["start"] if i + 1 < len(out) else len(text)
        sec["end"] = len(text[:stop].rstrip())
    return out


def scope_bounds(scope: Any, sections: list[dict[str, Any]], n_chars: int) -> list[tuple[int, int]]:
    """Character ranges an entity's forms are searched in."""
    if scope is None:
        return [(0, n_chars)]
    idx = scope if isinstance(scope, list) else [scope]
    return [(sections[i]["start"], sections[i]["end"]) for i in idx]


def build_entities(items: list[dict[str, Any]], view: str, sections: list[dict[str, Any]],
                   skip: list[str]) -> list[dict[str, Any]]:
    """Entities with flat mentions found by the script."""
    blocked = [span for phrase in skip for span in find_all(view, phrase)]
    found: list[Found] = []
    for key, item in enumerate(items):
        forms = [*item.get("forms", []), item["name"], *item.get("aliases", [])]
        for alias in item.get("aliases", []):
            if not find_all(view, alias):
                raise AnnotationError(f"alias {alias!r} of {item['name']!r} does not occur in the text")
        taken: list[tuple[int, int]] = []
        for form in sorted(set(forms), key=lambda f: -len(norm_form(f))):
            for lo, hi in scope_bounds(item.get("scope"), sections, len(view)):
                for s, e in find_all(view, form, lo, hi):
                    if any(s < te and ts < e for ts, te in taken) or any(bs <= s and e <= be for bs, be in blocked):
                        continue
                    taken.append((s, e))
                    found.append(Found(s, e, key))
    kept = flatten(found, items)
    out = []
    for key, item in enumerate(items):
        spans = sorted((f.start, f.end) for f in kept if f.key == key)
        if not spans:
            raise AnnotationError(f"{item['type']} {item['name']!r} has no mention in the text")
        ent: dict[str, Any] = {"type": item["type"], "name": norm_form(item["name"]).replace("“", "").replace("”", ""),
                               "aliases": list(item.get("aliases", [])), "region": item.get("region")}
        if item["type"] == "Person" or item.get("roles"):
            ent["roles"] = list(item.get("roles", []))
        ent["mentions"] = [{"start": s, "end": e} for s, e in spans]
        ent["required"] = bool(item.get("required", True))
        out.append(ent)
    return out


def flatten(found: list[Found], items: list[dict[str, Any]]) -> list[Found]:
    """Drop mentions inside a longer mention of another entity; refuse crossing or duplicate spans."""
    kept = []
    for f in found:
        outer = [g for g in found if g is not f and g.start <= f.start and f.end <= g.end
                 and (g.end - g.start) > (f.end - f.start)]
        if outer and not items[f.key].get("nested", False):
            continue
        for g in found:
            if g is f or g.key == f.key:
                continue
            if (g.start, g.end) == (f.start, f.end):
                raise AnnotationError(f"{items[f.key]['name']!r} and {items[g.key]['name']!r} share span {f.start}-{f.end}")
            crossing = f.start < g.start < f.end < g.end or g.start < f.start < g.end < f.end
            if crossing:
                raise AnnotationError(f"mentions of {items[f.key]['name']!r} and {items[g.key]['name']!r} cross "
                                      f"at {f.start}-{f.end} / {g.start}-{g.end}")
        kept.append(f)
    return kept


BENEFIT_KEYS = ("kind", "region", "program", "family_type", "amount", "previous_amount", "period", "basis",
                "description")


def build_benefit(item: dict[str, Any], view: str) -> dict[str, Any]:
    """One benefit; its span is the (unique, or ``nth``) match of its clause."""
    hits = find_all(view, item["clause"])
    nth = item.get("nth")
    if not hits or (nth is None and len(hits) > 1) or (nth is not None and nth >= len(hits)):
        raise AnnotationError(f"benefit clause {item['clause']!r} matches {len(hits)} times")
    start, end = hits[nth or 0]
    out = {k: item.get(k) for k in BENEFIT_KEYS}
    out["start"], out["end"] = start, end
    if item.get("qualifier") is not None:
        out["qualifier"] = item["qualifier"]
    out["required"] = bool(item.get("required", True))
    return out


def build_relations(lines: list[str], sections: list[dict[str, Any]],
                    entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Authored relations from section authors, then the hand-written triples."""
    names = {e["name"] for e in entities}
    titles = {s["title"] for s in sections}
    out = [{"type": "authored", "subject": a, "object": s["title"], "required": True}
           for s in sections for a in s["authors"]]
    for a in (a for s in sections for a in s["authors"]):
        if a not in names:
            raise AnnotationError(f"section author {a!r} is not an annotated entity")
    for line in lines:
        parts = line.split()
        optional = parts[-1] == "?"
        parts = parts[:-1] if optional else parts
        if len(parts) != 3:
            raise AnnotationError(f"relation {line!r} is not 'type subject object [?]'")
        rtype, subj, obj = parts
        if rtype not in ("leads", "partners", "targets", "partOf", "operatesIn", "authored"):
            raise AnnotationError(f"relation {line!r}: unknown type {rtype!r}")
        for name in (subj, obj):
            if name not in names and not (rtype == "authored" and name in titles):
                raise AnnotationError(f"relation {line!r}: {name!r} is not an annotated entity")
        out.append({"type": rtype, "subject": subj, "object": obj, "required": not optional})
    seen = set()
    for r in out:
        k = (r["type"], r["subject"], r["object"])
        if k in seen:
            raise AnnotationError(f"relation {k} is annotated twice")
        seen.add(k)
    return out


def gold_path(ann_path: Path) -> Path:
    return ann_path.with_name(ann_path.name.replace(".ann.yaml", ".gold.json"))


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("annotations", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with the gold files instead of writing them")
    args = parser.parse_args(argv)
    status = 0
    for ann in args.annotations:
        try:
            text = dumps(build(ann))
        except (AnnotationError, KeyError, OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            print(f"Error: {ann}: {exc}", file=sys.stderr)
            return 1
        out = gold_path(ann)
        if args.check:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                print(f"stale: {out}", file=sys.stderr)
                status = 1
        else:
            from hfkg._io import write_text

            write_text(out, text)
            print(f"wrote {out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
