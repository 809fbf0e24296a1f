"""Reading sources: files, folders and stdin, decoded from any of the encodings reports come in.

Handles UTF-8 (with or without BOM), UTF-16 (with BOM, or detected from its
zero bytes), GB18030/GBK/GB2312 and Big5, or an explicit ``encoding``.  Line
ends are normalised to ``\\n`` (CRLF and lone CR); every offset the extractor
reports refers to the text *after* this step, which is what
:attr:`SourceText.text` holds and what ``source.sha256`` hashes.
"""

from __future__ import annotations

import codecs
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hfkg.errors import InputError

TEXT_SUFFIXES = (".txt",)
MAX_BYTES = 32 * 1024 * 1024  # extraction needs ~20x the text in memory: refuse, do not swap

# Encodings tried in order when nothing else decides; GB18030 is a superset of GBK and GB2312.
_CJK_CANDIDATES = ("gb18030", "big5")


@dataclass(frozen=True)
class SourceText:
    """A decoded source document."""

    name: str
    text: str
    encoding: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> SourceText:
    """Decode ``data`` (detecting the encoding unless given) into a :class:`SourceText`."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}", hint="use e.g. utf-8, gb18030, big5, utf-16") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name} is not valid {encoding} (byte {exc.start})",
                             hint="check --encoding, or leave it out to detect") from None
        return _finish(text, name, encoding)
    if not data.strip():
        raise InputError(f"{name} is empty", hint="give a report with some text in it")
    enc = detect_encoding(data, name)
    text = data.decode(enc)
    if enc in ("utf-8-sig", "utf-16"):
        text = text.lstrip("\ufeff")
    return _finish(text, name, enc)


def detect_encoding(data: bytes, name: str = "<input>") -> str:
    """Return the codec name that decodes ``data``; raise :class:`InputError` for binary or unknown bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:65536]
    if b"\x00" in sample and sample.count(0) < 0.05 * len(sample):
        try:
            data.decode("utf-8")
            return "utf-8"  # valid UTF-8 with a stray NUL or two, not UTF-16
        except UnicodeDecodeError:
            pass
    if b"\x00" in sample:
        zeros_even = sample[0::2].count(0)
        zeros_odd = sample[1::2].count(0)
        for enc, ok in (("utf-16-le", zeros_even == 0), ("utf-16-be", zeros_odd == 0)):
            if ok and len(data) % 2 == 0:
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                if sum(1 for ch in text[:5000] if ord(ch) < 32 and ch not in "\n\r\t") <= 5:
                    return enc
        raise InputError(f"{name} looks like a binary file, not text", hint="give a .txt report")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = {}
    candidates = _CJK_CANDIDATES + (("utf-16-le", "utf-16-be") if len(data) % 2 == 0 else ())
    for enc in candidates:
        text = _decode_prefix(data, enc)
        if text is not None:
            decoded[enc] = text
    if decoded:
        best = _best_cjk(decoded)
        try:
            data.decode(best)
            return best
        except UnicodeDecodeError:
            pass
    guess = _charset_guess(data)
    if guess:
        return guess
    raise InputError(f"{name}: cannot detect the text encoding (not UTF-8, UTF-16, GB18030 or Big5)",
                     hint="pass --encoding if you know it")


def _decode_prefix(data: bytes, enc: str, size: int = 65536) -> str | None:
    """Decode the first ``size`` bytes, allowing a multi-byte character cut at the end."""
    if len(data) <= size:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            return None
    for cut in range(size, size - 4, -1):
        try:
            return data[:cut].decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _best_cjk(decoded: dict[str, str]) -> str:
    """Pick between GB18030, Big5 and BOM-less UTF-16 readings by how much common Chinese each gives."""
    from hfkg.extract.common_chars import common_char_score

    order = {enc: i for i, enc in enumerate(decoded)}
    return max(decoded, key=lambda enc: (round(common_char_score(decoded[enc]), 2), -order[enc]))


def _charset_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200000]).best()
    if best is None or best.encoding is None:
        return None
    text = str(best)
    controls = sum(1 for ch in text[:5000] if ord(ch) < 32 and ch not in "\n\r\t")
    return None if controls > 5 else best.encoding


def _finish(text: str, name: str, encoding: str) -> SourceText:
    text = normalise_newlines(text)
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\n\t\f")
    if controls > max(10, len(text[:20000]) // 100):
        raise InputError(f"{name} looks like a binary file, not text", hint="give a .txt report")
    if not text.strip():
        raise InputError(f"{name} is empty", hint="give a report with some text in it")
    return SourceText(name=name, text=text, encoding=encoding)


def read_file(path: str | Path, encoding: str | None = None) -> SourceText:
    """Read and decode one file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{p} is {size // (1024 * 1024)} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB",
                             hint="split the file into reports")
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file", hint="check the path") from None
    except PermissionError:
        raise InputError(f"{p}: permission denied", hint="check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})", hint="check the path") from None
    return decode_bytes(data, p.name, encoding)


def read_stdin(encoding: str | None = None) -> SourceText:
    """Read and decode standard input (refusing more than the size limit, like files)."""
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"standard input is over the limit of {MAX_BYTES // (1024 * 1024)} MB",
                         hint="split the input into reports")
    return decode_bytes(data, "stdin.txt", encoding)


def expand_sources(paths: list[str], suffixes: tuple[str, ...] = TEXT_SUFFIXES) -> list[str]:
    """Expand folders into their files with ``suffixes`` (sorted, recursive); keep files and ``-`` as given."""
    out: list[str] = []
    for raw in paths:
        if raw == "-":
            out.append(raw)
            continue
        p = Path(raw)
        if p.is_dir():
            try:
                found = sorted(str(f) for f in _walk(p) if f.suffix.lower() in suffixes)
            except OSError as exc:
                raise InputError(f"{p}: cannot list the folder ({exc.strerror or exc})") from None
            if not found:
                kinds = " or ".join(suffixes)
                raise InputError(f"{p} holds no {kinds} files", hint="point at a folder of reports")
            out.extend(found)
        elif p.exists() or p.is_symlink():
            out.append(raw)
        else:
            raise InputError(f"{p}: no such file or folder", hint="check the path")
    return out


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder``, following no symlinked folders (so a symlink loop cannot hang us)."""
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() and entry.is_dir():
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.is_file():
            yield entry


def iter_sources(paths: list[str], encoding: str | None = None) -> Iterator[SourceText]:
    """Decode every source named by ``paths`` (files, folders, ``-``) in a stable order."""
    for item in expand_sources(paths):
        yield read_stdin(encoding) if item == "-" else read_file(item, encoding)


def sample_paths() -> list[Path]:
    """The sample reports shipped with the package."""
    folder = resources.files("hfkg") / "samples"
    return sorted(Path(str(f)) for f in folder.iterdir() if f.name.endswith(".txt"))


def copy_samples(folder: Path) -> list[Path]:
    """Copy the sample reports into ``folder`` (atomically) and return the new paths."""
    from hfkg._io import write_bytes

    out = []
    for path in sample_paths():
        target = Path(folder) / path.name
        write_bytes(target, path.read_bytes())
        out.append(target)
    return out
