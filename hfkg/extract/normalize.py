"""Normalised text for matching, with an exact map back to the raw text.

:func:`normalise` turns a decoded report into :class:`NormText`:

* full-width ASCII (digits, letters, punctuation) and the ideographic space are
  folded to ASCII, one character for one;
* traditional characters become simplified (OpenCC ``t2s``), one for one;
* PDF artefacts are undone: a line wrapped mid-sentence is joined to the next
  (so ``提高到２７`` / ``０元`` reads ``提高到270元``), blank lines between wrapped
  lines, spaces at line starts (page breaks) and spaces between Chinese
  characters or between Chinese and digits are dropped.  Paragraph ends become
  a single ``\\n``.  An ideographic space inside a line (a separator between
  organisations or title parts) stays as one ASCII space.

Every character of the normalised text comes from one raw character, so
:meth:`NormText.raw_span` maps any span back exactly.  :func:`canonical_name`
gives the canonical form of a name as the extraction spec defines it.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

# ----------------------------------------------------------------------------- one-for-one folding

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WIDTH[0x00A0] = 0x20
_WIDTH_TABLE = str.maketrans(_WIDTH)
_DIGITS_TABLE = str.maketrans({cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)})
_WIDE_FORM = "[\uff01-\uff5e\u3000\u00a0]"  # exactly the characters of _WIDTH
# (runs spelt C C* rather than C+, so that re can skip to the possible first characters)
_WIDE_FORM_RUNS = re.compile(f"({_WIDE_FORM}{_WIDE_FORM}*)")


def fold_width(text: str) -> str:
    """Fold full-width ASCII forms and the ideographic space to ASCII (length-preserving)."""
    parts = _WIDE_FORM_RUNS.split(text)  # text, run, text, run, …, text
    if len(parts) > 1:  # translate only the runs (all at once: they never hold NUL), three times as fast
        parts[1::2] = "\x00".join(parts[1::2]).translate(_WIDTH_TABLE).split("\x00")
    return "".join(parts)


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese, guaranteed one character for one."""
    if not _HAN.search(text):
        return text
    conv = _converter()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # Rare phrase conversions change length: fall back to line-wise, then character-wise conversion.
    parts = []
    for line in text.split("\n"):
        c = conv.convert(line)
        if len(c) != len(line):
            c = "".join(ch if len(x := conv.convert(ch)) != 1 else x for ch in line)
        parts.append(c)
    return "\n".join(parts)


# ----------------------------------------------------------------------------- canonical names

_NAME_DROP = re.compile(r"[\s\u3000“”‘’\"'「」『』《》〈〉]+")


@lru_cache(maxsize=1 << 16)
def canonical_name(surface: str) -> str:
    """Canonical name per the spec: no whitespace, quotes or 《》, full-width digits folded, simplified."""
    return to_simplified(_NAME_DROP.sub("", surface).translate(_DIGITS_TABLE))


# ----------------------------------------------------------------------------- de-wrapping

_SENTENCE_END = "。！？!?；;：:…"
_HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|第[一二三四五六七八九十]+[章节部分])"
)
_ASCII_ALNUM = re.compile(r"[0-9A-Za-z]")
_SEPARATOR_SPACE = re.compile(r"[\u4e00-\u9fff]\u3000+[\u4e00-\u9fff]")
_INNER_SPACE = re.compile(r"[ \t\u00a0][ \t\u00a0]*")  # C C*, not C+: see _WIDE_FORM_RUNS


