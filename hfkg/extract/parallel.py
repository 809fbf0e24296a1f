"""Parallel extraction: many documents in a process pool, records returned in input order.

:func:`extract_many` gives exactly the records that extracting one document after the other gives (the
extractor keeps no state between documents that changes its output), so ``jobs=4`` writes the same bytes as
``jobs=1``.  Long runs show a tqdm progress bar on standard error when it is a terminal.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from hfkg.errors import HfkgError
from hfkg.extract.reader import SourceText
from hfkg.extract.records import Record

PROGRESS_MIN = 20  # show a progress bar from this many documents on


def resolve_jobs(jobs: int | None) -> int:
    """The number of worker processes: ``jobs``, or every core for ``None`` or 0."""
    if jobs is None or jobs == 0:
        return max(1, os.cpu_count() or 1)
    if jobs < 0:
        raise HfkgError(f"the number of jobs must be 0 (all cores) or more, got {jobs}",
                        hint="give --jobs 1 for one process, --jobs 0 for all cores")
    return jobs


def _extract(src: SourceText) -> Record:
    from hfkg.extract.pipeline import extract_document

    return extract_document(src)


def _serial(sources: Sequence[SourceText]) -> Iterator[Record]:
    for src in sources:
        yield _extract(src)


def _pooled(sources: Sequence[SourceText], jobs: int) -> Iterator[Record]:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunk = max(1, min(16, len(sources) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
        yield from pool.map(_extract, sources, chunksize=chunk)


def _progress(total: int, show: bool | None) -> Any:
    from tqdm import tqdm

    disable = (total < PROGRESS_MIN) if show is None else not show
    # disable=None lets tqdm turn itself off when standard error is not a terminal
    return tqdm(total=total, desc="extract", unit="doc", leave=False, disable=True if disable else None)


def extract_many(sources: Sequence[SourceText], jobs: int | None = 1, *, progress: bool | None = None) -> list[Record]:
    """Extract every source, with ``jobs`` processes (``None`` or 0: all cores); records in input order.

    ``progress``: ``None`` shows a bar for long runs on a terminal, ``True``/``False`` force it on/off.
    Errors raised by the extractor (an :class:`~hfkg.errors.HfkgError`) reach the caller unchanged.
    """
    sources = list(sources)
    workers = min(resolve_jobs(jobs), max(1, len(sources)))
    records: list[Record] = []
    with _progress(len(sources), progress) as bar:
        for rec in (_serial(sources) if workers == 1 else _pooled(sources, workers)):
            records.append(rec)
            bar.update(1)
    return records


__all__ = ["extract_many", "resolve_jobs"]
