"""Summaries of scanned plugin files, cached on disk by the SHA-256 of their content.

An entry that cannot be read or decoded is ignored (and rewritten by the next scan);
a cache directory that cannot be written only costs a rescan next time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from asynclint.actions.summary import FileSummary, file_from_json, file_to_json
from asynclint.structs import struct

CACHE_FORMAT = "v1"  # bump when the scanner's output changes meaning


def default_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CACHE_HOME/asynclint/actions``, else ``~/.cache/asynclint/actions``."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asynclint" / "actions"


def content_digest(content: bytes) -> str:
    import hashlib  # only for a plugin outside the shipped table: most runs have none

    return hashlib.sha256(content).hexdigest()


@struct(frozen=True)
class SummaryCache:
    directory: Path

    def entry_path(self, digest: str) -> Path:
        return self.directory / CACHE_FORMAT / f"{digest}.json"

    def get(self, digest: str) -> FileSummary | None:
        try:
            data = json.loads(self.entry_path(digest).read_text(encoding="utf-8"))
            return file_from_json(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, digest: str, summary: FileSummary) -> None:
        path = self.entry_path(digest)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(file_to_json(summary), sort_keys=True), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)


def summarize_file(path: Path, cache: SummaryCache) -> FileSummary:
    """The summary of one plugin file, from the cache or by scanning it.

    An unreadable or unparsable file has no classes, so none of its actions is known.
    """
    try:
        content = path.read_bytes()
    except OSError:
        return FileSummary({})
    digest = content_digest(content)
    cached = cache.get(digest)
    if cached is not None:
        return cached
    summary = _scan(content)
    cache.put(digest, summary)
    return summary


def _scan(content: bytes) -> FileSummary:
    from libcst import ParserSyntaxError

    from asynclint.actions.scanner import scan_source

    try:
        return scan_source(content.decode("utf-8"))
    except (UnicodeDecodeError, ParserSyntaxError, RecursionError):
        return FileSummary({})
