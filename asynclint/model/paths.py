"""Paths as strings, spelled as :mod:`pathlib` spells them, without building path objects.

Resolving includes and roles joins and tests thousands of candidate paths in a large project; a
path object per candidate cost more than the test itself.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def absolute(path: str, cwd: str) -> str:
    """``os.path.abspath(path)`` with the working folder ``cwd`` given: ``abspath`` asks the
    system for it at every call, a system call per path."""
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd, path))


def resolved(path: Path) -> Path:
    """``path.resolve()``; for a link that leads back to itself (Python before 3.13 raises),
    the absolute path of the link: reading it then reports the loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


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


class RealPaths:
    """``os.path.realpath``, remembered for one run: a file's folder is resolved once, so a
    new path costs one ``lstat`` (includes reach a file many times, and the prefilter, the
    loader and the cache all ask for the real path of every file). ``plain`` are paths
    known not to be links themselves (the walk that found them read that from the folder):
    they cost no ``lstat`` at all."""

    def __init__(self, plain: set[str] | None = None) -> None:
        self.known: dict[str, str] = {}
        self.plain = plain if plain is not None else set()

    def __call__(self, path: str) -> str:
        found = self.known.get(path)
        if found is None:
            head, tail = os.path.split(path)
            if not head or not tail or tail in (os.curdir, os.pardir) or head == path:
                found = os.path.realpath(path)
            else:
                joined = os.path.join(self(head), tail)
                found = (joined if path in self.plain or not os.path.islink(joined)
                         else os.path.realpath(joined))
            self.known[path] = found
        return found
