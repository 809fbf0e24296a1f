"""Deterministic IRIs for the graph: base checking, canonical keys, hashes and the frozen slug registry.

Identity is the SHA-256 of a canonical key (type, canonical name, region IRI); the readable pinyin slug in
front of the hash is minted once with pypinyin and then frozen in a JSON registry, so an upgrade of pypinyin
never changes an IRI.  The committed registry ships in the package (``hfkg/builders/iri_registry.json``);
keys it does not know are minted and kept in ``DIR/iri_registry.json`` beside the dumps, and are read back on
the next build into the same folder.  ``--update-registry`` copies new keys into the committed file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from hfkg.errors import BuildError

DEFAULT_BASE = "https://example.org/hfkg/"
REGISTRY_NAME = "iri_registry.json"
REGISTRY_FORMAT = "hfkg-iri-registry/1"
_BASE_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s<>\"{}|\\^`]*)?$")
_DROP = re.compile(r"[\s\u3000\u00b7\u30fb“”‘’\"'《》〈〉「」『』()（）\[\]【】、，,。．.:：;；!！?？—\-_/]+")


def resolve_base(base: str | None = None) -> str:
    """The base IRI: ``base``, else ``$HFKG_BASE``, else the placeholder; checked, or :class:`BuildError`."""
    value = base if base is not None else os.environ.get("HFKG_BASE") or DEFAULT_BASE
    if not _BASE_RE.match(value) or not value.endswith(("/", "#")):
        raise BuildError(f"invalid base IRI {value!r}: it must be an absolute http(s) IRI without spaces "
                         "that ends with / or #", hint="e.g. --base https://example.org/hfkg/")
    return value


def canonical(name: str) -> str:
    """Canonical form of a name for identity: NFKC, punctuation and spaces removed, Latin lowercased."""
    return _DROP.sub("", unicodedata.normalize("NFKC", name)).lower()


def h(*parts: str, n: int = 10) -> str:
    """First ``n`` hex digits of the SHA-256 of the parts joined with U+001F."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


def decimal_text(value: float | int | str | Decimal) -> str:
    """The one number normaliser: ``200``, ``200.0`` and ``"200"`` all give ``"200"``; ``0.50`` gives ``"0.5"``."""
    try:
        d = Decimal(str(value)).normalize()
    except InvalidOperation:
        raise BuildError(f"{value!r} is not a number") from None
    text = format(d, "f")
    return text if text not in ("-0",) else "0"


@cache
def _pinyin_module():  # type: ignore[no-untyped-def]
    import pypinyin

    return pypinyin


def pinyin_slug(name: str, maxlen: int = 40) -> str:
    """An ASCII slug of a Chinese name (pinyin syllables joined by hyphens, cut at a syllable boundary)."""
    out = ""
    for piece in _pinyin_module().lazy_pinyin(canonical(name)):
        ascii_piece = unicodedata.normalize("NFKD", piece).encode("ascii", "ignore").decode().lower()
        for part in re.split(r"[^a-z0-9]+", ascii_piece):
            if not part:
                continue
            if len(out) + len(part) + 1 > maxlen:
                return out or part[:maxlen]
            out = f"{out}-{part}" if out else part
    return out or "x"


def pinyin_label(name: str) -> str:
    """A tone-marked pinyin reading of a name, syllables separated by spaces (for ``@zh-Latn-pinyin``)."""
    pp = _pinyin_module()
    pieces = [p.strip() for p in pp.lazy_pinyin(name, style=pp.Style.TONE) if p.strip()]
    return " ".join(pieces)


def entity_key(kind: str, name: str, region_iri: str) -> str:
    """The canonical identity key of an extracted entity."""
    return "\x1f".join((kind, canonical(name), region_iri))


# ----------------------------------------------------------------------------- registry


@dataclass
class SlugRegistry:
    """Frozen key -> slug map: the committed one, the output folder's one, and keys minted in this build."""

    committed: dict[str, str] = field(default_factory=dict)
    local: dict[str, str] = field(default_factory=dict)
    minted: dict[str, str] = field(default_factory=dict)

    def slug(self, key: str, name: str) -> str:
        for table in (self.committed, self.local, self.minted):
            if key in table:
                return table[key]
        slug = pinyin_slug(name)
        self.minted[key] = slug
        return slug

    def output_entries(self) -> dict[str, str]:
        """Entries to keep beside the dumps: everything not in the committed registry."""
        merged = {**self.local, **self.minted}
        return {k: merged[k] for k in sorted(merged) if k not in self.committed}


def _read_registry(text: str, where: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BuildError(f"{where} is not valid JSON (line {exc.lineno}: {exc.msg})",
                         hint="delete it to mint the slugs again") from None
    if not isinstance(data, dict) or data.get("format") != REGISTRY_FORMAT or not isinstance(data.get("slugs"), dict):
        raise BuildError(f"{where} is not an IRI registry ({REGISTRY_FORMAT})", hint="delete it to mint the slugs again")
    return {str(k): str(v) for k, v in data["slugs"].items()}


def registry_json(entries: dict[str, str]) -> str:
    """Registry file text with sorted keys (stable bytes)."""
    return json.dumps({"format": REGISTRY_FORMAT, "slugs": dict(sorted(entries.items()))},
                      ensure_ascii=False, indent=1) + "\n"


def committed_registry_path() -> Path:
    return Path(str(resources.files("hfkg.builders").joinpath(REGISTRY_NAME)))


def load_registry(out_dir: Path | None) -> SlugRegistry:
    """The committed registry plus, when present, the one in the output folder."""
    committed_file = committed_registry_path()
    committed = _read_registry(committed_file.read_text(encoding="utf-8"), REGISTRY_NAME) \
        if committed_file.is_file() else {}
    local: dict[str, str] = {}
    if out_dir is not None and (out_dir / REGISTRY_NAME).is_file():
        path = out_dir / REGISTRY_NAME
        local = _read_registry(path.read_text(encoding="utf-8"), str(path))
    return SlugRegistry(committed=committed, local=local)


# ----------------------------------------------------------------------------- minting


@dataclass
class Minter:
    """Mints every IRI of a build under one base."""

    base: str
    registry: SlugRegistry

    @property
    def id(self) -> str:
        return f"{self.base}id/"

    def local(self, iri: str) -> str:
        """An IRI without the base, so keys and hashes do not change when the base does."""
        return iri[len(self.base):] if iri.startswith(self.base) else iri

    def entity(self, kind: str, name: str, region_iri: str) -> str:
        key = entity_key(kind, name, self.local(region_iri))
        return f"{self.id}{kind}/{self.registry.slug(key, name)}-{h(key)}"

    def region(self, code: str | None, name: str) -> str:
        if code:
            return f"{self.id}region/{code}"
        key = entity_key("region", name, "")
        return f"{self.id}region/n-{self.registry.slug(key, name)}-{h(key)}"

    def hashed(self, kind: str, *parts: str) -> str:
        return f"{self.id}{kind}/{h(kind, *(self.local(p) for p in parts))}"

    def doc(self, doc_id: str) -> str:
        return f"{self.id}doc/{doc_id}"

    def span(self, doc_id: str, start: int, end: int) -> str:
        return f"{self.id}span/{doc_id}_{start}-{end}"

    def section(self, doc_id: str, start: int, end: int) -> str:
        return f"{self.id}section/{doc_id}_{start}-{end}"

    def graph(self, name: str) -> str:
        return f"{self.base}graph/{name}"

    def doc_graph(self, doc_id: str) -> str:
        return f"{self.base}graph/doc/{doc_id}"
