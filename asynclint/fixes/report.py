"""What ``asynclint fix`` prints: unified diffs and the one-line summary."""

from __future__ import annotations

import difflib
from typing import Sequence

from asynclint.fixes.apply import FileFix


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def unified_diff(file: FileFix) -> str:
    """The change to one file as a unified diff (line endings kept as they are)."""
    lines = difflib.unified_diff(
        file.before.splitlines(keepends=True), file.after.splitlines(keepends=True),
        fromfile=f"a/{file.path}", tofile=f"b/{file.path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def fix_summary(files: Sequence[FileFix], remaining: int, dry_run: bool) -> str:
    """``Fixed 3 findings in 2 files, 1 remaining.`` (``Would fix`` without writing)."""
    fixed = sum(len(file.fixed) for file in files)
    verb = "Would fix" if dry_run else "Fixed"
    if not fixed:
        return f"No fixes {'available' if dry_run else 'applied'}, {remaining} remaining."
    return f"{verb} {_plural(fixed, 'finding')} in {_plural(len(files), 'file')}, {remaining} remaining."
