"""Edits and fixes.

An :class:`Edit` replaces ``text[start:end]`` of the original source. A
:class:`Fix` is a titled, sorted set of edits with an applicability, built by
the rule when it detects the problem (never re-derived from the message).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Applicability(enum.IntEnum):
    """How freely a fix may be applied; higher is safer."""

    DISPLAY_ONLY = 0  # shown, never applied
    UNSAFE = 1  # changes timing or concurrency: applied only with --unsafe-fixes
    SAFE = 2  # keeps the meaning: applied by `asynclint fix`

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True, order=True)
class Edit:
    start: int
    end: int
    replacement: str = ""

    @staticmethod
    def insert(at: int, text: str) -> "Edit":
        return Edit(at, at, text)

    @staticmethod
    def delete(start: int, end: int) -> "Edit":
        return Edit(start, end, "")


@dataclass(frozen=True)
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

    def overlaps(self, other: "Fix") -> bool:
        return any(
            a.start < b.end and b.start < a.end or (a.start == b.start and a.end == b.end)
            for a in self.edits
            for b in other.edits
        )

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "applicability": self.applicability.label}
