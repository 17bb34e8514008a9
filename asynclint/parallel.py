"""Scanning files in worker processes.

A scan (:func:`~asynclint.model.prefilter.scan_file`: read, hash, look for words, run
libyaml's parser) is independent per file and its result is a few bytes, so it crosses
process boundaries cheaply. Parsing into the model stays in one process: the frozen nodes of
a file would cost as much to send back as to build. Workers only pay off on large inputs:
below :data:`MIN_PARALLEL_FILES` files one process is faster than starting others.
"""

from __future__ import annotations

import os
from typing import Sequence

from asynclint.model.prefilter import FileScan, scan_file

MIN_PARALLEL_FILES = 4000
CHUNK = 256


def default_jobs() -> int:
    return os.cpu_count() or 1


def scan_files(paths: Sequence[str], jobs: int) -> list[FileScan | None]:
    """The scan of each of ``paths``, in order, with up to ``jobs`` processes."""
    if jobs <= 1 or len(paths) < MIN_PARALLEL_FILES:
        return [scan_file(path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(scan_file, paths, chunksize=CHUNK))
