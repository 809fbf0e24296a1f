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
# The same characters as UTF-8 bytes (a lead byte or ASCII byte never occurs inside another character).
_CONTROLS_UTF8 = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
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


def escape_controls_utf8(data: bytes) -> bytes:
    """:func:`escape_controls` on UTF-8 bytes, without decoding them (a dump can be gigabytes)."""
    return _CONTROLS_UTF8.sub(lambda m: f"\\u{ord(m.group().decode('utf-8')):04X}".encode("ascii"), data)


def xml_safe(text: str) -> str:
    """Drop the characters that make an XML 1.0 document ill-formed (C0 controls but tab, LF, CR; U+FFFE/F)."""
    return _NOT_XML.sub("", text)


def xml_escape_controls(text: str) -> str:
    """Write DEL, C1 and bidi controls of an XML document as ``&#xNN;`` (valid in text and attribute values)."""
    return _XML_CONTROLS.sub(lambda m: f"&#x{ord(m.group()):X};", text)
