"""Small text helpers shared by every stage: control-character stripping for terminals."""

from __future__ import annotations

import re

# C0/C1 controls except tab and newline, plus bidirectional overrides and isolates.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Remove characters that could move the cursor or reorder a terminal line."""
    return _CONTROLS.sub("", text)