@dataclass
class NormText:
    """Normalised text plus the map back to the raw text."""

    raw: str
    text: str
    _norm_starts: list[int] = field(repr=False)
    _raw_starts: list[int] = field(repr=False)
    paragraphs: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def to_raw(self, i: int) -> int:
        """Raw index of normalised character ``i`` (``len(text)`` maps to ``len(raw)``)."""
        if i >= len(self.text):
            return len(self.raw)
        k = bisect.bisect_right(self._norm_starts, i) - 1
        return self._raw_starts[k] + (i - self._norm_starts[k])

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``(start, end)`` covering normalised ``[start, end)``."""
        if end <= start:
            r = self.to_raw(start)
            return r, r
        return self.to_raw(start), self.to_raw(end - 1) + 1

    def raw_surface(self, start: int, end: int) -> str:
        rs, re_ = self.raw_span(start, end)
        return self.raw[rs:re_]

    def from_raw(self, r: int) -> int:
        """The first normalised index whose raw index is >= ``r``."""
        k = bisect.bisect_right(self._raw_starts, r) - 1
        if k < 0:
            return 0
        seg_norm, seg_raw = self._norm_starts[k], self._raw_starts[k]
        seg_len = (self._norm_starts[k + 1] if k + 1 < len(self._norm_starts) else len(self.text)) - seg_norm
        if r - seg_raw < seg_len:
            return seg_norm + (r - seg_raw)
        return seg_norm + seg_len


_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                   r"\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


_NARROW = "[^" + _WIDE.pattern[1:-1] + "]"
_NARROW_RUN = re.compile(_NARROW + _NARROW + "*")  # runs of the other characters (rarer in Chinese)


def _display_width(s: str) -> int:
    """Terminal/PDF column width: East Asian wide and full-width characters count two."""
    return 2 * len(s) - sum(map(len, _NARROW_RUN.findall(s)))


_LINE_SPACE = " \t\u3000\u00a0\f\v"


def _line_spans(raw: str) -> list[tuple[int, int]]:
    """(start, end) of the non-blank part of every non-blank line."""
    spans = []
    pos = 0
    for line in raw.split("\n"):
        stripped = line.strip(_LINE_SPACE)
        if stripped:
            start = pos + len(line) - len(line.lstrip(_LINE_SPACE))
            spans.append((start, start + len(stripped)))
        pos += len(line) + 1
    return spans


def _typical_width(widths: list[int]) -> int:
    if not widths:
        return 0
    ordered = sorted(widths)
    return ordered[math.ceil(0.75 * (len(ordered) - 1))]


def _has_separator_space(raw: str, s: int, e: int) -> bool:
    """An ideographic space between Chinese characters in ``raw[s:e]`` (looked for only when there is one)."""
    return raw.find("\u3000", s, e) >= 0 and _SEPARATOR_SPACE.search(raw, s, e) is not None


def _paragraph_ends(raw: str, spans: list[tuple[int, int]]) -> list[bool]:
    widths = [_display_width(raw[s:e]) for s, e in spans]
    typical = _typical_width(widths)
    ends = []
    for i, (s, e) in enumerate(spans):
        last = raw[e - 1]
        if last in _SENTENCE_END:
            ends.append(True)
            continue
        if widths[i] < 0.8 * typical or typical < 20 or _has_separator_space(raw, s, e):
            ends.append(True)
            continue
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        ends.append(nxt is None or bool(_HEADING_START.match(raw[nxt[0]:nxt[1]])))
    return ends


def _keep_space(raw: str, s: int, e: int) -> bool:
    """Keep an inner space run only between two ASCII letters/digits (``10 000``, ``Happy Family``)."""
    return s > 0 and e < len(raw) and bool(_ASCII_ALNUM.match(raw[s - 1])) and bool(_ASCII_ALNUM.match(raw[e]))


def normalise(raw: str) -> NormText:
    """Build the normalised text of ``raw`` (already newline-normalised) with its offset map."""
    folded = to_simplified(fold_width(raw))
    spans = _line_spans(raw)
    ends = _paragraph_ends(raw, spans)
    norm_starts: list[int] = []
    raw_starts: list[int] = []
    pieces: list[str] = []
    paragraphs: list[tuple[int, int]] = []
    pos = 0
    para_start = 0

    def emit(rs: int, re_: int) -> None:
        nonlocal pos
        if re_ <= rs:
            return
        norm_starts.append(pos)
        raw_starts.append(rs)
        pieces.append(folded[rs:re_])
        pos += re_ - rs

    for (s, e), end in zip(spans, ends, strict=True):
        cur = s
        for m in _INNER_SPACE.finditer(raw, s, e):
            if _keep_space(raw, m.start(), m.end()):
                continue
            emit(cur, m.start())
            cur = m.end()
        emit(cur, e)
        if end:
            paragraphs.append((para_start, pos))
            emit(e, e + 1) if e < len(raw) else None
            if e < len(raw):
                pieces[-1] = "\n"
            para_start = pos
    if para_start < pos:
        paragraphs.append((para_start, pos))
    if not norm_starts:
        norm_starts, raw_starts = [0], [0]
    return NormText(raw=raw, text="".join(pieces), _norm_starts=norm_starts, _raw_starts=raw_starts,
                    paragraphs=paragraphs)
