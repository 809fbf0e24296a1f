"""The curation file: a researcher's corrections, applied to the extraction records on every build.

A YAML file (format ``hfkg-curation/1``) with any of these lists::

    license: https://creativecommons.org/licenses/by/4.0/     # dct:license of the dataset
    merge:    [{type: Agency, region: 北京市, into: 北京市人口和计划生育委员会, from: [北京市人口计生委]}]
    rename:   [{type: Program, region: 北京市, name: 旧名, to: 新名}]
    drop:     [{type: Program, region: 北京市, name: 某活动}]
    alias:    [{type: Agency, region: null, name: 中国计划生育协会, add: [中国计生协]}]
    benefits: [{match: {program: 某计划, description: 慰问金}, set: {amount: 300, period: month}}]
              # or {match: {...}, drop: true}

``region`` is optional in an entity entry (leave it out to match the name in any region; ``null`` means
national).  Entries that match nothing are reported as warnings and the build goes on; a file that is not
valid YAML or not of this shape raises :class:`~hfkg.errors.BuildError`.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hfkg.errors import BuildError
from hfkg.extract.records import BASES, BENEFIT_KINDS, ENTITY_TYPES, PERIODS, Benefit, Entity, Record

FORMAT = "hfkg-curation/1"
_SECTIONS = ("merge", "rename", "drop", "alias", "benefits")
_ANY = object()
QUALIFIERS = ("exact", "at_least", "about")


@dataclass
class Curation:
    """A parsed curation file."""

    name: str = ""
    sha256: str = ""
    license: str | None = None
    merge: list[dict[str, Any]] = field(default_factory=list)
    rename: list[dict[str, Any]] = field(default_factory=list)
    drop: list[dict[str, Any]] = field(default_factory=list)
    alias: list[dict[str, Any]] = field(default_factory=list)
    benefits: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CurationLog:
    """What the curation changed, so the builders can put curated facts in the curated graph."""

    name: str = ""
    sha256: str = ""
    renamed_keys: set[tuple[str, str, str | None]] = field(default_factory=set)
    aliases_added: set[tuple[str, tuple[str, str, str | None], str]] = field(default_factory=set)
    corrected: set[tuple[str, int]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    changes: int = 0

    def iri(self, minter: Any) -> str:
        return f"{minter.id}curation/{self.sha256[:16]}"

    def renamed(self, key: tuple[str, str, str | None]) -> bool:
        return key in self.renamed_keys

    def added_aliases(self, key: tuple[str, str, str | None]) -> set[str]:
        return {a for (_, k, a) in self.aliases_added if k == key}

    def alias_is_curated(self, doc_id: str, key: tuple[str, str, str | None], alias: str) -> bool:
        return (doc_id, key, alias) in self.aliases_added

    def benefit_corrected(self, doc_id: str, index: int) -> bool:
        return (doc_id, index) in self.corrected


# ----------------------------------------------------------------------------- loading


def load_curation(path: str | Path) -> Curation:
    """Read and check a curation file; :class:`BuildError` with one line when it is unusable."""
    import yaml

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read curation file {p}: {exc.strerror or exc}", hint="check --curation") from None
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BuildError(f"curation file {p} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise BuildError(f"curation file {p} is not valid YAML{where}: {problem}",
                         hint="see 'Curation file' in the README") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BuildError(f"curation file {p}: the top level must be a mapping", hint="see 'Curation file' in the README")
    unknown = sorted(set(data) - {*_SECTIONS, "format", "license"})
    if unknown:
        raise BuildError(f"curation file {p}: unknown key(s) {', '.join(map(str, unknown))}",
                         hint=f"allowed: format, license, {', '.join(_SECTIONS)}")
    if data.get("format", FORMAT) != FORMAT:
        raise BuildError(f"curation file {p}: format is {data.get('format')!r}, expected {FORMAT!r}")
    cur = Curation(name=p.name, sha256=hashlib.sha256(raw).hexdigest(), license=_opt(data.get("license")))
    for section in _SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise BuildError(f"curation file {p}: '{section}' must be a list of mappings")
        for n, item in enumerate(items, 1):
            _check(section, item, f"{p}: {section} entry {n}")
        setattr(cur, section, items)
    return cur


def _opt(v: Any) -> str | None:
    return None if v is None else str(v)


def _need(item: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not item.get(k)]
    if missing:
        raise BuildError(f"curation file {where}: missing {', '.join(missing)}")


def _check(section: str, item: dict[str, Any], where: str) -> None:
    if section != "benefits":
        _need(item, ("type",), where)
        if item["type"] not in ENTITY_TYPES:
            raise BuildError(f"curation file {where}: unknown type {item['type']!r} "
                             f"(expected one of {', '.join(ENTITY_TYPES)})")
    if section == "merge":
        _need(item, ("into", "from"), where)
        if not isinstance(item["from"], list):
            item["from"] = [item["from"]]
    elif section == "rename":
        _need(item, ("name", "to"), where)
    elif section == "drop":
        _need(item, ("name",), where)
    elif section == "alias":
        _need(item, ("name", "add"), where)
        if not isinstance(item["add"], list):
            item["add"] = [item["add"]]
    elif section == "benefits":
        if not isinstance(item.get("match"), dict) or not item["match"]:
            raise BuildError(f"curation file {where}: needs a non-empty 'match' mapping")
        if not item.get("drop") and not isinstance(item.get("set"), dict):
            raise BuildError(f"curation file {where}: needs 'set' (a mapping) or 'drop: true'")
        _check_benefit_values(item.get("set") or {}, where)


def _check_benefit_values(values: dict[str, Any], where: str) -> None:
    allowed = {"kind": BENEFIT_KINDS, "period": PERIODS, "basis": BASES, "qualifier": (*QUALIFIERS, None)}
    for key, value in values.items():
        if key in allowed and value not in allowed[key]:
            raise BuildError(f"curation file {where}: {key} {value!r} is not one of "
                             f"{', '.join(str(a) for a in allowed[key])}")
        if key in ("amount", "previous_amount") and value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)):
            raise BuildError(f"curation file {where}: {key} {value!r} is not a number")
        if key not in (*allowed, "amount", "previous_amount", "family_type", "description", "program", "region"):
            raise BuildError(f"curation file {where}: cannot set {key!r}")


# ----------------------------------------------------------------------------- applying


def _matches(ent: Entity, item: dict[str, Any], name: str) -> bool:
    if ent.type != item["type"] or ent.name != name:
        return False
    return "region" not in item or ent.region == item["region"]


def apply_curation(cur: Curation | None, docs: list[tuple[str, Record]]) -> tuple[list[Record], CurationLog]:
    """Apply ``cur`` to copies of the records; return them and the log (warnings list unmatched entries)."""
    records = [copy.deepcopy(r) for _, r in docs]
    log = CurationLog()
    if cur is None:
        return records, log
    log.name, log.sha256 = cur.name, cur.sha256
    ids = [d for d, _ in docs]
    extracted_names = {(e.type, e.name, e.region) for r in records for e in r.entities}

    for item in cur.merge:
        hit = False
        for rec in records:
            for src in item["from"]:
                for ent in [e for e in rec.entities if _matches(e, item, str(src))]:
                    hit = True
                    _rename(rec, ent, str(item["into"]))
        _note(log, hit, "merge", item, f"{item['from']} -> {item['into']}")
        if hit:
            region = item.get("region", _ANY)
            for rec in records:
                for e in rec.entities:
                    if e.type == item["type"] and e.name == item["into"] and (region is _ANY or e.region == region) \
                            and e.key not in extracted_names:
                        log.renamed_keys.add(e.key)
    for item in cur.rename:
        hit = False
        for rec in records:
            for ent in [e for e in rec.entities if _matches(e, item, str(item["name"]))]:
                hit = True
                _rename(rec, ent, str(item["to"]))
                log.renamed_keys.add(ent.key)
        _note(log, hit, "rename", item, str(item["name"]))
    for item in cur.drop:
        hit = False
        for rec in records:
            for ent in [e for e in rec.entities if _matches(e, item, str(item["name"]))]:
                hit = True
                _drop(rec, ent)
        _note(log, hit, "drop", item, str(item["name"]))
    for item in cur.alias:
        hit = False
        for doc_id, rec in zip(ids, records, strict=True):
            for ent in [e for e in rec.entities if _matches(e, item, str(item["name"]))]:
                hit = True
                for alias in map(str, item["add"]):
                    if alias not in ent.aliases and alias != ent.name:
                        ent.aliases.append(alias)
                        log.aliases_added.add((doc_id, ent.key, alias))
        _note(log, hit, "alias", item, str(item["name"]))
    corrected: set[int] = set()
    for item in cur.benefits:
        hit = False
        for rec in records:
            kept: list[Benefit] = []
            for ben in rec.benefits:
                if not _benefit_matches(ben, item["match"]):
                    kept.append(ben)
                    continue
                hit = True
                if item.get("drop"):
                    continue
                for key, value in item["set"].items():
                    setattr(ben, key, value)
                corrected.add(id(ben))
                kept.append(ben)
            rec.benefits = kept
        _note(log, hit, "benefits", item, str(item["match"]))
    for doc_id, rec in zip(ids, records, strict=True):
        log.corrected |= {(doc_id, n) for n, ben in enumerate(rec.benefits) if id(ben) in corrected}
    return records, log


def _benefit_matches(ben: Benefit, match: dict[str, Any]) -> bool:
    return all(getattr(ben, k, _ANY) == v for k, v in match.items())


def _note(log: CurationLog, hit: bool, section: str, item: dict[str, Any], what: str) -> None:
    if hit:
        log.changes += 1
    else:
        region = f" in {item['region'] or 'national'}" if "region" in item else ""
        kind = f"{item['type']} " if "type" in item else "benefit "
        log.warnings.append(f"curation {section}: no {kind}{what}{region} in the extractions")


def _rename(rec: Record, ent: Entity, new: str) -> None:
    """Rename ``ent`` to ``new`` (merging into an existing entity of that name); the old name becomes an alias."""
    old = ent.name
    target = next((e for e in rec.entities if e is not ent and e.type == ent.type and e.name == new
                   and e.region == ent.region), None)
    if target is None:
        ent.name = new
        ent.aliases = [a for a in dict.fromkeys([old, *ent.aliases]) if a != new]
        return
    for alias in (old, *ent.aliases):
        if alias != new and alias not in target.aliases:
            target.aliases.append(alias)
    target.mentions.extend(m for m in ent.mentions if m not in target.mentions)
    target.roles.extend(r for r in ent.roles if r not in target.roles)
    rec.entities.remove(ent)


def _drop(rec: Record, ent: Entity) -> None:
    """Remove ``ent``; relations naming it no longer resolve, and benefits lose that program or family type."""
    names = {ent.name, *ent.aliases}
    rec.entities.remove(ent)
    rec.relations = [r for r in rec.relations if r.subject not in names and r.object not in names]
    for ben in rec.benefits:
        if ent.type == "Program" and ben.program in names:
            ben.program = None
        if ent.type == "FamilyType" and ben.family_type in names:
            ben.family_type = None
