"""The rule record the core works with, read from a rule module's constants."""

from __future__ import annotations

from types import ModuleType
from typing import Callable, Iterable

from asynclint.findings import Problem, Severity
from asynclint.structs import struct

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")


def cleandoc(doc: str) -> str:
    """``doc`` as :func:`inspect.cleandoc` gives it, without importing :mod:`inspect` (and
    ``ast``, ``dis`` and ``tokenize`` with it) for a check."""
    lines = doc.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents, default=0)
    lines = [lines[0].lstrip(), *(line[margin:] for line in lines[1:])]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


@struct(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    enabled: bool
    fix: str | None  # "safe", "unsafe", "display-only" or None: what the rule's fixes are
    doc: str
    check: Callable[..., Iterable[Problem]]

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    def section(self, title: str) -> str:
        """The text of one ``## title`` section of the rule's documentation."""
        lines = self.doc.splitlines()
        out: list[str] = []
        inside = False
        for line in lines:
            if line.startswith("## "):
                inside = line[3:].strip() == title
                continue
            if inside:
                out.append(line)
        return "\n".join(out).strip()

    @staticmethod
    def from_module(module: ModuleType) -> "Rule":
        return Rule(
            code=module.CODE,
            name=module.NAME,
            severity=Severity.parse(module.SEVERITY),
            enabled=getattr(module, "ENABLED", True),
            fix=getattr(module, "FIX", None),
            doc=cleandoc(module.__doc__ or ""),
            check=module.check,
        )
