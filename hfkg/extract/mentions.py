"""Mentions: what a recogniser found, where, in the normalised text.

A :class:`Mention` holds offsets into :attr:`NormText.text`; the pipeline maps
them back to the raw text when it writes records.  Recognisers return plain
lists of mentions so that later stages (benefits, relations) can look them up
by position.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the normalised text."""

    type: str  # Region, Agency, Program, FamilyType, Person
    start: int
    end: int
    surface: str  # the normalised text of the occurrence
    name: str  # canonical name of the entity it refers to
    region: str | None = None  # canonical region name of the entity
    optional: bool = False  # a generic or debatable find (kept, but never used to anchor relations)
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.type, self.name, self.region)


class MentionIndex:
    """Mentions sorted by start, with lookups by position."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.items = sorted(mentions, key=lambda m: (m.start, -m.end, m.type, m.name))
        self._starts = [m.start for m in self.items]

    def between(self, start: int, end: int, types: tuple[str, ...] | None = None) -> list[Mention]:
        """Mentions lying wholly inside ``[start, end)``."""
        i = bisect.bisect_left(self._starts, start)
        out = []
        while i < len(self.items) and self.items[i].start < end:
            m = self.items[i]
            if m.end <= end and (types is None or m.type in types):
                out.append(m)
            i += 1
        return out

    def before(self, pos: int, types: tuple[str, ...], limit: int = 200) -> list[Mention]:
        """Mentions ending at or before ``pos`` within ``limit`` characters, nearest first."""
        i = bisect.bisect_left(self._starts, pos)
        out = []
        j = i - 1
        while j >= 0 and self.items[j].start >= pos - limit:
            m = self.items[j]
            if m.end <= pos and m.type in types:
                out.append(m)
            j -= 1
        return sorted(out, key=lambda m: -m.end)
