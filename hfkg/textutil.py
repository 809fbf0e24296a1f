"""Small text helpers shared by every stage: making document text safe for terminals, JSON/RDF dumps and XML.

Documents are untrusted: a name can hold escape sequences (``ESC [2J`` clears a screen, ``ESC ] 0;…``
retitles a window), C1 controls (``U+009B`` is a CSI on some terminals) and bidirectional overrides that
reorder a line.  :func:`strip_controls` removes them for the terminal; :func:`escape_controls` writes them
as ``\\uXXXX`` escapes, which JSON, Turtle, TriG, N-Triples and N-Quads read back as the same characters;
:func:`xml_safe` drops what XML 1.0 cannot carry at all and :func:`xml_escape_controls` writes the rest as
character references (GraphML, GEXF).
"""

from __future__ import annotations

import re

# C0/C1 controls except tab and newline, plus bidirectional marks, embeddings, overrides and isolates.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Controls XML 1.0 accepts, written as character references so that the file is safe to print.
_XML_CONTROLS = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Characters XML 1.0 forbids even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """Remove characters that could move the cursor or reorder a terminal line (tab and newline stay)."""
    return _CONTROLS.sub("", text)


def escape_controls(text: str) -> str:
    """Write those characters as ``\\uXXXX``: lossless in JSON strings and in Turtle/N-Triples strings and IRIs.

    Only valid where such characters can occur at all, i.e. inside strings and IRIs, which is where a JSON or
    RDF serialiser puts document text; tab and newline are left to the serialiser.
    """
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


def xml_safe(text: str) -> str:
    """Drop the characters that make an XML 1.0 document ill-formed (C0 controls but tab, LF, CR; U+FFFE/F)."""
    return _NOT_XML.sub("", text)


def xml_escape_controls(text: str) -> str:
    """Write DEL, C1 and bidi controls of an XML document as ``&#xNN;`` (valid in text and attribute values)."""
    return _XML_CONTROLS.sub(lambda m: f"&#x{ord(m.group()):X};", text)
