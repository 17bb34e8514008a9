"""Edits and fixes.

An :class:`Edit` replaces ``text[start:end]`` of the original source: the file
of the finding, or the file at the display path ``path`` when it names another
one (a fix that moves keys from an include into the file it includes). A
:class:`Fix` is a titled, sorted set of edits with an applicability, built by
the rule when it detects the problem (never re-derived from the message).
"""

from __future__ import annotations

import enum

from asynclint.structs import struct


class Applicability(enum.IntEnum):
    """How freely a fix may be applied; higher is safer."""

    DISPLAY_ONLY = 0  # shown, never applied
    UNSAFE = 1  # changes timing or concurrency: applied only with --unsafe-fixes
    SAFE = 2  # keeps the meaning: applied by `asynclint fix`

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


@struct(frozen=True, order=True)
class Edit:
    start: int
    end: int
    replacement: str = ""
    path: str = ""  # the display path of the file it changes; "" for the finding's own file

    @staticmethod
    def insert(at: int, text: str) -> "Edit":
        return Edit(at, at, text)

    @staticmethod
    def delete(start: int, end: int) -> "Edit":
        return Edit(start, end, "")

    def on(self, path: str) -> "Edit":
        """The same edit, in the file at display path ``path``."""
        return Edit(self.start, self.end, self.replacement, path)


@struct(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    def __post_init__(self) -> None:
        object.__setattr__(self, "edits", tuple(sorted(self.edits)))

    @property
    def start(self) -> int:
        return self.edits[0].start if self.edits else 0

    @property
    def end(self) -> int:
        return max((edit.end for edit in self.edits), default=0)

    @property
    def paths(self) -> frozenset[str]:
        """The files the edits change ("" for the finding's own file)."""
        return frozenset(edit.path for edit in self.edits)

    def overlaps(self, other: "Fix") -> bool:
        return any(
            a.path == b.path
            and (a.start < b.end and b.start < a.end or (a.start == b.start and a.end == b.end))
            for a in self.edits
            for b in other.edits
        )

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "applicability": self.applicability.label}
