"""Extraction records: the ``hfkg-extraction/1`` JSON format as Python objects.

The format is the contract in ``shared/spec/extraction-format.md``: the
extractor writes it, curators edit it, the builders read it and ``hfkg
evaluate`` scores one file against another.  :func:`load_record` checks a file
strictly and raises :class:`~hfkg.errors.RecordError` with one line saying what
is wrong; :func:`dumps_record` writes it with a stable key order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hfkg.errors import RecordError

FORMAT = "hfkg-extraction/1"
ENTITY_TYPES = ("Region", "Agency", "Program", "FamilyType", "Person")
BENEFIT_KINDS = ("cash", "insurance", "service")
PERIODS = ("month", "year", "once", None)
BASES = ("person", "family", None)
RELATION_TYPES = ("leads", "partners", "targets", "partOf", "operatesIn", "authored")


@dataclass
class Span:
    start: int
    end: int

    def to_json(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass
class Section:
    title: str
    region: str | None
    authors: list[str]
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "region": self.region, "authors": list(self.authors),
                "start": self.start, "end": self.end}


@dataclass
class Entity:
    type: str
    name: str
    region: str | None = None
    aliases: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    required: bool | None = None

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.type, self.name, self.region)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "name": self.name, "aliases": list(self.aliases),
                               "region": self.region}
        if self.type == "Person" or self.roles:
            out["roles"] = list(self.roles)
        out["mentions"] = [m.to_json() for m in self.mentions]
        if self.required is not None:
            out["required"] = self.required
        return out


@dataclass
class Benefit:
    kind: str
    region: str | None
    program: str | None
    family_type: str | None
    amount: float | int | None
    previous_amount: float | int | None
    period: str | None
    basis: str | None
    description: str
    start: int
    end: int
    qualifier: str | None = None
    required: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind, "region": self.region, "program": self.program,
            "family_type": self.family_type, "amount": _num(self.amount),
            "previous_amount": _num(self.previous_amount), "period": self.period, "basis": self.basis,
            "description": self.description, "start": self.start, "end": self.end,
        }
        if self.qualifier is not None:
            out["qualifier"] = self.qualifier
        if self.required is not None:
            out["required"] = self.required
        return out


@dataclass
class Relation:
    type: str
    subject: str
    object: str
    subject_region: str | None = None
    object_region: str | None = None
    start: int | None = None
    end: int | None = None
    required: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "subject": self.subject, "object": self.object}
        if self.start is not None and self.end is not None:
            out["start"], out["end"] = self.start, self.end
        if self.required is not None:
            out["required"] = self.required
        return out


@dataclass
class Source:
    name: str
    sha256: str
    chars: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "chars": self.chars}


@dataclass
class Record:
    """One document's extraction (or gold annotation)."""

    source: Source
    sections: list[Section] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "source": self.source.to_json(),
            "sections": [s.to_json() for s in self.sections],
            "entities": [e.to_json() for e in self.entities],
            "benefits": [b.to_json() for b in self.benefits],
            "relations": [r.to_json() for r in self.relations],
        }
        out.update(self.extra)
        return out


def _num(value: float | int | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def dumps_record(record: Record) -> str:
    """Serialise a record as JSON text with a stable layout (ends with a newline).

    Chinese stays readable (``ensure_ascii=False``); control and bidi-override characters from documents are
    written as ``\\uXXXX`` escapes, which read back unchanged but cannot rewrite a terminal that shows the file.
    """
    from hfkg.textutil import escape_controls

    return escape_controls(json.dumps(record.to_json(), ensure_ascii=False, indent=1)) + "\n"


# ----------------------------------------------------------------------------- loading


def load_record(path: str | Path) -> Record:
    """Read and check one ``hfkg-extraction/1`` file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RecordError(f"{p}: no such file", hint="check the path") from None
    except IsADirectoryError:
        raise RecordError(f"{p} is a folder, not an extraction JSON file") from None
    except UnicodeDecodeError:
        raise RecordError(f"{p} is not UTF-8 text") from None
    except OSError as exc:
        raise RecordError(f"{p}: cannot read ({exc.strerror})", hint="check the path and permissions") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{p} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return record_from_json(data, str(p))


def record_from_json(data: Any, where: str = "<record>") -> Record:
    """Build a :class:`Record` from parsed JSON, checking every field."""
    if not isinstance(data, dict):
        raise RecordError(f"{where}: top level must be a JSON object")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise RecordError(f"{where}: format is {fmt!r}, expected {FORMAT!r}")
    try:
        src = data["source"]
        source = Source(name=str(src["name"]), sha256=str(src.get("sha256", "")), chars=int(src.get("chars", 0)))
        sections = [_section(s) for s in data.get("sections", [])]
        entities = [_entity(e) for e in data.get("entities", [])]
        benefits = [_benefit(b) for b in data.get("benefits", [])]
        relations = [_relation(r) for r in data.get("relations", [])]
    except RecordError as exc:
        raise RecordError(f"{where}: {exc.message}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordError(f"{where}: malformed record ({type(exc).__name__}: {exc})") from None
    known = {"format", "source", "sections", "entities", "benefits", "relations"}
    extra = {k: v for k, v in data.items() if k not in known}
    return Record(source, sections, entities, benefits, relations, extra)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _section(s: dict[str, Any]) -> Section:
    return Section(title=str(s["title"]), region=_opt_str(s.get("region")),
                   authors=[str(a) for a in s.get("authors", [])], start=int(s["start"]), end=int(s["end"]))


def _entity(e: dict[str, Any]) -> Entity:
    etype = e["type"]
    if etype not in ENTITY_TYPES:
        raise RecordError(f"unknown entity type {etype!r} (expected one of {', '.join(ENTITY_TYPES)})")
    name = str(e["name"])
    if not name:
        raise RecordError("an entity has an empty name")
    return Entity(
        type=etype, name=name, region=_opt_str(e.get("region")),
        aliases=[str(a) for a in e.get("aliases", [])],
        mentions=[Span(int(m["start"]), int(m["end"])) for m in e.get("mentions", [])],
        roles=[str(r) for r in e.get("roles", [])],
        required=e.get("required"),
    )


def _amount(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"amount {value!r} is not a number")
    return value


def _benefit(b: dict[str, Any]) -> Benefit:
    if b["kind"] not in BENEFIT_KINDS:
        raise RecordError(f"unknown benefit kind {b['kind']!r}")
    if b.get("period") not in PERIODS:
        raise RecordError(f"unknown benefit period {b.get('period')!r}")
    if b.get("basis") not in BASES:
        raise RecordError(f"unknown benefit basis {b.get('basis')!r}")
    return Benefit(
        kind=b["kind"], region=_opt_str(b.get("region")), program=_opt_str(b.get("program")),
        family_type=_opt_str(b.get("family_type")), amount=_amount(b.get("amount")),
        previous_amount=_amount(b.get("previous_amount")), period=b.get("period"), basis=b.get("basis"),
        description=str(b.get("description", "")), start=int(b["start"]), end=int(b["end"]),
        qualifier=_opt_str(b.get("qualifier")), required=b.get("required"),
    )


def _relation(r: dict[str, Any]) -> Relation:
    if r["type"] not in RELATION_TYPES:
        raise RecordError(f"unknown relation type {r['type']!r}")
    return Relation(type=r["type"], subject=str(r["subject"]), object=str(r["object"]),
                    start=r.get("start"), end=r.get("end"), required=r.get("required"))
