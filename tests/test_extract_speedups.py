"""The extractor's fast paths match what the plain spelling of each rule finds (regexes, bisection, automata)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from conftest import DOCS, SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from hfkg.extract import entities as ent
from hfkg.extract import lexicon as lx
from hfkg.extract.fastre import alt, branches
from hfkg.extract.pipeline import extract_document
from hfkg.extract.reader import read_file
from hfkg.extract.records import dumps_record
from hfkg.extract.resolve import ClauseStarts, _extra_program_mentions

_CHARS = "家庭户和计生独子女口籍,。:;\n"
_words = st.lists(st.text(alphabet=_CHARS, min_size=1, max_size=4), min_size=1, max_size=8)
_texts = st.text(alphabet=_CHARS, max_size=80)


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in rx.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_words, _words, _texts)
def test_branches_match_the_grouped_alternation(first, more, text) -> None:
    tail = f"(?:{alt(more)})*(?:家庭|户)(?!口|籍)"
    plain = re.compile(f"(?:{alt(first)})(?!口)|(?:{alt(more)}){tail}")
    fast = re.compile(branches(first, "(?!口)") + "|" + branches(more, tail))
    assert _spans(fast, text) == _spans(plain, text)


@settings(max_examples=300, deadline=None)
@given(_words, _texts)
def test_branches_match_a_repeated_group(words, text) -> None:
    plain = re.compile(f"(?:{alt(words)})+")
    fast = re.compile(branches(words, f"(?:{alt(words)})*"))
    assert _spans(fast, text) == _spans(plain, text)


def test_family_and_org_regexes_match_their_plain_spelling() -> None:
    texts = [read_file(p).text for p in [SAMPLE, *sorted(DOCS.glob("*.txt"))]]
    mods = alt(m for m in lx.FAMILY_MODIFIERS if m != "和")
    family = re.compile(f"(?:{alt(lx.family_taxonomy())})(?!口|籍|主|型|数)"
                        f"|(?:{mods})(?:(?:{mods})|和(?:{mods}))*(?:家庭|户)(?!口|籍|主|型|数)")
    org = re.compile(f"(?:{alt(lx.ORG_SUFFIXES)}|(?:{alt(lx.MINISTRY_STEMS)})部)+")
    for text in texts:
        assert _spans(ent.family_regex(), text) == _spans(family, text)
        assert _spans(ent._ORG_RE, text) == _spans(org, text)


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 10)), max_size=10), st.integers(0, 60),
       st.integers(0, 10))
def test_containment_test_agrees_with_a_scan(raw_spans, s, length) -> None:
    spans = [(a, a + n) for a, n in raw_spans]
    e = s + length
    assert ent._containment_test(spans)(s, e) == any(a <= s and e <= b for a, b in spans)


@given(_texts, st.integers(0, 90))
def test_clause_starts_agree_with_rfind(text, pos) -> None:
    assert ClauseStarts(text).at(pos) == max(text.rfind(ch, 0, pos) for ch in ",;。\n:") + 1


@given(st.sets(st.text(alphabet="计生家庭户和", min_size=1, max_size=5), max_size=8),
       st.text(alphabet="计生家庭户和,", max_size=80))
def test_extra_program_mentions_are_leftmost_longest(names, text) -> None:
    words = sorted((n for n in names if len(n) >= 3), key=len, reverse=True)
    expected = [(m.start(), m.end(), m.group()) for m in re.finditer("|".join(map(re.escape, words)), text)] \
        if words else []
    found = [(c.start, c.end, c.name) for c in _extra_program_mentions(text, [], names)]
    assert found == expected


def test_extraction_in_threads_gives_the_serial_records() -> None:
    """No per-document state lives in module globals: documents extracted side by side do not mix."""
    sources = [read_file(p) for p in [SAMPLE, *sorted(DOCS.glob("*.txt"))]]
    serial = [dumps_record(extract_document(s)) for s in sources]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda s: dumps_record(extract_document(s)), sources * 3))
    assert threaded == serial * 3
