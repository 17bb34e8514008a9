"""Paths as strings, spelled as :mod:`pathlib` spells them, without building path objects.

Resolving includes and roles joins and tests thousands of candidate paths in a large project; a
path object per candidate cost more than the test itself.
"""

from __future__ import annotations

import os

_UNUSUAL = ("//", "/./")


def normal(path: str) -> str:
    """``str(PurePosixPath(path))``: no empty or ``.`` part, no trailing slash."""
    if path and not any(mark in path for mark in _UNUSUAL) \
            and not path.endswith(("/", "/.")) and not path.startswith("./") and path != ".":
        return path
    root = "//" if path.startswith("//") and not path.startswith("///") else (
        "/" if path.startswith("/") else "")
    parts = [part for part in path.split("/") if part and part != "."]
    return root + "/".join(parts) or "."


def join(base: str, *parts: str) -> str:
    """``str(Path(base, *parts))``: an absolute part starts over."""
    return normal(os.path.join(base, *parts))


def parents(path: str) -> list[str]:
    """``[str(p) for p in PurePosixPath(path).parents]``."""
    path = normal(path)
    found = []
    while True:
        parent = os.path.dirname(path)
        if parent == path or (not parent and path in (".", "")):
            return found
        parent = parent or "."
        found.append(parent)
        if parent == ".":
            return found
        path = parent
