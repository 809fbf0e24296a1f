"""Atomic file output: write to a temporary file beside the target, then rename.

A crash or kill at any moment leaves either the previous file or the new one,
never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from hfkg.errors import HfkgError


class OutputError(HfkgError):
    """An output file or folder cannot be written."""

    hint = "choose a folder you can write to (--out / -o)"


def _umask() -> int:
    """The process umask, read without changing it where the system allows (Linux), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success fsync and rename it onto ``path``.

    A symlink is written through (its target is replaced, the link stays).  A device, FIFO or socket
    (``/dev/null``, ``/dev/stdout``, a named pipe) is written directly: it cannot be replaced by renaming.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.exists() and not target.is_file() and not target.is_dir():
        with _open_special(target, mode) as fh:
            yield fh
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    binary = "b" in mode
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": "\n"})) as fh:
            yield fh
            try:
                fh.flush()
                os.fsync(fh.fileno())
            except OSError as exc:  # e.g. the disk is full
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        try:
            os.replace(tmp, target)
        except OSError as exc:  # e.g. the target is a folder
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _open_special(target: Path, mode: str) -> Iterator[IO]:
    binary = "b" in mode
    try:
        fh = open(target, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": "\n"}))  # noqa: SIM115
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    with fh:
        yield fh


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
