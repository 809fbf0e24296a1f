"""Regular expressions that Python's ``re`` can scan quickly, matching exactly what the plain spelling matches.

``re`` skips ahead over a text with a set of possible first characters only when every top-level branch of a
pattern starts with a literal.  A pattern that opens with a group, such as ``(?:A|B)+`` or ``(?:A|B)(?!x)|…``,
gets no such set, and the whole pattern is tried at every position of the text; and an alternation of many
words tries every word at every candidate position.

:func:`branches` spells ``(?:w1|w2|…)TAIL`` (words longest first) as one top-level branch per first character,
each a trie of the words starting with it followed by the tail: ``委(?:员会(?:办公室)?)?(?:TAIL)|…``.  At any
position only the branch of the character there can match, and inside it the trie offers the words that match
there longest first (a greedy optional group is tried before skipping it, and the children of a trie node
start with different characters), backtracking to shorter ones when the tail fails: exactly the order in which
the longest-first alternation tries them.  So the matches are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_Trie = dict[str, "_Trie"]
_END = ""  # key marking that a word ends at a trie node


def longest_first(words: Iterable[str]) -> list[str]:
    """Distinct ``words``, longest first (the order an alternation needs to prefer the longest match)."""
    return sorted(set(words), key=len, reverse=True)


def alt(words: Iterable[str]) -> str:
    """``w1|w2|…`` of the escaped ``words``, longest first."""
    return "|".join(re.escape(w) for w in longest_first(words))


def _trie(words: Iterable[str]) -> _Trie:
    root: _Trie = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return root


def _pattern(node: _Trie) -> str:
    """The words below ``node``, longest first: ``a(?:b|c)?`` for ``ab``, ``ac`` and ``a``."""
    kids = sorted(k for k in node if k != _END)
    if not kids:
        return ""
    parts = [re.escape(k) + _pattern(node[k]) for k in kids]
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    if _END not in node:
        return body
    return f"(?:{body})?" if len(parts) == 1 else body + "?"


def branches(words: Iterable[str], tail: str = "") -> str:
    """``(?:w1|w2|…)TAIL`` (longest first) as one literal-led trie branch per first character (see above).

    Words must be non-empty.  Join several such strings with ``|`` to keep the order of their groups.
    """
    root = _trie(set(words))
    if _END in root:
        raise ValueError("branches() needs non-empty words")
    suffix = f"(?:{tail})" if tail else ""
    return "|".join(re.escape(k) + _pattern(root[k]) + suffix for k in sorted(root))


__all__ = ["alt", "branches", "longest_first"]
