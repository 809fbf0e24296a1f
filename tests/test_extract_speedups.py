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


# ----------------------------------------------------------------------------- rewritten regexes and helpers

_PLAIN = {  # each rewritten pattern in its plain spelling
    "anaphor": r"(?:为|对|向|给|帮助|使|让|与)(?:其|他们|她们)|这些家庭|这类家庭|此类家庭|该类家庭|上述家庭|该家庭|这部分家庭|"
               r"以上家庭|(?<![为对向给])他们|(?<![为对向给])她们",
    "threshold": r"收入|(?<!不)低于|(?<!不)高于|不足|不到|工资|存款|资产",
    "basis": r"每(?:个|位|名)?(?:人次|人)|每[名位]|/人|每(?:个)?(?:户|家庭)|每个[\u4e00-\u9fff]{1,8}?家庭|/户|"
             r"[户人]均(?=补|发|领|获|享|给)",
    "numbered": r"[一二三四五六七八九十两\d]+[大项个类][\u4e00-\u9fff]{2,8}?(?:工程|项目|计划|活动|行动)",
}


def _rewritten() -> dict[str, re.Pattern[str]]:
    from hfkg.extract import benefits

    return {"anaphor": benefits._ANAPHOR, "threshold": benefits._THRESHOLD, "basis": benefits._BASIS,
            "numbered": ent._NUMBERED_HEAD_RE}


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="为对向给帮助使让与其他们她这些家庭不低高于收入十两3大项工程计划每个人户均补/", max_size=16),
       st.integers(0, 16), st.integers(0, 16))
def test_rewritten_regexes_match_their_plain_spelling(text, pos, endpos) -> None:
    for key, fast in _rewritten().items():
        plain = re.compile(_PLAIN[key])
        assert [m.span() for m in fast.finditer(text, pos, endpos)] == \
            [m.span() for m in plain.finditer(text, pos, endpos)], key


@given(st.text(alphabet="与联合会同共开展启动北京市协会,。", max_size=30))
def test_partner_cues_prefilter_finds_what_the_pattern_finds(text) -> None:
    from hfkg.extract.relations import PARTNER_CUES, _partner_cues

    assert [m.span() for m in _partner_cues(text, 0, len(text))] == [m.span() for m in PARTNER_CUES.finditer(text)]


@given(st.text(alphabet="a1 ，。中文\u3000\uff10\U00020001\u1100\u00a0x\t\n\f", max_size=30))
def test_normalise_helpers_agree_with_their_plain_spelling(text) -> None:
    from hfkg.extract import normalize as nz

    assert nz._display_width(text) == len(text) + len(nz._WIDE.findall(text))
    assert nz.fold_width(text) == text.translate(nz._WIDTH_TABLE)
    plain_spans = []
    for m in re.finditer(r"[^\n]+", text):
        stripped = m.group().strip(" \t\u3000\u00a0\f\v")
        if stripped:
            lead = len(m.group()) - len(m.group().lstrip(" \t\u3000\u00a0\f\v"))
            plain_spans.append((m.start() + lead, m.start() + lead + len(stripped)))
    assert nz._line_spans(text) == plain_spans


@given(st.lists(st.sampled_from(["北京市计生委", "协会", " ", "\u3000", "委员会办公室", "前言", "序", "abc", "，", "x" * 31]),
                max_size=7))
def test_section_line_tests_agree_with_their_plain_spelling(parts) -> None:
    from hfkg.extract import sections as sx

    text = "".join(parts)
    tokens = [t for t in re.split(r"\s+", text.strip()) if t]
    assert sx._is_author_line(text) == (bool(tokens) and len(tokens) <= 6 and all(sx.looks_like_org(t) for t in tokens))
    assert sx._is_preface_title(text) == (re.sub(r"\s+", "", text) in sx.PREFACE_TITLES)


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), max_size=12),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)), max_size=3))
def test_regions_inside_spans_agree_with_a_scan(raw_regions, raw_spans) -> None:
    from hfkg.extract.entities import Candidate
    from hfkg.extract.resolve import RegionsByStart

    cands = [Candidate("Region" if k % 3 else "Agency", a, a + n, f"r{k}") for k, (a, n) in enumerate(raw_regions)]
    spans = [(a, a + n) for a, n in raw_spans]
    expected = [c for c in cands if c.type == "Region" and any(s <= c.start and c.end <= e for s, e in spans)]
    assert RegionsByStart(cands).inside(spans) == expected


def test_extraction_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    source = read_file(SAMPLE)
    assert gc.isenabled()
    extract_document(source)
    assert gc.isenabled()
    gc.disable()
    try:
        extract_document(source)
        assert not gc.isenabled()
    finally:
        gc.enable()
