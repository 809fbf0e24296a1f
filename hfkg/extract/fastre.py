"""Regular expressions that Python's ``re`` can scan quickly, matching exactly what the plain spelling matches.

``re`` skips ahead over a text with a set of possible first characters only when every top-level branch of a
pattern starts with a literal.  A pattern that opens with a group, such as ``(?:A|B)+`` or ``(?:A|B)(?!x)|…``,
gets no such set, and the whole pattern is tried at every position of the text.  :func:`branches` spells
``(?:w1|w2|…)TAIL`` as ``w1(?:TAIL)|w2(?:TAIL)|…``: the same alternatives in the same order with the same
backtracking, so the same matches, but each branch starts with a literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def longest_first(words: Iterable[str]) -> list[str]:
    """Distinct ``words``, longest first (the order an alternation needs to prefer the longest match)."""
    return sorted(set(words), key=len, reverse=True)


def alt(words: Iterable[str]) -> str:
    """``w1|w2|…`` of the escaped ``words``, longest first."""
    return "|".join(re.escape(w) for w in longest_first(words))


def branches(words: Iterable[str], tail: str = "") -> str:
    """``(?:w1|w2|…)TAIL`` spelt as one top-level branch per word (``w1(?:TAIL)|w2(?:TAIL)|…``), longest first.

    Words must be non-empty.  Join several such strings with ``|`` to keep the order of their groups.
    """
    suffix = f"(?:{tail})" if tail else ""
    return "|".join(re.escape(w) + suffix for w in longest_first(words))


__all__ = ["alt", "branches", "longest_first"]
