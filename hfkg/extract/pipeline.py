"""The extraction pipeline: a decoded source to one ``hfkg-extraction/1`` record, and the ``extract`` command.

read -> normalise -> sections -> regions (section regions) -> entities -> resolution -> benefits -> relations.
Offsets in the record refer to the raw decoded text (``SourceText.text``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hfkg._io import write_text
from hfkg.extract.entities import Candidate, RegionScans, recognise, region_candidates
from hfkg.extract.normalize import NormText, normalise
from hfkg.extract.reader import SourceText, decode_bytes, iter_sources
from hfkg.extract.records import Record, Section, Source, dumps_record
from hfkg.extract.relations import find_relations
from hfkg.extract.resolve import SectionIndex, assign_section_regions, resolve
from hfkg.extract.sections import SectionInfo, split_sections


def extract_document(src: SourceText) -> Record:
    """Extract one decoded document."""
    with _collector_paused():
        return _extract(src)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while one document is extracted.

    Extraction makes no reference cycles that need the collector (reference counting frees its objects), but a
    document of several megabytes keeps millions of small objects alive, and each full collection walks all of
    them again: on a 5.5 MB document that was a third of the time, and why time grew faster than the input.
    The collector resumes afterwards if it was running (other threads may see it paused meanwhile).
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _extract(src: SourceText) -> Record:
    norm = normalise(src.text)
    sections = split_sections(norm)
    scans: RegionScans = {}  # each section's gazetteer scan, before and after the sections get their regions
    places = region_candidates(norm.text, sections, scans)
    assign_section_regions(sections, places, norm.text)
    cands = recognise(norm, sections, scans)
    resolved = resolve(norm, sections, cands, places)
    benefits = _benefits(norm, sections, resolved.keys)
    relations = find_relations(norm, sections, resolved.keys)
    return Record(
        source=Source(name=src.name, sha256=src.sha256, chars=len(src.text)),
        sections=[_section_record(s) for s in sections],
        entities=resolved.entities,
        benefits=benefits,
        relations=relations,
    )


def _section_record(s: SectionInfo) -> Section:
    return Section(title=s.title, region=s.region, authors=list(s.authors), start=s.raw_start, end=s.raw_end)


def _benefits(norm: NormText, sections: list[SectionInfo],
              keys: list[tuple[Candidate, tuple[str, str, str | None]]]) -> list[Any]:
    from hfkg.extract.benefits import find_benefits
    from hfkg.extract.mentions import Mention, MentionIndex

    index = MentionIndex([Mention(k[0], c.start, c.end, norm.text[c.start:c.end], k[1], k[2], c.optional)
                          for c, k in keys])
    sec_index = SectionIndex(sections)

    def region_of(pos: int) -> str | None:
        sec = sec_index.at(pos)
        return sec.region if sec else None

    hits = find_benefits(norm, index, [(s.start, s.end, s.region) for s in sections], region_of)
    return [h.to_record(norm) for h in hits]


def extract_text(text: str, name: str = "text.txt") -> Record:
    """Extract from a Python string (already decoded)."""
    from hfkg.extract.reader import normalise_newlines

    return extract_document(SourceText(name=name, text=normalise_newlines(text), encoding="utf-8"))


def extract_source(source: Any, encoding: str | None = None) -> list[Record]:
    """Extract from a path (file or folder), a list of paths, or bytes."""
    if isinstance(source, bytes):
        return [extract_document(decode_bytes(source, "input.txt", encoding))]
    paths = [str(p) for p in source] if isinstance(source, list | tuple) else [str(source)]
    return [extract_document(src) for src in iter_sources(paths, encoding)]


def output_name(src_name: str) -> str:
    return Path(src_name).stem + ".json"


def extract_to(sources: list[str], out: str, encoding: str | None = None) -> Iterator[str]:
    """Extract every source; write one JSON per document into ``out`` (or yield the JSON when ``out`` is ``-``)."""
    from hfkg._io import OutputError

    if out != "-" and Path(out).exists() and not Path(out).is_dir():
        raise OutputError(f"{out} exists and is not a folder", hint="give a folder for -o, or - for standard output")
    used: set[str] = set()
    for src in iter_sources(sources, encoding):
        text = dumps_record(extract_document(src))
        if out == "-":
            yield text
            continue
        name = output_name(src.name)
        if name in used:  # a/r.txt and b/r.txt: the second gets its text's hash in the name
            name = f"{Path(name).stem}-{src.sha256[:8]}.json"
        used.add(name)
        target = Path(out) / name
        write_text(target, text)
        yield f"wrote {target}"
