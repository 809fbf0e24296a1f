"""Splitting a document into sections: the preface and the per-region reports of a compilation.

A report heading is one to three short title lines followed by a line of
authoring organisations separated by (ideographic) spaces.  A preface is a
line such as 前言 / 序言, its authors taken from the signature at its end (an
organisation line followed by a date).  A single report or a news article is
one section.  Spans are in raw-text offsets, per the extraction spec: from the
heading's first character to the last non-space character before the next
heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hfkg.extract.lexicon import ORG_SUFFIXES
from hfkg.extract.normalize import NormText, canonical_name

PREFACE_TITLES = frozenset({"前言", "序言", "序", "引言", "编者按", "后记", "说明", "出版说明", "编辑说明", "卷首语", "导言"})
_DATE_LINE = re.compile(r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?\s*$")
_ORG_TAIL = re.compile("(?:" + "|".join(ORG_SUFFIXES) + ")$")
_TITLE_MAX = 40
_COLLECTION_TITLE = re.compile(r"(?:汇编|选编|文集|专辑|材料集|经验材料|交流材料|资料汇编|目录)\s*$")
_HEADING_MARK = re.compile(r"^(?:[一二三四五六七八九十]+、|\(|（|\d+[、.])")
_SPACES = re.compile(r"\s+")
_FIRST_TOKEN = re.compile(r"\s*(\S+)")
_PREFACE_FIRST = frozenset(t[0] for t in PREFACE_TITLES)
_PUNCTUATION = re.compile(r"[,，。;；:：、]")


@dataclass
class SectionInfo:
    """A section, in normalised offsets (``start``/``end``) and raw offsets (``raw_start``/``raw_end``)."""

    title: str
    authors_raw: list[str]
    start: int
    end: int
    raw_start: int
    raw_end: int
    body_start: int  # normalised offset where the running text starts (after the heading block)
    region: str | None = None
    authors: list[str] = field(default_factory=list)
    heading_spans: list[tuple[int, int]] = field(default_factory=list)
    author_spans: list[tuple[int, int, str]] = field(default_factory=list)


def looks_like_org(token: str) -> bool:
    token = token.strip()
    return 4 <= len(token) <= 30 and bool(_ORG_TAIL.search(token)) and not _PUNCTUATION.search(token)


def _is_author_line(par: str) -> bool:
    first = _FIRST_TOKEN.match(par)
    if first is None or not 4 <= len(first.group(1)) <= 30:
        return False  # no tokens, or a first token that cannot name an organisation (looks_like_org)
    tokens = [t for t in _SPACES.split(par.strip()) if t]
    return bool(tokens) and len(tokens) <= 6 and all(looks_like_org(t) for t in tokens)


def _is_title_line(par: str) -> bool:
    p = par.strip()
    return (0 < len(p) <= _TITLE_MAX and p[-1] not in "。；;，,：:" and not _HEADING_MARK.match(p)
            and not _DATE_LINE.match(p))


def _paragraph_texts(norm: NormText) -> list[tuple[int, int, str]]:
    return [(s, e, norm.text[s:e]) for s, e in norm.paragraphs if norm.text[s:e].strip()]


def _is_preface_title(text: str) -> bool:
    first = _FIRST_TOKEN.match(text)  # the compact text starts with the first token
    return first is not None and first.group(1)[0] in _PREFACE_FIRST and _SPACES.sub("", text) in PREFACE_TITLES


def _headings(pars: list[tuple[int, int, str]]) -> list[tuple[int, int, int, list[tuple[int, int]]]]:
    """(heading start index, author paragraph index or -1, body paragraph index, title paragraph indexes)."""
    out = []
    for i, (_s, _e, text) in enumerate(pars):
        if _is_preface_title(text):
            out.append((i, -1, i + 1, [(i, i)]))
            continue
        if _is_author_line(text) and i > 0:
            j = i
            while j > 0 and i - j < 3 and _is_title_line(pars[j - 1][2]) and not _is_author_line(pars[j - 1][2]):
                if out and j - 1 <= out[-1][2] - 1:
                    break
                if j < i and _COLLECTION_TITLE.search(pars[j - 1][2]):
                    break  # the compilation's own title line, not part of this report's heading
                j -= 1
            if j < i:
                out.append((j, i, i + 1, [(k, k) for k in range(j, i)]))
    return out


def _signature(pars: list[tuple[int, int, str]], lo: int, hi: int) -> list[str]:
    """Authors from a closing signature: an organisation line followed by a date line."""
    for k in range(hi - 1, max(lo, hi - 3) - 1, -1):
        if _DATE_LINE.match(pars[k][2]) and k - 1 >= lo and _is_author_line(pars[k - 1][2]):
            return [t for t in _SPACES.split(pars[k - 1][2].strip()) if t]
    return []


def _raw_end(norm: NormText, end: int) -> int:
    r = norm.raw_span(max(0, end - 1), end)[1] if end > 0 else 0
    raw = norm.raw
    while r > 0 and raw[r - 1].isspace():
        r -= 1
    return r


def split_sections(norm: NormText) -> list[SectionInfo]:
    """Find the sections of a document (at least one)."""
    pars = _paragraph_texts(norm)
    if not pars:
        return []
    heads = _headings(pars)
    sections: list[SectionInfo] = []
    front_matter = bool(heads) and all(_is_title_line(p[2]) for p in pars[:heads[0][0]])
    if not heads or (heads[0][0] > 0 and not front_matter):
        first_end = heads[0][0] if heads else len(pars)
        title_par = pars[0][2] if _is_title_line(pars[0][2]) and first_end > 1 else ""
        sections.append(_make(norm, pars, 0, first_end, title_par, [], 1 if title_par else 0, [(0, 0)] if title_par else []))
    for n, (h, a, body, titles) in enumerate(heads):
        end_idx = heads[n + 1][0] if n + 1 < len(heads) else len(pars)
        title = "".join(pars[t][2] for t, _ in titles)
        authors = [t for t in _SPACES.split(pars[a][2].strip()) if t] if a >= 0 else []
        if a < 0:
            authors = _signature(pars, body, end_idx)
        sec = _make(norm, pars, h, end_idx, title, authors, body, titles)
        if a >= 0:
            sec.author_spans = _author_spans(pars[a], authors)
        elif authors:
            sec.author_spans = _signature_spans(pars, body, end_idx, authors)
        sections.append(sec)
    return sections


def _author_spans(par: tuple[int, int, str], authors: list[str]) -> list[tuple[int, int, str]]:
    s, _e, text = par
    spans, pos = [], 0
    for a in authors:
        k = text.find(a, pos)
        spans.append((s + k, s + k + len(a), a))
        pos = k + len(a)
    return spans


def _signature_spans(pars: list[tuple[int, int, str]], lo: int, hi: int,
                     authors: list[str]) -> list[tuple[int, int, str]]:
    for k in range(hi - 1, lo - 1, -1):
        if _is_author_line(pars[k][2]) and authors[0] in pars[k][2]:
            return _author_spans(pars[k], authors)
    return []


def _make(norm: NormText, pars: list[tuple[int, int, str]], first: int, end_idx: int, title: str,
          authors: list[str], body: int, titles: list[tuple[int, int]]) -> SectionInfo:
    start = pars[first][0]
    end = pars[end_idx - 1][1]
    body_start = pars[body][0] if body < len(pars) and body < end_idx else end
    raw_start = norm.raw_span(start, start + 1)[0]
    return SectionInfo(
        title=canonical_name(title), authors_raw=authors, start=start, end=end, raw_start=raw_start,
        raw_end=_raw_end(norm, end), body_start=body_start,
        heading_spans=[(pars[t][0], pars[t][1]) for t, _ in titles],
    )
