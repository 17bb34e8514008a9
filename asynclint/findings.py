"""What rules report (:class:`Problem`) and what the core turns it into (:class:`Finding`)."""

from __future__ import annotations

import enum

from asynclint.fixes import Fix
from asynclint.parsing import Source
from asynclint.structs import struct


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @staticmethod
    def parse(text: str) -> "Severity":
        return Severity[text.strip().upper()]


@struct(frozen=True)
class Problem:
    """A rule's report: where (offsets into ``source.text``), what, and an optional fix.

    ``anchor`` is the start offset of the enclosing task, so that a ``# noqa``
    on the task's first line also silences it.
    """

    source: Source
    start: int
    end: int
    message: str
    fix: Fix | None = None
    anchor: int | None = None


@struct(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    fix: Fix | None = None
    start: int = 0
    end: int = 0

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "fix": None if self.fix is None else self.fix.to_json(),
        }
